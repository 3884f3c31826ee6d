from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    """What an `ObjectChange` records: a row created, changed or deleted, or one of the platform's events. The modules
    add their domain actions (`core.modules.Audit.actions`; all of them: `audit.registry.action_choices()`)."""

    CREATE = "create", _("新增")
    UPDATE = "update", _("修改")
    DELETE = "delete", _("删除")
    IMPORT = "import", _("导入")
    EXPORT = "export", _("导出")
    UNMASK = "unmask", _("查看未脱敏信息")
    ARCHIVE = "archive", _("归档审计日志")
    BACKUP = "backup", _("备份")
