import django_filters
from django.utils.translation import gettext_lazy as _

from shuniu.core.filtersets import BaseFilterSet, ChoicesFilter

from ..choices import AreaLevel
from ..models import Area


class AreaFilterSet(BaseFilterSet):
    """The API's area filters (the area pages list districts and streets without a filter form)."""

    level = ChoicesFilter(choices=AreaLevel.choices, label=_("层级"))
    parent = django_filters.ModelChoiceFilter(queryset=Area.objects.all(), label=_("上级"))
    code = django_filters.CharFilter(label=_("区划代码"))

    class Meta:
        model = Area
        fields = ["q", "level", "parent", "code"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(name__contains=value) if value else queryset
