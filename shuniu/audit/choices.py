from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    """What an `ObjectChange` records: a row created, changed or deleted, or a domain action named as such."""

    CREATE = "create", _("新增")
    UPDATE = "update", _("修改")
    DELETE = "delete", _("删除")
    LINK_ENDED = "link_ended", _("联系关系结束")
    HUB_RECOGNIZED = "hub_recognized", _("枢纽认定")
    HUB_REVOKED = "hub_revoked", _("枢纽撤销认定")
    IMPORT = "import", _("导入")
    EXPORT = "export", _("导出")
    MERGE = "merge", _("合并")
    UNMASK = "unmask", _("查看未脱敏信息")
    ARCHIVE = "archive", _("归档审计日志")
    BACKUP = "backup", _("备份")
