import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from shuniu.areas.models import Area
from shuniu.core.dates import AsOfFilter
from shuniu.core.filtersets import BaseFilterSet
from shuniu.hubs.choices import HubLevel
from shuniu.hubs.models import Hub, System
from shuniu.hubs.selectors import organizations_covered_on, organizations_uncovered_on

from .choices import OrganizationKind, OrganizationStatus
from .models import Field, Organization

DATE_WIDGET = forms.DateInput(attrs={"type": "date"})


class OrganizationFilterSet(BaseFilterSet):
    """Shared by the organization list page, the drill-downs of every coverage figure, and the API."""

    def filter_q(self, queryset, name, value):
        user = self.request.user if self.request is not None else None
        return queryset.search(value, user=user) if value.strip() else queryset

    kind = django_filters.MultipleChoiceFilter(choices=OrganizationKind.choices, label=_("类型"))
    status = django_filters.MultipleChoiceFilter(choices=OrganizationStatus.choices, label=_("状态"))
    district = django_filters.ModelChoiceFilter(queryset=Area.objects.districts(), label=_("所属区"))
    street = django_filters.ModelChoiceFilter(queryset=Area.objects.streets(), label=_("所属街道/乡镇"))
    field = django_filters.ModelChoiceFilter(field_name="fields", queryset=Field.objects.all(), label=_("领域"))
    uscc = django_filters.CharFilter(field_name="uscc", lookup_expr="startswith", label=_("统一社会信用代码前缀"))
    hub = django_filters.ModelChoiceFilter(
        field_name="links__hub",
        queryset=Hub.objects.select_related("organization"),
        distinct=True,
        label=_("曾联系的枢纽"),
    )
    active_on = AsOfFilter(method="filter_active_on", label=_("存续于"), widget=DATE_WIDGET)
    covered_on = AsOfFilter(method="filter_coverage", label=_("已覆盖于"), widget=DATE_WIDGET)
    uncovered_on = AsOfFilter(method="filter_coverage", label=_("未覆盖于"), widget=DATE_WIDGET)
    covered_by_level = django_filters.ChoiceFilter(
        choices=HubLevel.choices, method="filter_nothing", label=_("覆盖枢纽层级")
    )
    covered_by_system = django_filters.ModelChoiceFilter(
        queryset=System.objects.all(), method="filter_nothing", label=_("覆盖枢纽条线")
    )
    covered_by_hub = django_filters.ModelChoiceFilter(
        queryset=Hub.objects.select_related("organization"), method="filter_nothing", label=_("覆盖枢纽")
    )

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
            "hub",
            "active_on",
            "covered_on",
            "uncovered_on",
            "covered_by_level",
            "covered_by_system",
            "covered_by_hub",
        ]

    def filter_active_on(self, queryset, name, value):
        return queryset.on(value)

    def filter_nothing(self, queryset, name, value):
        return queryset  # read by filter_coverage

    def filter_coverage(self, queryset, name, value):
        """Covered (or not) on a date, by any hub or by the hubs of the chosen level, system or hub."""
        selector = organizations_covered_on if name == "covered_on" else organizations_uncovered_on
        data = self.form.cleaned_data
        matching = selector(
            day=value,
            level=data.get("covered_by_level") or None,
            system=data.get("covered_by_system"),
            hub=data.get("covered_by_hub"),
        )
        return queryset.filter(pk__in=matching.values("pk"))
