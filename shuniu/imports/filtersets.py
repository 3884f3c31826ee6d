import django_filters
from django.utils.translation import gettext_lazy as _

from shuniu.core.filtersets import BaseFilterSet

from .choices import ImportStatus
from .models import ImportJob
from .registry import kind_choices


class ImportJobFilterSet(BaseFilterSet):
    kind = django_filters.ChoiceFilter(choices=kind_choices, label=_("导入类型"))
    status = django_filters.ChoiceFilter(choices=ImportStatus.choices, label=_("状态"))

    class Meta:
        model = ImportJob
        fields = ["q", "kind", "status"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return (
            queryset.filter(filename__contains=value) | queryset.filter(sha256__startswith=value.lower())
            if value
            else queryset
        )
