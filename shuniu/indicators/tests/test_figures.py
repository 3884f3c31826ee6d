"""Every figure equals the row count of the list it links to; the gap equals the row count of the worklist."""

from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.http import QueryDict
from django.urls import resolve

from shuniu.indicators import selectors
from shuniu.indicators.figures import Growth
from shuniu.organizations.filtersets import OrganizationFilterSet
from shuniu.organizations.models import Organization

from .scenario import DAY, build_scenario

pytestmark = pytest.mark.django_db


def list_count(url: str) -> int:
    """Rows of the organization list behind a figure's link, through the same FilterSet the page uses."""
    parts = urlsplit(url)
    assert resolve(parts.path).url_name in ("organization_list", "organization_uncovered")
    filterset = OrganizationFilterSet(QueryDict(parts.query), queryset=Organization.objects.all())
    assert filterset.is_valid(), filterset.errors
    return filterset.qs.count()


def assert_figure_matches_lists(figure):
    assert figure.numerator == list_count(figure.covered_url()), figure
    assert figure.gap == list_count(figure.uncovered_url()), figure


def test_headline_counts_the_scenario(admin_user):
    build_scenario()
    total = selectors.coverage_total(day=DAY, user=admin_user)
    # 18 counted (the future org and the one dissolved on the day are not); covered: 0, 1, 4, 5, 7
    assert (total.numerator, total.denominator) == (5, 18)
    assert total.rate == Decimal("27.78")
    assert_figure_matches_lists(total)


@pytest.mark.parametrize("dimension", selectors.DIMENSIONS)
def test_each_figure_equals_its_lists(admin_user, dimension):
    build_scenario()
    figures = selectors.coverage_by(dimension=dimension, day=DAY, user=admin_user)
    assert figures
    assert any(figure.numerator for figure in figures)
    for figure in figures:
        assert_figure_matches_lists(figure)


def test_district_figures_add_up_to_the_headline(admin_user):
    build_scenario()
    total = selectors.coverage_total(day=DAY, user=admin_user)
    districts = selectors.coverage_by_district(day=DAY, user=admin_user)
    assert sum(f.numerator for f in districts) == total.numerator
    assert sum(f.denominator for f in districts) == total.denominator


def test_trend_points_equal_live_figures(admin_user):
    build_scenario()
    trend = selectors.coverage_trend(until=DAY, user=admin_user)
    assert [f.day.year for f in trend[:-1]] == list(range(2008, 2015))
    for figure in trend:
        live = selectors.coverage_total(day=figure.day, user=admin_user)
        assert (figure.numerator, figure.denominator) == (live.numerator, live.denominator)
        assert_figure_matches_lists(figure)


def test_stored_trend_follows_a_new_link(admin_user):
    scenario = build_scenario()
    before = selectors.coverage_trend(until=DAY, user=admin_user)[-2]  # 2014-12-31
    from datetime import date

    from shuniu.hubs.tests.factories import LinkFactory

    LinkFactory(hub=scenario["hubs"][0], organization=scenario["orgs"][11], start_date=date(2014, 2, 1))
    after = selectors.coverage_trend(until=DAY, user=admin_user)[-2]
    assert after.numerator == before.numerator + 1


def test_hub_linked_counts_match_the_hub_list(admin_user):
    scenario = build_scenario()
    counts = selectors.hub_linked_counts(day=DAY, user=admin_user)
    for hub in scenario["hubs"]:
        expected = list_count(f"/organizations/?covered_on={DAY}&covered_by_hub={hub.pk}")
        assert counts.get(hub.pk, 0) == expected
    assert counts.get(scenario["hubs"][2].pk, 0) == 0  # revoked before the day


def test_growth_reproduces_the_seed_arithmetic():
    """The published figures: 358 → 11,977 is 33.5 times (an increase of 32.5 times); union, youth league and women's
    federation, 46 → 10,965, are 91.55 % of the total and 93.98 % of the increase."""
    total = Growth(start=358, end=11_977)
    three_systems = Growth(start=46, end=10_965)
    assert total.multiple == Decimal("33.5")
    assert total.increase_multiple == Decimal("32.5")
    assert total.share_of_total(three_systems) == Decimal("91.55")
    assert total.share_of_increase(three_systems) == Decimal("93.98")


def test_growth_selector_counts_systems(admin_user):
    build_scenario()
    from datetime import date

    growth = selectors.coverage_growth(start=date(2009, 3, 31), end=DAY, user=admin_user, level="city")
    assert (growth["total"].start, growth["total"].end) == (1, 2)
    rows = {row["system"].code: row for row in growth["systems"]}
    assert (rows["youth_league"]["growth"].start, rows["youth_league"]["growth"].end) == (1, 2)
    assert rows["youth_league"]["share_of_total"] == Decimal("100.00")
