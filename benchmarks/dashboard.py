"""Time the dashboard's figures (our ORM selectors) against the floor (one hand-written SQL query per figure)
in the same run, through the same Django connection, and check that both give identical numbers.

    DJANGO_SETTINGS_MODULE=shuniu.config.settings.dev \
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shuniu_bench \
    .venv/bin/python -m benchmarks.dashboard [--days 2015-06-30,2010-06-30] [--runs 5]

For each figure: warm-up runs (whose results are compared), then `--runs` timed runs, ours and the floor's
alternating so that both meet the same load on a shared machine; the medians are reported (wall clock around the
selector call, or around execute() + fetchall() for the floor). Then the dashboard's data as the page asks for it,
`trend_refresh(force=True)` (what a change costs) against the floor's one-statement recompute, and the whole
dashboard page (median Server-Timing of GET /?as_of=D as a superuser) if the `indicators:dashboard` view exists.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import date

DAYS = (date(2015, 6, 30), date(2010, 6, 30))
RUNS = 5
WARMUP = 2


@dataclass
class Row:
    figure: str
    day: date | None
    ours_ms: float | None
    floor_ms: float | None
    queries: int | None = None
    equal: bool = True

    @property
    def ratio(self) -> float | None:
        if self.ours_ms is None or not self.floor_ms:
            return None
        return self.ours_ms / self.floor_ms


# ---------------------------------------------------------------- our selectors, normalized like benchmarks.floor


def _by_key(figures, key):
    return {figure.filters[key]: (figure.numerator, figure.denominator) for figure in figures}


def _by_kind(figures):
    return {figure.key: (figure.numerator, figure.denominator) for figure in figures}


def _trend(figures):
    return [(f.day, f.numerator, f.denominator) for f in figures]


def _ours():
    from shuniu.indicators import selectors as s

    return {
        "coverage_total": lambda day, user: _pair(s.coverage_total(day=day, user=user)),
        "coverage_by_district": lambda day, user: _by_key(s.coverage_by_district(day=day, user=user), "district"),
        "coverage_by_kind": lambda day, user: _by_kind(s.coverage_by_kind(day=day, user=user)),
        "coverage_by_field": lambda day, user: _by_key(s.coverage_by_field(day=day, user=user), "field"),
        "coverage_by_system": lambda day, user: _by_key(s.coverage_by_system(day=day, user=user), "covered_by_system"),
        "coverage_by_level": lambda day, user: _by_key(s.coverage_by_level(day=day, user=user), "covered_by_level"),
        "coverage_district_system": lambda day, user: s.coverage_district_system(day=day, user=user),
        "coverage_trend": lambda day, user: _trend(s.coverage_trend(until=day, user=user)),
    }


def _pair(figure):
    return figure.numerator, figure.denominator


def _floors():
    from shuniu.indicators.selectors import trend_days

    from . import floor

    return {
        "coverage_total": floor.total,
        "coverage_by_district": floor.by_district,
        "coverage_by_kind": floor.by_kind,
        "coverage_by_field": floor.by_field,
        "coverage_by_system": floor.by_system,
        "coverage_by_level": floor.by_level,
        "coverage_district_system": floor.district_system,
        "coverage_trend": lambda day: floor.trend(trend_days(day), day),
    }


#: the figures DashboardView shows (not district × system), with the hub counts by level
PAGE_FIGURES = (
    "coverage_total",
    "coverage_by_district",
    "coverage_by_system",
    "coverage_trend",
    "coverage_by_level",
    "coverage_by_kind",
    "coverage_by_field",
)


def _timed_pair(ours, floor, runs: int, warmup: int):
    """Both callables' first results, median ms of `runs` alternating runs after `warmup` runs each, and the
    number of queries one call of `ours` makes."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    floor_result = floor() if floor else None
    with CaptureQueriesContext(connection) as captured:
        our_result = ours()
    queries = len(captured.captured_queries)
    for _ in range(max(warmup - 1, 0)):
        floor and floor()
        ours()
    our_times, floor_times = [], []
    for _ in range(runs):
        if floor:
            t = time.perf_counter()
            floor()
            floor_times.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        ours()
        our_times.append((time.perf_counter() - t) * 1000)
    return (
        our_result,
        floor_result,
        statistics.median(our_times) if our_times else None,
        statistics.median(floor_times) if floor_times else None,
        queries,
    )


def bench_user():
    from django.contrib.auth import get_user_model

    user, created = get_user_model().objects.get_or_create(
        username="benchmark", defaults={"is_superuser": True, "is_staff": True, "email": "bench@example.com"}
    )
    if created:
        user.set_unusable_password()
        user.save()
    return user


def compare_figures(day: date, user, *, runs: int = RUNS, warmup: int = WARMUP, check: bool = True) -> list[Row]:
    """Ours against the floor for each figure on `day`; raises AssertionError where the numbers differ."""
    from shuniu.indicators.services import trend_refresh

    trend_refresh(until=day)  # the floor's trend reads the stored points: make them current first, as ours does
    ours, floors = _ours(), _floors()
    rows = []
    for name, fn in ours.items():
        our_result, floor_result, our_ms, floor_ms, queries = _timed_pair(
            lambda fn=fn: fn(day, user), lambda fn=floors[name]: fn(day), runs, warmup
        )
        equal = our_result == floor_result
        if check:
            assert equal, f"{name} on {day}: ours {_short(our_result)} != floor {_short(floor_result)}"
        rows.append(Row(name, day, our_ms, floor_ms, queries, equal))
    return rows


def _one_by_one(day, user):
    """The page's figures, each from its own selector (the dashboard's first version called them so)."""
    from shuniu.indicators import selectors as s

    out = {
        "coverage_total": _pair(s.coverage_total(day=day, user=user)),
        "coverage_by_district": _by_key(s.coverage_by_district(day=day, user=user), "district"),
        "coverage_by_system": _by_key(s.coverage_by_system(day=day, user=user), "covered_by_system"),
        "coverage_trend": _trend(s.coverage_trend(until=day, user=user)),
        "coverage_by_level": _by_key(s.coverage_by_level(day=day, user=user), "covered_by_level"),
        "coverage_by_kind": _by_kind(s.coverage_by_kind(day=day, user=user)),
        "coverage_by_field": _by_key(s.coverage_by_field(day=day, user=user), "field"),
    }
    s.hub_counts_by_level(day=day, user=user)
    return out


def _overview(day, user):
    """The page's figures as DashboardView gets them: one coverage_overview call, and the hub counts."""
    from shuniu.indicators import selectors as s

    figures = _overview_alone(day, user)
    s.hub_counts_by_level(day=day, user=user)
    return figures


def _floor_page(day):
    floors = _floors()
    return {name: floors[name](day) for name in PAGE_FIGURES}


def _overview_alone(day, user):
    """`coverage_overview` without the hub counts, against the floor's one statement for the same figures."""
    from shuniu.indicators import selectors as s

    o = s.coverage_overview(day=day, user=user)
    return {
        "coverage_total": _pair(o["total"]),
        "coverage_by_district": _by_key(o["districts"], "district"),
        "coverage_by_system": _by_key(o["systems"], "covered_by_system"),
        "coverage_trend": _trend(o["trend"]),
        "coverage_by_level": _by_key(o["levels"], "covered_by_level"),
        "coverage_by_kind": _by_kind(o["kinds"]),
        "coverage_by_field": _by_key(o["fields"], "field"),
    }


def _floor_page_statement(day):
    from shuniu.indicators.selectors import trend_days

    from . import floor

    return floor.page(day, trend_days(day))


def compare_page_data(day: date, user, *, runs: int = RUNS, warmup: int = WARMUP, check: bool = True) -> list[Row]:
    """The dashboard's data, all figures of the page together: one selector per figure, and `coverage_overview`
    (one statement, what DashboardView calls), against the sum of the floor's queries for the same figures; and
    `coverage_overview` against one hand-written statement for the whole page (`floor.sql_page`)."""
    rows = []
    for name, fn, floor_fn in (
        ("page data: one selector per figure", _one_by_one, _floor_page),
        ("page data: coverage_overview (DashboardView)", _overview, _floor_page),
        ("page data: coverage_overview against one hand-written statement", _overview_alone, _floor_page_statement),
    ):
        our_result, floor_result, our_ms, floor_ms, queries = _timed_pair(
            lambda fn=fn: fn(day, user), lambda floor_fn=floor_fn: floor_fn(day), runs, warmup
        )
        equal = our_result == floor_result
        if check:
            assert equal, f"{name} on {day}: ours {_short(our_result)} != floor {_short(floor_result)}"
        rows.append(Row(name, day, our_ms, floor_ms, queries, equal))
    return rows


def compare_trend_recompute(*, until: date | None = None, runs: int = RUNS, check: bool = True) -> list[Row]:
    """`trend_refresh(force=True)`: every stored year end recomputed, against the floor's one-statement recompute;
    and, on PostgreSQL, the portable path (per-day grouped querysets) for comparison."""
    from django.db import connection

    from shuniu.areas.models import Area
    from shuniu.hubs.selectors import coverage_counts_by_district
    from shuniu.indicators.models import StoredFigure
    from shuniu.indicators.services import trend_refresh

    from . import floor

    until = until or date.today()
    districts = list(Area.objects.districts().values_list("pk", flat=True))

    def ours():
        trend_refresh(until=until, force=True)
        points = StoredFigure.objects.filter(indicator="hubs.coverage")
        return {(p.day, p.area_id): (p.numerator, p.denominator) for p in points}

    stored = ours()
    days = sorted({day for day, _ in stored})
    our_result, floor_result, our_ms, floor_ms, queries = _timed_pair(
        ours, lambda: floor.trend_recompute(days), runs, 1
    )
    equal = our_result == floor_result
    if check:
        assert equal, f"trend recompute: ours {_short(our_result)} != floor {_short(floor_result)}"
    label = f"trend_refresh(force=True): {len(days)} year ends × {len(districts)} districts"
    rows = [Row(label, None, our_ms, floor_ms, queries, equal)]
    if connection.vendor == "postgresql":

        def portable():
            counts = coverage_counts_by_district(days=days, portable=True)
            return {(day, pk): counts.get((day, pk), (0, 0)) for day in days for pk in districts}

        result, _floor, ms, _floor_ms, queries = _timed_pair(portable, None, min(runs, 3), 0)
        equal = result == floor_result
        if check:
            assert equal, f"trend recompute, portable path: {_short(result)} != floor {_short(floor_result)}"
        rows.append(
            Row("… its portable path (per-day grouped querysets), counting only", None, ms, floor_ms, queries, equal)
        )
    return rows


def _short(value, limit=400):
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


@dataclass
class Page:
    """The dashboard page, GET /?as_of=D."""

    note: str
    server_ms: float | None = None
    wall_ms: float | None = None
    queries: int | None = None


def page_timing(day: date, user, *, runs: int = RUNS, warmup: int = WARMUP) -> Page:
    """Median Server-Timing (ms) and client-side wall time of GET /?as_of=D, or why it was skipped."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import NoReverseMatch, reverse

    try:
        url = reverse("indicators:dashboard")
    except NoReverseMatch:
        return Page("skipped: no URL named 'indicators:dashboard' yet")
    client = Client()
    client.force_login(user)
    path = f"{url}?as_of={day.isoformat()}"
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    if response.status_code != 200:
        return Page(f"skipped: GET {path} answered {response.status_code}")
    page = Page(f"GET {path}", queries=len(captured.captured_queries))
    for _ in range(max(warmup - 1, 0)):
        client.get(path)
    server, wall = [], []
    for _ in range(runs):
        t = time.perf_counter()
        response = client.get(path)
        wall.append((time.perf_counter() - t) * 1000)
        header = response.headers.get("Server-Timing", "")
        server.append(float(header.split("dur=")[1].split(",")[0].split(";")[0]))
    if runs:
        page.server_ms, page.wall_ms = statistics.median(server), statistics.median(wall)
    return page


def page_markdown(day: date, page: Page, how: str = "") -> str:
    how = f" ({how})" if how else ""
    if page.server_ms is None:
        return f"- dashboard page on {day}{how}: {page.note}"
    return (
        f"- dashboard page on {day}{how}: **Server-Timing median {page.server_ms:.0f} ms** "
        f"(client wall {page.wall_ms:.0f} ms), {page.queries} queries; {page.note}"
    )


# ---------------------------------------------------------------- report


def environment() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT version()")
            version = cursor.fetchone()[0].split(" on ")[0]
            settings = []
            for name in ("shared_buffers", "work_mem", "jit", "max_parallel_workers_per_gather", "random_page_cost"):
                cursor.execute(f"SHOW {name}")
                settings.append(f"{name}={cursor.fetchone()[0]}")
            version += " (" + ", ".join(settings) + ")"
        else:
            cursor.execute("SELECT sqlite_version()")
            version = f"SQLite {cursor.fetchone()[0]}"
        counts = []
        for table in ("organizations_organization", "hubs_hub", "hubs_link"):
            cursor.execute(f"SELECT count(*) FROM {table}")
            counts.append(f"{table}={cursor.fetchone()[0]}")
    return f"{version}; Python {platform.python_version()}; {os.cpu_count()} cores; " + ", ".join(counts)


def markdown(rows: list[Row]) -> str:
    out = ["| figure | D | ours ms | floor ms | ratio | ours: queries | equal |", "|---|---|---:|---:|---:|---:|---|"]
    for r in rows:
        out.append(
            f"| {r.figure} | {r.day or '—'} | {_ms(r.ours_ms)} | {_ms(r.floor_ms)} | "
            f"{'—' if r.ratio is None else f'{r.ratio:.2f}×'} | {r.queries if r.queries is not None else '—'} | "
            f"{'yes' if r.equal else 'NO'} |"
        )
    return "\n".join(out)


def _ms(value):
    return "—" if value is None else f"{value:,.1f}".replace(",", " ")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database",
        default=os.environ.get("DATABASE_URL"),
        help="a DATABASE_URL, or 'postgresql' / 'sqlite' for the default benchmark databases",
    )
    parser.add_argument("--days", default=",".join(d.isoformat() for d in DAYS))
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--no-recompute", action="store_true", help="skip timing trend_refresh(force=True)")
    args = parser.parse_args(argv)
    from .generate import database_url, setup_django

    if not args.database:
        parser.error("give --database or set DATABASE_URL")
    setup_django(database_url(args.database))
    from django.conf import settings
    from django.db import connection

    CACHES = settings.CACHES

    days = [date.fromisoformat(d) for d in args.days.split(",")]
    print(f"## {connection.vendor}: {connection.settings_dict['NAME']}\n")
    print(environment() + "\n", flush=True)
    from django.test import override_settings

    user = bench_user()
    sections = []
    # our path counted every time (the figures cache off: what a first question after a write costs), then the page
    # as the cache serves it (kept since the first GET)
    counting = override_settings(
        CACHES={**CACHES, "figures": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    )
    keeping = override_settings(
        CACHES={**CACHES, "figures": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    )
    for day in days:
        with counting:
            rows = compare_figures(day, user, runs=args.runs, check=False)
            rows += compare_page_data(day, user, runs=args.runs, check=False)
            page = page_markdown(day, page_timing(day, user, runs=args.runs), "counted every time")
        with keeping:
            page += "\n" + page_markdown(day, page_timing(day, user, runs=args.runs), "figures kept")
        sections.append((f"### D = {day}", rows, page))
        print(f"### D = {day}\n\n{markdown(rows)}\n\n{page}\n", flush=True)
    if not args.no_recompute:
        rows = compare_trend_recompute(runs=args.runs, check=False)
        sections.append(("### stored trend recompute", rows, ""))
        print(f"### stored trend recompute\n\n{markdown(rows)}\n", flush=True)
    failed = [f"{r.figure} {r.day}" for _, rows, _ in sections for r in rows if not r.equal]
    if failed:
        print("NOT EQUAL: " + ", ".join(failed))
        sys.exit(1)
    print("All figures are equal to the floor's numbers.")


if __name__ == "__main__":
    main()
