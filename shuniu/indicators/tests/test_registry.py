"""The registry of indicators, the stored trend's fill state, and the rule that reads never write:
- coverage is declared once (`hubs.module.COVERAGE`) and every surface reads that declaration;
- a write marks stored figures stale from the earliest day it affects, in its own transaction, and enqueues their
  refresh after its commit; an edit that changes no date and no scope field marks nothing;
- a dashboard GET and the API's trend GET perform no INSERT, UPDATE or DELETE, stale or missing stored days are
  counted live and the page says since when they are stale."""

import dataclasses
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from shuniu.core.indicators import records_changed
from shuniu.hubs.models import Link
from shuniu.hubs.selectors import coverage_counts_by_district, organizations_covered_on
from shuniu.hubs.tests.factories import LinkFactory
from shuniu.indicators import registry, selectors, stale, stored
from shuniu.indicators.models import IndicatorState, StoredFigure

from .scenario import DAY, build_scenario

pytestmark = pytest.mark.django_db

WRITES = ("INSERT", "UPDATE", "DELETE")


def writes(captured) -> list[str]:
    return [query["sql"] for query in captured.captured_queries if query["sql"].lstrip().upper().startswith(WRITES)]


def coverage_state() -> IndicatorState:
    return IndicatorState.objects.get(indicator=registry.COVERAGE)


def test_coverage_is_declared_once_with_its_dimensions():
    coverage = registry.indicator(registry.COVERAGE)
    assert coverage is registry.indicator()
    assert tuple(dimension.key for dimension in coverage.dimensions) == selectors.DIMENSIONS
    assert coverage.share.holders.endswith("organizations_covered_on")  # "covered on D": one selector
    assert registry.depending_on("hubs.link") == [coverage]
    assert registry.depending_on("areas.area") == []


def test_the_figures_count_what_the_drill_down_selector_lists(admin_user):
    build_scenario()
    coverage = registry.indicator()
    total = selectors.coverage_total(day=DAY, user=admin_user)
    assert total.numerator == organizations_covered_on(day=DAY, user=admin_user).count()
    assert total.numerator == coverage.share.holding(day=DAY, user=admin_user).count()
    assert total.covered_url().startswith(reverse(coverage.drill.list))
    assert "covered_on=2015-06-30" in total.covered_url() and "uncovered_on=2015-06-30" in total.uncovered_url()


def test_an_indicator_without_fast_paths_counts_the_same_through_its_declaration(admin_user):
    """What a module declaring a new share gets without writing SQL: the generic path of the registry."""
    build_scenario()
    coverage = registry.indicator()
    plain = dataclasses.replace(coverage, key="test.plain", fast_paths={})
    days = [date(2012, 12, 31), date(2014, 12, 31), DAY]
    assert stored.counts_by_area(plain, days) == coverage_counts_by_district(days=days)
    for dimension in selectors.DIMENSIONS[2:]:  # by kind, field, level and system
        generic = selectors.figures_by(plain, dimension=dimension, day=DAY, user=admin_user)
        declared = selectors.coverage_by(dimension=dimension, day=DAY, user=admin_user)
        assert [(f.key, f.numerator, f.denominator) for f in generic] == [
            (f.key, f.numerator, f.denominator) for f in declared
        ]


# ---------------------------------------------------------------- stale marking


@pytest.fixture
def refreshed(django_capture_on_commit_callbacks):
    """The scenario, written and committed: its writes enqueued one refresh, which ran after the commit."""
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        scenario = build_scenario()
    assert len([callback for callback in callbacks if hasattr(callback, "refreshes")]) == 1
    state = coverage_state()
    assert state.stale_since is None and state.filled_until == date(timezone.localdate().year - 1, 12, 31)
    return scenario


def test_a_note_edit_marks_nothing_and_reads_the_row_once(refreshed, django_assert_num_queries):
    link = Link.objects.select_related("hub__organization", "organization").get(organization=refreshed["orgs"][1])
    link.note = "电话回访确认"
    # the audit log's read of the stored row (shared with the stale check), the UPDATE, the audit record
    with django_assert_num_queries(3):
        link.save()
    assert coverage_state().stale_since is None


def test_a_date_edit_marks_stale_from_the_earliest_day_it_affects(refreshed):
    link = Link.objects.get(organization=refreshed["orgs"][5])  # 2013-01-01 to the street hub
    link.start_date = date(2014, 3, 1)
    link.save()
    state = coverage_state()
    assert state.stale_since == date(2013, 1, 1) and state.stale_at is not None
    first_marked = state.stale_at
    link.start_date = date(2012, 6, 1)  # earlier still: the mark moves back, its time stays
    link.save()
    state = coverage_state()
    assert state.stale_since == date(2012, 6, 1) and state.stale_at == first_marked


def test_a_change_after_the_last_stored_day_marks_nothing(refreshed):
    LinkFactory(hub=refreshed["hubs"][0], organization=refreshed["orgs"][11], start_date=timezone.localdate())
    assert coverage_state().stale_since is None


def test_a_bulk_write_says_what_changed(refreshed):
    records_changed.send(sender=Link, since=date(2011, 5, 1))
    assert coverage_state().stale_since == date(2011, 5, 1)


def test_the_refresh_runs_after_the_commit_of_the_write(refreshed, django_capture_on_commit_callbacks):
    before = selectors.coverage_trend(until=DAY, user=None)[-2]  # 2014-12-31, stored
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        LinkFactory(hub=refreshed["hubs"][0], organization=refreshed["orgs"][11], start_date=date(2014, 2, 1))
        LinkFactory(hub=refreshed["hubs"][0], organization=refreshed["orgs"][13], start_date=date(2014, 2, 1))
        assert coverage_state().stale_since == date(2014, 2, 1)
    assert len([c for c in callbacks if hasattr(c, "refreshes")]) == 1  # one refresh per transaction
    state = coverage_state()
    assert state.stale_since is None and state.stale_at is None
    point = StoredFigure.objects.filter(indicator=registry.COVERAGE, day=date(2014, 12, 31))
    assert sum(point.values_list("numerator", flat=True)) == before.numerator + 2


def test_mark_stale_reports_whether_it_changed_the_state(refreshed):
    assert stale.mark_stale(registry.COVERAGE, since=date(2012, 1, 1))
    assert not stale.mark_stale(registry.COVERAGE, since=date(2013, 1, 1))  # already stale from earlier
    assert not stale.mark_stale(registry.COVERAGE, since=timezone.localdate())  # after the last stored day


# ---------------------------------------------------------------- reads never write


def test_a_dashboard_get_writes_nothing_and_says_the_trend_is_being_refreshed(admin_client, refreshed):
    link = Link.objects.get(organization=refreshed["orgs"][1])
    link.start_date = date(2010, 3, 1)  # was 2009-03-20: stale from then
    link.save()
    assert coverage_state().stale_since == date(2009, 3, 20)
    with CaptureQueriesContext(connection) as captured:
        response = admin_client.get(reverse("indicators:dashboard"), {"as_of": DAY.isoformat()})
    assert response.status_code == 200
    assert writes(captured) == []
    content = response.content.decode()
    assert 'data-testid="trend-pending"' in content and "2009-12-31 以来各年末的存储数据正在后台更新" in content
    # the stale days are counted live: the trend still equals the live figures
    trend = response.context["trend"]
    for figure in trend:
        live = selectors.coverage_total(day=figure.day, user=None)
        assert (figure.numerator, figure.denominator) == (live.numerator, live.denominator)
    assert coverage_state().stale_since == date(2009, 3, 20)  # still stale: only the refresh stores


def test_a_dashboard_get_with_nothing_stored_writes_nothing(admin_client):
    build_scenario()
    IndicatorState.objects.all().delete()
    with CaptureQueriesContext(connection) as captured:
        response = admin_client.get(reverse("indicators:dashboard"), {"as_of": DAY.isoformat()})
    assert response.status_code == 200 and writes(captured) == []
    assert 'data-testid="trend-pending"' not in response.content.decode()
    assert not StoredFigure.objects.exists() and not IndicatorState.objects.exists()


def test_the_trend_api_writes_nothing(admin_client, refreshed):
    records_changed.send(sender=Link, since=date(2012, 1, 1))
    with CaptureQueriesContext(connection) as captured:
        response = admin_client.get(reverse("indicators-api:coverage_trend"), {"until": DAY.isoformat()})
    assert response.status_code == 200 and writes(captured) == []
    figures = response.json()["figures"]
    for figure in figures:
        live = selectors.coverage_total(day=date.fromisoformat(figure["day"]), user=None)
        assert (figure["numerator"], figure["denominator"]) == (live.numerator, live.denominator)


def test_the_refresh_command_stores_what_is_missing():
    from io import StringIO

    from django.core.management import CommandError, call_command

    build_scenario()
    out = StringIO()
    call_command("refresh_indicators", stdout=out)
    assert out.getvalue().startswith("hubs.coverage: ")
    assert coverage_state().stale_since is None
    assert StoredFigure.objects.filter(indicator=registry.COVERAGE, day=date(2014, 12, 31)).exists()
    with pytest.raises(CommandError, match="没有指标"):
        call_command("refresh_indicators", "--indicator", "party.coverage")


def test_a_starting_worker_queues_the_refresh_a_dead_one_left_undone(refreshed):
    from shuniu.core.workers import running_worker

    records_changed.send(sender=Link, since=date(2011, 5, 1))  # its refresh was queued, and the worker died
    assert coverage_state().stale_since == date(2011, 5, 1)
    with running_worker():  # tasks run at once in the tests: the queued refresh runs here
        pass
    assert coverage_state().stale_since is None
