import django_filters
from django.utils.translation import gettext_lazy as _

from .access import restrict_choices


class BaseFilterSet(django_filters.FilterSet):
    """Every FilterSet: `q` is the free-text search, delegated to the queryset's `search()`."""

    q = django_filters.CharFilter(method="filter_q", label=_("搜索"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.request is not None:
            restrict_choices(self.filters, self.request.user)

    def filter_q(self, queryset, name, value):
        return queryset.search(value) if value.strip() else queryset
