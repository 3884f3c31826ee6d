"""Figures served from what the last write left (`indicators/cache.py`): a figure is counted once per data version
and read from the cache until a write — in the write's own transaction — moves the version; the key holds the date,
the user's scope and the filters, so no user reads another's figures; a GET never recomputes the stored trend."""

import os
from datetime import date

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shuniu.accounts.testing import user_with_role
from shuniu.areas.models import Area
from shuniu.hubs.tests.factories import LinkFactory
from shuniu.indicators import registry, selectors
from shuniu.indicators.models import IndicatorState, StoredFigure
from shuniu.organizations.tests.factories import field

from .scenario import DAY, build_scenario

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("indicators:dashboard")
#: the dashboard's one statement over the records (`selectors.coverage_overview`)
OVERVIEW = "WITH p AS"


def version() -> str:
    return IndicatorState.objects.get(indicator=registry.COVERAGE).version


def get_dashboard(client, day=DAY):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(DASHBOARD, {"as_of": day.isoformat()})
    assert response.status_code == 200
    statements = [query["sql"] for query in captured.captured_queries]
    return response, statements


def counted(statements) -> int:
    return sum(OVERVIEW in sql for sql in statements)


@pytest.fixture
def scenario(django_capture_on_commit_callbacks):
    """The scenario, committed, its stored trend refreshed; the figures cache empty."""
    with django_capture_on_commit_callbacks(execute=True):
        built = build_scenario()
    caches["figures"].clear()
    return built


def test_a_second_dashboard_get_reads_the_kept_figures_and_counts_nothing(admin_client, scenario):
    first, statements = get_dashboard(admin_client)
    assert counted(statements) == 1
    second, again = get_dashboard(admin_client)
    assert counted(again) == 0
    # pinned: session, user, the fill state (its version), systems, the statement, stored trend, districts, fields
    # and hubs by level; then the same without the statement and the stored trend
    assert (len(statements), len(again)) == (9, 7)
    assert second.context["total"] == first.context["total"]
    assert [(f.key, f.numerator, f.denominator) for f in second.context["districts"]] == [
        (f.key, f.numerator, f.denominator) for f in first.context["districts"]
    ]


def test_a_write_followed_by_a_dashboard_get_shows_the_new_figure_and_the_get_recomputes_no_stored_day(
    admin_client, scenario, django_capture_on_commit_callbacks
):
    before, _statements = get_dashboard(admin_client)
    kept_version = version()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:  # the refresh has not run yet
        LinkFactory(hub=scenario["hubs"][0], organization=scenario["orgs"][11], start_date=date(2014, 2, 1))
    assert version() != kept_version and callbacks  # the write moved the version; its refresh waits in the queue
    stored_before = list(StoredFigure.objects.order_by("pk").values_list("pk", "numerator", "denominator"))

    after, statements = get_dashboard(admin_client)
    assert writes_of(statements) == []
    assert after.context["total"].numerator == before.context["total"].numerator + 1
    live = selectors.coverage_total(day=DAY, user=None)
    assert (after.context["total"].numerator, after.context["total"].denominator) == (live.numerator, live.denominator)
    # the stale year ends are counted live for the page, not stored by it: the refresh does that, in the background
    assert after.context["trend_pending"] is not None
    assert after.context["trend"][-2].numerator == selectors.coverage_total(day=date(2014, 12, 31), user=None).numerator
    assert list(StoredFigure.objects.order_by("pk").values_list("pk", "numerator", "denominator")) == stored_before


def writes_of(statements) -> list[str]:
    return [sql for sql in statements if sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]


def test_a_write_rolled_back_leaves_the_kept_figures_valid(admin_client, scenario):
    from django.db import transaction

    get_dashboard(admin_client)
    kept_version = version()
    with pytest.raises(RuntimeError), transaction.atomic():
        LinkFactory(hub=scenario["hubs"][0], organization=scenario["orgs"][11], start_date=date(2014, 2, 1))
        raise RuntimeError
    assert version() == kept_version
    _response, statements = get_dashboard(admin_client)
    assert counted(statements) == 0


def test_each_scope_and_date_has_its_own_figures(client, admin_client, scenario):
    get_dashboard(admin_client)  # the city's figures, kept
    chaoyang = Area.objects.get(code="110105")
    client.force_login(user_with_role("district-office", area=chaoyang))
    district, statements = get_dashboard(client)
    assert counted(statements) == 1  # not the city's
    city = selectors.coverage_overview(day=DAY, user=None)
    row = next(figure for figure in city["districts"] if figure.key == "110105")
    assert (district.context["total"].numerator, district.context["total"].denominator) == (
        row.numerator,
        row.denominator,
    )
    _other_day, statements = get_dashboard(admin_client, day=date(2012, 6, 30))
    assert counted(statements) == 1


def test_a_change_of_an_organizations_fields_changes_the_figures_by_field(admin_client, scenario):
    before, _statements = get_dashboard(admin_client)
    kept_version = version()
    organization = scenario["orgs"][0]  # covered; education and culture
    organization.fields.add(field("elderly"))
    assert version() != kept_version
    after, statements = get_dashboard(admin_client)
    assert counted(statements) == 1

    def elderly(response):
        return next(f.numerator for f in response.context["fields"] if f.key == "elderly")

    assert elderly(after) == elderly(before) + 1


def test_the_refresh_moves_the_version_so_that_the_trend_reads_what_it_stored(scenario):
    kept_version = version()
    from shuniu.indicators import services

    services.refresh(force=True)
    assert version() != kept_version


@pytest.mark.parametrize("backend", ["file", "redis"])
def test_the_configured_caches_keep_and_return_the_figures(admin_client, scenario, backend, tmp_path):
    if backend == "file":
        figures = {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(tmp_path)}
    else:
        redis = pytest.importorskip("redis")
        try:
            redis.Redis.from_url("redis://127.0.0.1:6379/15").ping()
        except redis.exceptions.ConnectionError:
            if os.environ.get("CI") == "true":  # CI has Redis: the production cache is tested there, never skipped
                raise
            pytest.skip("no Redis at 127.0.0.1:6379")
        figures = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:6379/15"}
    with override_settings(
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}, "figures": figures}
    ):
        caches["figures"].clear()
        try:
            first, statements = get_dashboard(admin_client)
            assert counted(statements) == 1
            second, again = get_dashboard(admin_client)
            assert counted(again) == 0 and second.context["total"] == first.context["total"]
        finally:
            caches["figures"].clear()
