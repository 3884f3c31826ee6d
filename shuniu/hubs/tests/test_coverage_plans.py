"""The coverage filter's form (issue 12, point 4): "covered / uncovered on D" is a correlated EXISTS / NOT EXISTS,
which PostgreSQL runs as a semi / anti join. The old `NOT IN (subquery)` became, past work_mem, a subplan re-run
for every organization (minutes at 100,000 organizations); the plan must not contain one, whatever the planner
expects. The list's filter narrows the list's own rows to exactly the selector's."""

from datetime import date

import pytest
from django.db import connection
from django.test import RequestFactory

from shuniu.hubs.selectors import organizations_covered_on, organizations_uncovered_on
from shuniu.hubs.tests.factories import HubFactory, LinkFactory
from shuniu.organizations.filtersets import OrganizationFilterSet
from shuniu.organizations.models import Organization
from shuniu.organizations.tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db
DAY = date(2019, 12, 31)


@pytest.fixture
def registry():
    hub = HubFactory()
    covered = [LinkFactory(hub=hub, start_date=date(2015, 1, 1)).organization for _ in range(3)]
    ended = LinkFactory(hub=hub, start_date=date(2015, 1, 1), end_date=date(2019, 12, 30)).organization
    unlinked = OrganizationFactory()
    return {"covered": {o.pk for o in covered}, "uncovered": {ended.pk, unlinked.pk}}


def _filtered(admin_user, **data):
    request = RequestFactory().get("/")
    request.user = admin_user
    filterset = OrganizationFilterSet(data, queryset=Organization.objects.all(), request=request)
    assert filterset.is_valid(), filterset.errors
    return filterset.qs


def test_the_lists_filter_gives_the_selectors_organizations(registry, admin_user):
    assert set(organizations_covered_on(day=DAY).values_list("pk", flat=True)) == registry["covered"]
    assert set(organizations_uncovered_on(day=DAY).values_list("pk", flat=True)) == registry["uncovered"]
    assert set(_filtered(admin_user, covered_on=DAY.isoformat()).values_list("pk", flat=True)) == registry["covered"]
    uncovered = _filtered(admin_user, uncovered_on=DAY.isoformat())
    assert set(uncovered.values_list("pk", flat=True)) == registry["uncovered"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans")
def test_no_subplan_per_organization_even_when_the_planner_expects_many_ids(registry, admin_user):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '64kB'")  # the smallest: a hashed IN list would not be expected to fit
    for queryset in (
        _filtered(admin_user, uncovered_on=DAY.isoformat()),
        _filtered(admin_user, covered_on=DAY.isoformat()),
        organizations_uncovered_on(day=DAY),
    ):
        plan = queryset.explain()
        assert "SubPlan" not in plan and ("Anti Join" in plan or "Semi Join" in plan), plan
