import django_filters
from django.utils.translation import gettext_lazy as _


class BaseFilterSet(django_filters.FilterSet):
    """Every FilterSet: `q` is the free-text search, delegated to the queryset's `search()`."""

    q = django_filters.CharFilter(method="filter_q", label=_("搜索"))

    def filter_q(self, queryset, name, value):
        return queryset.search(value) if value.strip() else queryset
