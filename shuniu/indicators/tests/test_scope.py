"""Dashboard figures in the user's scope: the same definitions, counted over the organizations the user may see,
each equal to its drill-down list, and the trend for a scope finer than a district counted live."""

import pytest

from shuniu.accounts.testing import user_with_role
from shuniu.areas.models import Area
from shuniu.indicators import selectors
from shuniu.organizations.models import Organization

from .scenario import DAY, build_scenario

pytestmark = pytest.mark.django_db


def test_a_district_officer_sees_the_figures_of_the_district(admin_user):
    build_scenario()
    chaoyang = Area.objects.get(code="110105")
    user = user_with_role("district-office", area=chaoyang)
    city, own = selectors.coverage_overview(day=DAY, user=admin_user), selectors.coverage_overview(day=DAY, user=user)
    chaoyang_row = next(figure for figure in city["districts"] if figure.key == "110105")
    assert (own["total"].numerator, own["total"].denominator) == (chaoyang_row.numerator, chaoyang_row.denominator)
    assert own["total"].denominator < city["total"].denominator
    assert str(own["total"].label) == "朝阳区" and [figure.key for figure in own["districts"]] == ["110105"]
    # each figure equals its drill-down list, which holds only the district's organizations
    covered = selectors.organizations_counted_on(day=DAY, user=user)
    assert covered.count() == own["total"].denominator
    assert set(covered.values_list("district__code", flat=True)) == {"110105"}
    # the stored trend, summed over the district, ends where the live figure does
    trend = own["trend"]
    assert trend[-1].denominator == own["total"].denominator
    city_trend = selectors.coverage_trend(until=DAY, user=admin_user)
    assert all(mine.denominator <= whole.denominator for mine, whole in zip(trend, city_trend, strict=True))


def test_a_street_officer_gets_a_live_trend_of_the_street(admin_user):
    build_scenario()
    street = Area.objects.filter(parent__code="110105", street_organizations__isnull=False).first()
    user = user_with_role("street-office", area=street)
    trend = selectors.coverage_trend(until=DAY, user=user)
    in_street = Organization.objects.filter(street=street)
    for point in trend:
        active = in_street.filter(founded_on__lte=point.day).exclude(active_until__lt=point.day).count()
        assert point.denominator == active, point.day
    assert str(trend[-1].label) == str(DAY)


@pytest.mark.parametrize("role", ["street-office", "hub-staff", "organization"])
def test_a_scope_finer_than_a_district_gets_each_year_end_as_its_live_figure(admin_user, role):
    """The year ends of a street's, a hub's or an organization's trend are counted in one statement (on PostgreSQL,
    the stored trend's bit masks over the scope's organizations): each equals the figure counted on its own day."""
    from shuniu.hubs.models import Hub

    build_scenario()
    street = Area.objects.filter(parent__code="110105", street_organizations__isnull=False).first()
    hub = Hub.objects.filter(links__isnull=False).first()
    organization = Organization.objects.filter(links__isnull=False).first()
    place = {"street-office": {"area": street}, "hub-staff": {"organization": hub.organization}}
    user = user_with_role(role, **place.get(role, {"organization": organization}))
    trend = selectors.coverage_trend(until=DAY, user=user)
    assert len(trend) > 5 and any(point.numerator for point in trend)
    for point in trend:
        live = selectors.coverage_total(day=point.day, user=user)
        assert (point.numerator, point.denominator) == (live.numerator, live.denominator), point.day


def test_the_dashboard_page_names_the_scope(client):
    build_scenario()
    user = user_with_role("district-office", area=Area.objects.get(code="110105"))
    client.force_login(user)
    page = client.get("/", {"as_of": DAY.isoformat()}).content.decode()
    assert "朝阳区枢纽型社会组织覆盖率" in page and "海淀区" not in page


def test_hubs_by_level_counts_the_hubs_of_the_users_areas_not_those_seen_through_a_link():
    """The district office sees the other district's hub that serves one of its organizations, and can open it; the
    dashboard's "hubs by level" still counts the district's own hubs and those above it."""
    from datetime import date

    from shuniu.core.tests.access_cases import build_world, make_user
    from shuniu.hubs.choices import LinkRole
    from shuniu.hubs.models import Hub
    from shuniu.hubs.tests.factories import LinkFactory

    world = build_world()
    LinkFactory(hub=world.hub_b, organization=world.a, role=LinkRole.SERVE, start_date=date(2017, 1, 1))
    user = make_user(world, "district-office")
    assert Hub.objects.restrict(user).filter(pk=world.hub_b.pk).exists()
    assert selectors.hub_counts_by_level(day=date(2018, 1, 1), user=user) == {"district": 1}
