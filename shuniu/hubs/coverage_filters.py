"""The filters hubs adds to the organizations' list (`module.py`: `Module.filters`): the hubs that linked an
organization, and coverage on a date — by any hub, or by the hubs of a level, a system or one hub. The coverage
figures' drill-downs are these filters."""

import django_filters
from django.utils.translation import gettext_lazy as _

from shuniu.core.dates import AsOfFilter
from shuniu.core.forms import DateInput
from shuniu.core.lookups import RecordSelect

from .choices import HubLevel
from .models import Hub, System
from .selectors import organizations_covered_on, organizations_uncovered_on


class OrganizationCoverageFilters(django_filters.FilterSet):
    hub = django_filters.ModelChoiceFilter(
        field_name="links__hub",
        queryset=Hub.objects.choices(),
        widget=RecordSelect(),
        distinct=True,
        label=_("曾联系的枢纽"),
    )
    covered_on = AsOfFilter(method="filter_coverage", label=_("已覆盖于"), widget=DateInput())
    uncovered_on = AsOfFilter(method="filter_coverage", label=_("未覆盖于"), widget=DateInput())
    covered_by_level = django_filters.ChoiceFilter(
        choices=HubLevel.choices, method="filter_nothing", label=_("覆盖枢纽层级")
    )
    covered_by_system = django_filters.ModelChoiceFilter(
        queryset=System.objects.all(), method="filter_nothing", label=_("覆盖枢纽条线")
    )
    covered_by_hub = django_filters.ModelChoiceFilter(
        queryset=Hub.objects.choices(), method="filter_nothing", label=_("覆盖枢纽"), widget=RecordSelect()
    )

    def filter_nothing(self, queryset, name, value):
        return queryset  # read by filter_coverage

    def filter_coverage(self, queryset, name, value):
        """Covered (or not) on a date, by any hub or by the hubs of the chosen level, system or hub: the selectors'
        definition applied to the list's own queryset, so the figure's drill-down lists exactly its rows."""
        selector = organizations_covered_on if name == "covered_on" else organizations_uncovered_on
        data = self.form.cleaned_data
        return selector(
            day=value,
            level=data.get("covered_by_level") or None,
            system=data.get("covered_by_system"),
            hub=data.get("covered_by_hub"),
            among=queryset,  # the list's rows narrowed in place: a correlated (NOT) EXISTS, no `pk IN (…)` around it
        )
