from django.db import models
from django.utils.translation import gettext_lazy as _

from shuniu.core.importing.base import RowOutcome

__all__ = ["RUNNING_STATUSES", "ImportStatus", "RowOutcome"]  # the kinds of import: `registry` (declared by modules)


class ImportStatus(models.TextChoices):
    MAPPING = "mapping", _("待对应列")
    QUEUED = "queued", _("排队中")
    PLANNING = "planning", _("正在检查")
    PLANNED = "planned", _("待确认")
    APPLYING = "applying", _("正在导入")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")
    CANCELLED = "cancelled", _("已取消")


#: Statuses in which a background task is working on the job (the page polls).
RUNNING_STATUSES = (ImportStatus.QUEUED, ImportStatus.PLANNING, ImportStatus.APPLYING)
