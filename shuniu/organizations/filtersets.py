import django_filters
from django.utils.translation import gettext_lazy as _

from shuniu.areas.models import Area
from shuniu.core.dates import AsOfFilter
from shuniu.core.filtersets import BaseFilterSet, ChoicesFilter, extended
from shuniu.core.forms import DateInput
from shuniu.core.lookups import RecordSelect

from .choices import OrganizationKind, OrganizationStatus
from .models import Field, Organization


class OrganizationFilterSet(*extended("organizations.organization"), BaseFilterSet):
    """Shared by the organization list page, the drill-downs of every coverage figure, and the API; other modules
    add their filters (hubs: coverage on a date, `Module.filters`)."""

    def filter_q(self, queryset, name, value):
        user = self.request.user if self.request is not None else None
        return queryset.search(value, user=user) if value.strip() else queryset

    kind = ChoicesFilter(choices=OrganizationKind.choices, label=_("类型"))
    status = ChoicesFilter(choices=OrganizationStatus.choices, label=_("状态"))
    district = django_filters.ModelChoiceFilter(queryset=Area.objects.districts(), label=_("所属区"))
    street = django_filters.ModelChoiceFilter(
        queryset=Area.objects.streets(), label=_("所属街道/乡镇"), widget=RecordSelect(lookup="areas.street")
    )
    field = django_filters.ModelChoiceFilter(field_name="fields", queryset=Field.objects.all(), label=_("领域"))
    uscc = django_filters.CharFilter(field_name="uscc", lookup_expr="startswith", label=_("统一社会信用代码前缀"))
    active_on = AsOfFilter(method="filter_active_on", label=_("存续于"), widget=DateInput())

    class Meta:
        model = Organization
        fields = [
            "q",
            "kind",
            "status",
            "district",
            "street",
            "field",
            "uscc",
            "active_on",
        ]

    def filter_active_on(self, queryset, name, value):
        return queryset.on(value)
