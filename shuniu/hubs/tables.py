import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from shuniu.core.tables import NUMERIC_ATTRS, BaseTable

from .models import Hub, Link
from .selectors import hub_linked_counts


class HubTable(BaseTable):
    organization = tables.Column(
        linkify=lambda record: record.get_absolute_url(), verbose_name=_("名称"), order_by=("organization__name",)
    )
    level = tables.Column(verbose_name=_("层级"))
    system = tables.Column(verbose_name=_("条线"), order_by=("system__sort",))
    area = tables.Column(verbose_name=_("管辖区域"), order_by=("area__code",))
    batch = tables.Column(verbose_name=_("认定批次"), default="—")
    recognized_on = tables.DateColumn(verbose_name=_("认定日期"), format="Y-m-d")
    recognized_until = tables.DateColumn(verbose_name=_("认定截止日期"), format="Y-m-d", default="—")
    linked = tables.Column(
        verbose_name=_("当日联系组织数"),
        empty_values=(),
        orderable=False,
        attrs=NUMERIC_ATTRS,
    )

    class Meta(BaseTable.Meta):
        model = Hub
        fields = ("organization", "level", "system", "area", "batch", "recognized_on", "recognized_until", "linked")

    export_only = (
        "organization__name", "level", "system__name", "area__name", "batch", "recognized_on", "recognized_until"
    )  # fmt: skip

    def __init__(self, *args, day, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.day, self.user, self.linked_counts = day, user, None

    def before_export(self, records):
        self.linked_counts = hub_linked_counts(day=self.day, user=self.user, hubs=[record.pk for record in records])

    def render_linked(self, record):
        if self.linked_counts is None:  # the page's hubs only, not the city's thousand
            self.linked_counts = hub_linked_counts(
                day=self.day, user=self.user, hubs=[hub.pk for hub in self.page_records()]
            )
        return f"{self.linked_counts.get(record.pk, 0):,}"

    def value_linked(self, record):
        return self.linked_counts.get(record.pk, 0)


class LinkTable(BaseTable):
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

    class Meta(BaseTable.Meta):
        model = Link
        fields = ("hub", "organization", "role", "start_date", "end_date", "basis")

    export_only = ("hub__organization__name", "organization__name", "role", "start_date", "end_date", "basis")
