from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ImportKind(models.TextChoices):
    ORGANIZATIONS = "organizations", _("社会组织")
    HUBS = "hubs", _("枢纽认定")
    LINKS = "links", _("联系关系")


class ImportStatus(models.TextChoices):
    MAPPING = "mapping", _("待对应列")
    QUEUED = "queued", _("排队中")
    PLANNING = "planning", _("正在检查")
    PLANNED = "planned", _("待确认")
    APPLYING = "applying", _("正在导入")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")
    CANCELLED = "cancelled", _("已取消")


class RowOutcome(models.TextChoices):
    NEW = "new", pgettext_lazy("import outcome", "新增")
    UPDATED = "updated", pgettext_lazy("import outcome", "更新")
    UNCHANGED = "unchanged", pgettext_lazy("import outcome", "无变化")
    REJECTED = "rejected", pgettext_lazy("import outcome", "拒绝")


#: Statuses in which a background task is working on the job (the page polls).
RUNNING_STATUSES = (ImportStatus.QUEUED, ImportStatus.PLANNING, ImportStatus.APPLYING)
