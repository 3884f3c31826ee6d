import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from .models import Hub, Link


class HubTable(tables.Table):
    organization = tables.Column(
        linkify=lambda record: record.get_absolute_url(), verbose_name=_("名称"), order_by=("organization__name",)
    )
    level = tables.Column(verbose_name=_("层级"))
    system = tables.Column(verbose_name=_("条线"), order_by=("system__sort",))
    area = tables.Column(verbose_name=_("管辖区域"), order_by=("area__code",))
    batch = tables.Column(verbose_name=_("认定批次"), default="—")
    recognized_on = tables.DateColumn(verbose_name=_("认定日期"), format="Y-m-d")
    revoked_on = tables.DateColumn(verbose_name=_("撤销认定日期"), format="Y-m-d", default="—")
    linked = tables.Column(
        verbose_name=_("当日联系组织数"),
        empty_values=(),
        orderable=False,
        attrs={"td": {"class": "num"}, "th": {"class": "num"}},
    )

    class Meta:
        model = Hub
        fields = ("organization", "level", "system", "area", "batch", "recognized_on", "revoked_on", "linked")
        attrs = {"class": "table table-sm table-hover align-middle"}
        template_name = "django_tables2/bootstrap5.html"

    def __init__(self, *args, linked_counts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.linked_counts = linked_counts or {}

    def render_linked(self, record):
        return f"{self.linked_counts.get(record.pk, 0):,}"

    def value_linked(self, record):
        return self.linked_counts.get(record.pk, 0)

    def export_queryset(self, queryset):
        """What an export reads: the columns' fields and the names shown for related records."""
        return queryset.only(
            "organization__name", "level", "system__name", "area__name", "batch", "recognized_on", "revoked_on"
        )


class LinkTable(tables.Table):
    hub = tables.Column(
        linkify=lambda record: record.hub.get_absolute_url(),
        verbose_name=_("枢纽"),
        order_by=("hub__organization__name",),
    )
    organization = tables.Column(linkify=True, verbose_name=_("组织"), order_by=("organization__name",))
    role = tables.Column(verbose_name=_("关系"))
    start_date = tables.DateColumn(verbose_name=_("开始日期"), format="Y-m-d")
    end_date = tables.DateColumn(verbose_name=_("结束日期"), format="Y-m-d", default=_("至今"))
    basis = tables.Column(verbose_name=_("依据"), default="—")

    class Meta:
        model = Link
        fields = ("hub", "organization", "role", "start_date", "end_date", "basis")
        attrs = {"class": "table table-sm table-hover align-middle"}
        template_name = "django_tables2/bootstrap5.html"

    def export_queryset(self, queryset):
        """What an export reads: the columns' fields and the names shown for related records."""
        return queryset.only("hub__organization__name", "organization__name", "role", "start_date", "end_date", "basis")
