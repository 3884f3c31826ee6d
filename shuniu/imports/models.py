from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shuniu.core.access import Scope
from shuniu.core.models import BaseModel
from shuniu.core.storage import SealedFileSystemStorage
from shuniu.core.workers import WorkerJob

from .choices import RUNNING_STATUSES, ImportStatus
from .registry import kind_choices


class ImportTemplate(BaseModel):
    """A saved column mapping (file header → field) for a kind of import, chosen by name next time."""

    name = models.CharField(verbose_name=_("模板名称"), max_length=60)
    kind = models.CharField(verbose_name=_("导入类型"), max_length=20, choices=kind_choices)
    mapping = models.JSONField(verbose_name=_("列对应"), default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        ordering = ("kind", "name")
        verbose_name = _("导入模板")
        verbose_name_plural = _("导入模板")
        constraints = [models.UniqueConstraint(fields=["kind", "name"], name="imports_template_kind_name")]

    def __str__(self):
        return self.name


#: what uploaded files and per-row results are sealed under (`crypto.seal`): they hold personal numbers in the clear
FILE_PURPOSE = "import-file"


def sealed_storage() -> SealedFileSystemStorage:
    """The storage of every file an import keeps: sealed at rest under MEDIA_ROOT (see `core.storage`)."""
    return SealedFileSystemStorage(purpose=FILE_PURPOSE)


def _upload_to(job, filename):
    return f"imports/{job.created_at:%Y/%m}/{job.sha256[:16]}-{filename}"


class ImportJob(BaseModel, WorkerJob):
    """One uploaded file and everything that happened to it: mapping, check, confirmation, outcome of every row.

    Per-row outcomes live in `result` (one JSON line per input row: row number, outcome, reasons, record id);
    the rejected-rows and result spreadsheets are built from it and the stored file on demand.

    A job being checked or written records the worker process doing it (`WorkerJob`): if that process dies, the job
    is failed with a message instead of staying 「正在导入」. The message is true because the check writes nothing and
    the write is one transaction, which the database rolls back when the process's connection drops.
    """

    # queued is waiting for a worker, not run by one: only these two are watched
    running_statuses = (ImportStatus.PLANNING, ImportStatus.APPLYING)
    failed_status = ImportStatus.FAILED
    worker_died_message = _("导入进程意外中止（服务器重启或进程被结束），没有写入任何数据。请重新开始导入。")

    kind = models.CharField(verbose_name=_("导入类型"), max_length=20, choices=kind_choices)
    status = models.CharField(
        verbose_name=_("状态"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.MAPPING
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导入人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="import_jobs",
    )
    source = models.CharField(verbose_name=_("来源"), max_length=10, default="web")  # web | cli
    file = models.FileField(verbose_name=_("文件"), upload_to=_upload_to, max_length=300, storage=sealed_storage)
    filename = models.CharField(verbose_name=_("文件名"), max_length=200)
    sha256 = models.CharField(verbose_name=_("文件哈希（SHA-256）"), max_length=64, db_index=True)
    size = models.PositiveBigIntegerField(verbose_name=_("文件大小"), default=0)
    file_format = models.CharField(verbose_name=_("格式"), max_length=10, blank=True)
    sheet_name = models.CharField(verbose_name=_("工作表"), max_length=100, blank=True)
    encoding = models.CharField(verbose_name=_("编码"), max_length=20, blank=True)
    header_row = models.PositiveIntegerField(verbose_name=_("表头所在行"), default=1)
    headers = models.JSONField(verbose_name=_("表头"), default=list)
    mapping = models.JSONField(verbose_name=_("列对应"), default=dict)
    template = models.ForeignKey(
        ImportTemplate, verbose_name=_("模板"), on_delete=models.SET_NULL, null=True, blank=True
    )
    notes = models.JSONField(verbose_name=_("提示"), default=list)
    total_rows = models.PositiveIntegerField(verbose_name=_("数据行数"), default=0)
    processed_rows = models.PositiveIntegerField(verbose_name=_("已处理行数"), default=0)
    counts = models.JSONField(verbose_name=_("各结果行数"), default=dict)
    examples = models.JSONField(verbose_name=_("示例"), default=dict)
    error = models.TextField(verbose_name=_("错误"), blank=True)
    result = models.FileField(
        verbose_name=_("逐行结果"), upload_to="imports/results/", blank=True, max_length=300, storage=sealed_storage
    )
    planned_at = models.DateTimeField(verbose_name=_("检查完成时间"), null=True, blank=True)
    confirmed_at = models.DateTimeField(verbose_name=_("确认时间"), null=True, blank=True)
    finished_at = models.DateTimeField(verbose_name=_("完成时间"), null=True, blank=True)

    scope = Scope(user=("user",))  # outside the whole city, one's own imports

    class Meta:
        ordering = ("-created_at", "-pk")
        verbose_name = _("导入记录")
        verbose_name_plural = _("导入记录")

    def __str__(self):
        return f"{self.get_kind_display()} · {self.filename}"

    def get_absolute_url(self) -> str:
        return reverse("imports:importjob", kwargs={"pk": self.pk})

    @property
    def is_running(self) -> bool:
        return self.status in RUNNING_STATUSES

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 0 if self.is_running else 100
        return min(100, round(100 * self.processed_rows / self.total_rows))

    def may_continue(self, user) -> bool:
        """Mapping, confirming and cancelling are for whoever uploaded the file (and superusers)."""
        return self.user_id == user.pk or user.is_superuser

    def count(self, outcome: str) -> int:
        return self.counts.get(outcome, 0)
