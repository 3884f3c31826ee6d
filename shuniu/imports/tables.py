import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from shuniu.core.tables import NUMERIC_ATTRS, BaseTable

from .choices import RowOutcome
from .models import ImportJob

STATUS_CSS = {
    "done": "success",
    "failed": "danger",
    "cancelled": "secondary",
    "planned": "warning",
    "mapping": "warning",
}


class OutcomeColumn(tables.Column):
    """How many rows of the job ended with `outcome`."""

    def __init__(self, outcome: RowOutcome):
        super().__init__(
            verbose_name=outcome.label,
            empty_values=(),
            orderable=False,
            attrs=NUMERIC_ATTRS,
        )
        self.outcome = outcome

    def render(self, record):
        return record.count(self.outcome)

    def value(self, record):
        return record.count(self.outcome)


class ImportJobTable(BaseTable):
    created_at = tables.DateTimeColumn(verbose_name=_("时间"), format="Y-m-d H:i", linkify=True)
    user = tables.Column(verbose_name=_("导入人"), default=_("命令行"))
    kind = tables.Column(verbose_name=_("导入类型"))
    filename = tables.Column(verbose_name=_("文件"))
    sha256 = tables.Column(verbose_name=_("哈希"), orderable=False)
    status = tables.Column(verbose_name=_("状态"))
    total_rows = tables.Column(verbose_name=_("行数"), attrs=NUMERIC_ATTRS)
    new = OutcomeColumn(RowOutcome.NEW)
    updated = OutcomeColumn(RowOutcome.UPDATED)
    unchanged = OutcomeColumn(RowOutcome.UNCHANGED)
    rejected = OutcomeColumn(RowOutcome.REJECTED)

    class Meta(BaseTable.Meta):
        model = ImportJob
        fields = ("created_at", "user", "kind", "filename", "sha256", "status", "total_rows")
        sequence = (
            "created_at",
            "user",
            "kind",
            "filename",
            "sha256",
            "status",
            "total_rows",
            "new",
            "updated",
            "unchanged",
            "rejected",
        )

    def render_sha256(self, value):
        return format_html('<code title="{}">{}</code>', value, value[:12])

    def value_sha256(self, value):
        return value

    def render_status(self, record, value):
        return format_html('<span class="badge text-bg-{}">{}</span>', STATUS_CSS.get(record.status, "info"), value)
