"""The benchmark code must not rot: generate a small data set into the test database, load it the way the
benchmark does, and check every dashboard figure against the floor's hand-written SQL (no timing asserts)."""

from datetime import date

import pytest

from benchmarks.dashboard import compare_figures, compare_page_data, compare_trend_recompute, page_timing
from benchmarks.generate import Sizes, describe, generate, load, python_coverage

pytestmark = pytest.mark.django_db

SMALL = Sizes(organizations=2000, hubs=40, links=20_000)
DAYS = (date(2015, 6, 30), date(2010, 6, 30), date(2019, 12, 31))


def test_small_benchmark_figures_equal_the_floor(admin_user):
    from shuniu.hubs.models import Link
    from shuniu.hubs.selectors import organizations_counted_on, organizations_covered_on

    dataset = generate(SMALL)
    assert "links=20000" in describe(dataset)
    load(dataset, verbose=False)  # inside the test's transaction: constraints re-added (and so checked), no VACUUM
    assert Link.objects.count() == SMALL.links
    for day in DAYS:
        covered, counted = python_coverage(dataset, day)
        assert covered > 0
        assert organizations_covered_on(day=day).count() == covered
        assert organizations_counted_on(day=day).count() == counted
        for row in compare_figures(day, admin_user, runs=0, warmup=1) + compare_page_data(
            day, admin_user, runs=0, warmup=1
        ):
            assert row.equal, row  # compare_* also assert, with the differing numbers
    rows = compare_trend_recompute(until=date(2026, 11, 22), runs=0)  # PostgreSQL: the portable path too
    assert all(row.equal for row in rows)
    page = page_timing(DAYS[0], admin_user, runs=1, warmup=1)
    assert page.server_ms is not None or page.note.startswith("skipped: no URL"), page
