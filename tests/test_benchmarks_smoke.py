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


# ---------------------------------------------------------------- the import benchmark, at 300 rows

IMPORT_ROWS = 300


@pytest.fixture
def workbook(tmp_path):
    from benchmarks.import_file import write_organizations_xlsx

    return write_organizations_xlsx(tmp_path / "organizations.xlsx", rows=IMPORT_ROWS, bad_share=0.05, seed=7)


def test_import_workbook_holds_the_generated_bad_rows(workbook, tmp_path):
    from benchmarks.import_file import BAD_KINDS, HEADERS, check_file, read_rows, write_organizations_xlsx

    assert workbook.bad == round(IMPORT_ROWS * 0.05) and workbook.good == IMPORT_ROWS - workbook.bad
    assert set(workbook.bad_by_kind) == set(BAD_KINDS)
    assert check_file(workbook.path) == workbook.bad_rows  # an independent reading finds exactly those rows
    rows = read_rows(workbook.path)
    assert tuple(rows[0]) == HEADERS and len(rows) == IMPORT_ROWS + 1
    assert set(workbook.date_styles) == {"cell", "iso", "slash", "chinese"}
    again = write_organizations_xlsx(tmp_path / "again.xlsx", rows=IMPORT_ROWS, bad_share=0.05, seed=7)
    assert read_rows(again.path) == rows  # deterministic


def test_import_paths_agree(workbook, admin_user, settings, tmp_path):
    """The floor copies every row; django-import-export rejects the bad rows (a duplicate USCC updates the first
    row instead); our importer rejects exactly the bad rows, adds the good ones and changes nothing the second time."""
    from django.db import connection

    from benchmarks.import_baseline import QuietOrganizationResource, import_sample, read_dataset, totals
    from benchmarks.imports import drop_floor_table, empty_organizations, expected_counts, floor, ours, ours_available
    from shuniu.organizations.models import Organization

    if connection.vendor == "postgresql":
        _read_s, _copy_s, copied = floor(workbook.path)
        assert copied == IMPORT_ROWS
        drop_floor_table()

    dataset, _how = read_dataset(workbook.path)
    _seconds, result = import_sample(dataset, IMPORT_ROWS, QuietOrganizationResource)
    duplicates = workbook.bad_by_kind["duplicate_uscc"]
    assert totals(result) == {
        "new": workbook.good,
        "update": duplicates,
        "skip": 0,
        "error": 0,
        "invalid": workbook.bad - duplicates,
    }
    empty_organizations()

    missing = ours_available()
    if missing:
        pytest.skip(missing)
    from shuniu.imports.services import import_outcomes

    settings.MEDIA_ROOT = tmp_path / "media"
    _seconds, job = ours(workbook.path, admin_user)
    assert job.status == "done", job.error
    assert {key: job.counts.get(key, 0) for key in ("new", "updated", "unchanged", "rejected")} == expected_counts(
        workbook, first=True
    )
    rejected = {number for number, outcome, _reasons, _pk in import_outcomes(job) if outcome == "rejected"}
    assert rejected == set(workbook.bad_rows)
    assert Organization.objects.count() == workbook.good
    _seconds, job = ours(workbook.path, admin_user)
    assert {key: job.counts.get(key, 0) for key in ("new", "updated", "unchanged", "rejected")} == expected_counts(
        workbook, first=False
    )

    if connection.vendor == "postgresql":  # the write alone: the same rows, stored back
        from benchmarks.imports import stored_write_reference
        from shuniu.audit.models import ObjectChange

        fields = sorted(Organization.fields.through.objects.values_list("organization_id", "field_id"))
        changes = ObjectChange.objects.count()
        with connection.cursor() as cursor:  # inside the test's transaction: TRUNCATE needs no pending FK checks
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        step = stored_write_reference()
        assert step.rows == workbook.good == Organization.objects.count()
        assert sorted(Organization.fields.through.objects.values_list("organization_id", "field_id")) == fields
        assert ObjectChange.objects.count() == changes >= workbook.good


# ---------------------------------------------------------------- the hubs a scoped user sees


def test_small_benchmark_hubs_seen_equal_the_floor():
    from benchmarks.scope import compare_hubs_seen

    load(generate(SMALL), verbose=False)
    rows = compare_hubs_seen(runs=1)  # asserts that our hubs and the floor's are the same
    assert len(rows) == 2 and all(row.seen >= row.own > 0 for row in rows)
    assert any(row.seen > row.own for row in rows)  # hubs of other districts serving the district's organizations
