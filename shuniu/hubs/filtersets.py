import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shuniu.areas.models import Area
from shuniu.core.dates import AsOfFilter
from shuniu.core.filtersets import BaseFilterSet, ChoicesFilter
from shuniu.core.forms import DateInput
from shuniu.core.lookups import RecordSelect
from shuniu.organizations.filtersets import OrganizationFilterSet
from shuniu.organizations.models import Field, Organization

from .choices import HubLevel, LinkRole
from .models import Hub, Link, System


class HubFilterSet(BaseFilterSet):
    level = ChoicesFilter(choices=HubLevel.choices, label=_("层级"))
    system = django_filters.ModelChoiceFilter(queryset=System.objects.all(), label=_("条线"))
    area = django_filters.ModelChoiceFilter(queryset=Area.objects.all(), label=_("管辖区域"), widget=RecordSelect())
    field = django_filters.ModelChoiceFilter(field_name="fields", queryset=Field.objects.all(), label=_("领域"))
    recognized_on = AsOfFilter(method="filter_recognized_on", label=_("认定有效于"), widget=DateInput())

    class Meta:
        model = Hub
        fields = ["q", "level", "system", "area", "field", "recognized_on", "batch"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(organization__name__contains=value.strip()) if value.strip() else queryset

    def filter_recognized_on(self, queryset, name, value):
        return queryset.on(value)


class LinkFilterSet(BaseFilterSet):
    hub = django_filters.ModelChoiceFilter(queryset=Hub.objects.choices(), label=_("枢纽"), widget=RecordSelect())
    organization = django_filters.ModelChoiceFilter(
        queryset=Organization.objects.only("pk", "name"),
        label=_("组织"),
        widget=RecordSelect(),
    )
    role = ChoicesFilter(choices=LinkRole.choices, label=_("关系"))
    valid_on = AsOfFilter(method="filter_valid_on", label=_("有效于"), widget=DateInput())

    class Meta:
        model = Link
        fields = ["q", "hub", "organization", "role", "valid_on"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(hub__organization__name__contains=value) | Q(organization__name__contains=value))

    def filter_valid_on(self, queryset, name, value):
        return queryset.on(value)


class UncoveredOrganizationFilterSet(OrganizationFilterSet):
    """The uncovered worklist's filters, the organization list's: its date is required (left empty, the page says so
    instead of listing everyone)."""

    uncovered_on = AsOfFilter(method="filter_coverage", label=_("未覆盖于"), widget=DateInput(), required=True)
