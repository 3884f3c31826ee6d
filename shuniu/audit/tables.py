import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from shuniu.core.tables import NUMERIC_ATTRS, BaseTable

from .display import changed_labels
from .models import ObjectChange
from .templatetags.audit import changelog_url


class ObjectChangeTable(BaseTable):
    time = tables.DateTimeColumn(verbose_name=_("时间"), format="Y-m-d H:i:s")
    user_name = tables.Column(verbose_name=_("用户"))
    action = tables.Column(verbose_name=_("操作"))
    content_type = tables.Column(verbose_name=_("记录类型"), accessor="content_type__model", orderable=False)
    object_repr = tables.Column(verbose_name=_("记录"))
    object_id = tables.Column(verbose_name=_("记录编号"), attrs=NUMERIC_ATTRS)
    related_object_repr = tables.Column(verbose_name=_("相关记录"), default="—", orderable=False)
    changed = tables.Column(verbose_name=_("变更字段"), empty_values=(), orderable=False)
    message = tables.Column(verbose_name=_("说明"), default="—", orderable=False)
    request_id = tables.Column(verbose_name=_("请求编号"), orderable=False)

    class Meta(BaseTable.Meta):
        model = ObjectChange
        fields = (
            "time",
            "user_name",
            "action",
            "content_type",
            "object_repr",
            "object_id",
            "related_object_repr",
            "changed",
            "message",
            "request_id",
        )
        order_by = ("-time",)

    def render_content_type(self, record):
        return self.value_content_type(record)

    def value_content_type(self, record):
        model = record.content_type.model_class()
        return str(model._meta.verbose_name) if model else record.content_type.model

    def render_object_repr(self, record, value):
        url = changelog_url(record.model, record.object_id) if record.object_id is not None else None
        return format_html('<a href="{}">{}</a>', url, value) if url else value

    def render_changed(self, record):
        return changed_labels(record) or "—"

    def value_changed(self, record):
        return changed_labels(record)

    def render_request_id(self, value):
        text = str(value)
        return format_html('<span class="font-monospace small" title="{}">{}</span>', text, text[:8])

    def export_queryset(self, queryset):
        return queryset.select_related("content_type")
