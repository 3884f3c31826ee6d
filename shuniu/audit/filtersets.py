from datetime import datetime, time, timedelta

import django_filters
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shuniu.core.filtersets import BaseFilterSet, ChoicesFilter
from shuniu.core.forms import DateInput

from . import registry
from .models import ObjectChange


def model_choices():
    """(app_label.model_name, verbose name) of every model the log holds records of: those it follows, and those a
    module excludes from following whose events it still records (an import job's `import` event)."""
    from django.apps import apps

    from shuniu.core.modules import modules

    excluded = [
        apps.get_model(name if "." in name else f"{module.app_label}.{name}")
        for module in modules()
        for name in module.audit.excluded
    ]
    models = [*registry.audited_models(), *excluded]
    return sorted(((registry.label(m), str(m._meta.verbose_name)) for m in models), key=lambda choice: choice[1])


def _day_start(day):
    return timezone.make_aware(datetime.combine(day, time.min))


class ObjectChangeFilterSet(BaseFilterSet):
    """The audit search: who, what, which kind of record, when, which request, which record."""

    user = django_filters.ModelChoiceFilter(queryset=get_user_model().objects.order_by("username"), label=_("用户"))
    user_name = django_filters.CharFilter(lookup_expr="contains", label=_("用户名包含"))
    action = ChoicesFilter(choices=registry.action_choices, label=_("操作"))
    model = django_filters.ChoiceFilter(choices=model_choices, method="filter_model", label=_("记录类型"))
    object_id = django_filters.NumberFilter(label=_("记录编号"))
    since = django_filters.DateFilter(method="filter_since", label=_("起始日期"), widget=DateInput())
    until = django_filters.DateFilter(method="filter_until", label=_("截止日期"), widget=DateInput())
    request_id = django_filters.UUIDFilter(label=_("请求编号"))

    class Meta:
        model = ObjectChange
        fields = ["q", "user", "user_name", "action", "model", "object_id", "since", "until", "request_id"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.search(value) if value else queryset

    def filter_model(self, queryset, name, value):
        app_label, _sep, model_name = value.partition(".")
        return queryset.filter(content_type__app_label=app_label, content_type__model=model_name)

    def filter_since(self, queryset, name, value):
        return queryset.filter(time__gte=_day_start(value))

    def filter_until(self, queryset, name, value):
        return queryset.filter(time__lt=_day_start(value + timedelta(days=1)))
