import django_tables2 as tables
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from .models import Organization


class OrganizationTable(tables.Table):
    name = tables.Column(linkify=True, verbose_name=_("名称"))
    uscc = tables.Column(verbose_name=_("统一社会信用代码"), empty_values=(None, ""), default="—")
    kind = tables.Column(verbose_name=_("类型"))
    district = tables.Column(verbose_name=_("所属区"), order_by=("district__code",))
    street = tables.Column(verbose_name=_("街道/乡镇"), order_by=("street__code",), default="—")
    fields = tables.Column(verbose_name=_("领域"), orderable=False, empty_values=())
    status = tables.Column(verbose_name=_("状态"))
    founded_on = tables.DateColumn(verbose_name=_("成立日期"), format="Y-m-d")

    class Meta:
        model = Organization
        fields = ("name", "uscc", "kind", "district", "street", "fields", "status", "founded_on")
        attrs = {"class": "table table-sm table-hover align-middle"}
        template_name = "django_tables2/bootstrap5.html"

    def render_fields(self, record):
        return (
            format_html_join(
                "",
                '<span class="badge text-bg-light border me-1">{}</span>',
                ((field.name,) for field in record.fields.all()),
            )
            or "—"
        )

    def render_status(self, record, value):
        css = "success" if record.status == "active" else "secondary"
        return format_html('<span class="badge text-bg-{}">{}</span>', css, value)
