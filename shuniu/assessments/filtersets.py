import django_filters
from django.utils.translation import gettext_lazy as _

from shuniu.core.dates import AsOfFilter
from shuniu.core.filtersets import BaseFilterSet, ChoicesFilter
from shuniu.core.forms import DateInput
from shuniu.core.lookups import RecordSelect
from shuniu.organizations.models import Organization

from .choices import Grade, InspectionResult
from .models import AnnualInspection, GradeEvaluation


class OrganizationFilterMixin(django_filters.FilterSet):
    organization = django_filters.ModelChoiceFilter(
        queryset=Organization.objects.only("pk", "name"),
        label=_("组织"),
        widget=RecordSelect(),
    )

    def filter_q(self, queryset, name, value):
        return queryset.filter(organization__name__contains=value.strip()) if value.strip() else queryset


class AnnualInspectionFilterSet(OrganizationFilterMixin, BaseFilterSet):
    year = django_filters.NumberFilter(label=_("年度"), min_value=1900, max_value=9999)
    result = ChoicesFilter(choices=InspectionResult.choices, label=_("年检结论"))

    class Meta:
        model = AnnualInspection
        fields = ["q", "organization", "year", "result"]


class GradeEvaluationFilterSet(OrganizationFilterMixin, BaseFilterSet):
    grade = ChoicesFilter(choices=Grade.choices, label=_("评估等级"))
    valid_on = AsOfFilter(method="filter_valid_on", label=_("有效于"), widget=DateInput())

    class Meta:
        model = GradeEvaluation
        fields = ["q", "organization", "grade", "valid_on", "body"]

    def filter_valid_on(self, queryset, name, value):
        return queryset.on(value)
