import django_filters
from django.utils.translation import gettext_lazy as _

from .access import restrict_choices


class ChoicesFilter(django_filters.MultipleChoiceFilter):
    """One or more values of a column of the listed records (类型 = 社会团体 or 基金会). django-filter makes every
    multiple-choice filter SELECT DISTINCT, in case it follows a relation; over a column a row matches once, and
    DISTINCT over every column of 92,000 links took 200 ms to sort, and as long again to count."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("distinct", False)
        super().__init__(*args, **kwargs)


class BaseFilterSet(django_filters.FilterSet):
    """Every FilterSet: `q` is the free-text search, delegated to the queryset's `search()`. The filters come in the
    order of `Meta.fields`, then those other modules add (`core.modules.Module.filters`, through `extended`)."""

    q = django_filters.CharFilter(method="filter_q", label=_("搜索"))

    @classmethod
    def get_filters(cls):
        filters = super().get_filters()
        fields = cls._meta.fields if isinstance(cls._meta.fields, list | tuple) else ()
        ordered = {name: filters[name] for name in fields if name in filters}
        ordered.update(filters)
        return ordered

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.request is not None:
            restrict_choices(self.filters, self.request.user)

    def filter_q(self, queryset, name, value):
        return queryset.search(value) if value.strip() else queryset


def extended(model_label: str) -> tuple[type, ...]:
    """The bases a model's FilterSet takes so that the filters other modules declare for its list are its own:
    `class OrganizationFilterSet(*extended("organizations.organization"), BaseFilterSet)`."""
    from .modules import filter_extensions

    return filter_extensions(model_label)
