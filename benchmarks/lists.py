"""The lists behind the coverage figures, swept over every district and ten dates (issue 12, point 4): no date and no
district may fall off a plan cliff.

Each figure of the dashboard links to a list filtered by "covered / uncovered on D": the organizations' list
(`covered_on`, `uncovered_on`), the uncovered worklist (`hubs:organization_uncovered`) and the API list with the same
filters. This requests each of them through the real views (`django.test.Client`, logged in as a superuser: the
middleware, the filterset, the paginator's count and page 1 as the page renders it), for ten dates from 2008 to
today in each of the 16 districts, and prints the median, p95 and maximum wall time per list and every request
above 1 s.

Every request runs under a statement timeout (`--cap`, seconds; also SHUNIU_STATEMENT_TIMEOUT for the middleware),
so that a plan cliff costs the cap instead of minutes; a request cut off by it is reported as such.

    DJANGO_SETTINGS_MODULE=shuniu.config.settings.dev .venv/bin/python -m benchmarks.lists [--cap 10]
    benchmarks/run lists
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import dataclass, field
from datetime import date

SLOW_S = 1.0
DATES = (
    "2008-06-30",
    "2010-06-30",
    "2012-12-31",
    "2014-06-30",
    "2016-12-31",
    "2018-06-30",
    "2019-12-31",
    "2021-06-30",
    "2023-12-31",
)  # and today

#: (label, URL name, the filter that takes the date)
LISTS = (
    ("organization list, covered_on", "organizations:organization_list", "covered_on"),
    ("organization list, uncovered_on", "organizations:organization_list", "uncovered_on"),
    ("uncovered worklist", "hubs:organization_uncovered", "uncovered_on"),
    ("API list, covered_on", "organizations-api:organization-list", "covered_on"),
    ("API list, uncovered_on", "organizations-api:organization-list", "uncovered_on"),
)


@dataclass
class Case:
    day: str
    district: str
    seconds: float
    status: str  # "200", "cut off by the statement timeout", or another status


@dataclass
class Sweep:
    label: str
    cases: list[Case] = field(default_factory=list)

    def seconds(self) -> list[float]:
        return sorted(case.seconds for case in self.cases)

    def p95(self) -> float:
        values = self.seconds()
        return values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]


def _cut_off(exception: BaseException) -> bool:
    """Whether a query was cancelled by statement_timeout (SQLSTATE 57014, query_canceled)."""
    while exception is not None:
        if getattr(exception, "sqlstate", None) == "57014":
            return True
        exception = exception.__cause__
    return False


def sweep(*, days: list[str], cap: int, lists=LISTS, districts: list[str] | None = None) -> list[Sweep]:
    """Request every list for every day and district, under a statement timeout of `cap` seconds."""
    import logging

    from django.db import connection
    from django.test import Client, override_settings
    from django.urls import reverse

    from benchmarks.dashboard import bench_user
    from shuniu.areas.models import Area

    logging.getLogger("django.request").setLevel(logging.CRITICAL)  # a cut-off request is counted, not logged
    client = Client()
    client.force_login(bench_user())
    areas = list(Area.objects.districts().order_by("code"))
    if districts:
        areas = [area for area in areas if area.code in districts or area.name in districts]
    sweeps = [Sweep(label) for label, _name, _param in lists]
    with override_settings(SHUNIU_STATEMENT_TIMEOUT=cap):
        for day in days:
            for area in areas:
                for result, (_label, name, param) in zip(sweeps, lists, strict=True):
                    path = f"{reverse(name)}?{param}={day}&district={area.pk}"
                    if connection.vendor == "postgresql":  # also without the middleware (the code before it)
                        connection.ensure_connection()
                        with connection.cursor() as cursor:
                            cursor.execute(f"SET statement_timeout = {cap * 1000}")
                    started = time.perf_counter()
                    try:
                        response = client.get(path)
                        status = str(response.status_code)
                    except Exception as error:  # the code before the middleware lets the cancellation through
                        if not _cut_off(error):
                            raise
                        status = "503"
                    seconds = time.perf_counter() - started
                    if status == "503":
                        status = "cut off by the statement timeout"
                    elif status != "200":
                        raise AssertionError(f"GET {path} answered {status}")
                    result.cases.append(Case(day, area.name, seconds, status))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("RESET statement_timeout")
    return sweeps


def markdown(sweeps: list[Sweep], *, days: list[str], cap: int) -> str:
    districts = len({case.district for case in sweeps[0].cases}) if sweeps and sweeps[0].cases else 0
    out = [
        f"{len(days)} dates ({', '.join(days)}) × {districts} districts, statement timeout {cap} s\n",
        "| list | requests | median | p95 | max | above 1 s | cut off |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    slow = []
    for result in sweeps:
        values = result.seconds()
        above = [case for case in result.cases if case.seconds > SLOW_S]
        cut = [case for case in result.cases if case.status != "200"]
        out.append(
            f"| {result.label} | {len(values)} | {statistics.median(values) * 1000:.0f} ms | "
            f"{result.p95() * 1000:.0f} ms | {values[-1] * 1000:.0f} ms | {len(above)} | {len(cut)} |"
        )
        slow += [(result.label, case) for case in above]
    out.append("")
    if slow:
        out.append(f"Requests above {SLOW_S:.0f} s:\n")
        for label, case in sorted(slow, key=lambda item: -item[1].seconds):
            note = "" if case.status == "200" else f" ({case.status})"
            out.append(f"- {label}, {case.day}, {case.district}: {case.seconds:.2f} s{note}")
    else:
        out.append(f"No request above {SLOW_S:.0f} s.")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="postgresql", help="postgresql | sqlite (the benchmark databases)")
    parser.add_argument("--cap", type=int, default=10, help="statement timeout per request, seconds")
    parser.add_argument("--days", help="comma-separated dates (default: nine from 2008 to 2023, and today)")
    parser.add_argument("--districts", help="comma-separated district codes or names (default: all 16)")
    arguments = parser.parse_args()

    from benchmarks.dashboard import environment
    from benchmarks.generate import database_url, setup_django

    setup_django(database_url(arguments.database))
    days = arguments.days.split(",") if arguments.days else [*DATES, date.today().isoformat()]
    districts = arguments.districts.split(",") if arguments.districts else None
    print(f"# Lists behind the figures ({environment()})\n")
    started = time.perf_counter()
    sweeps = sweep(days=days, cap=arguments.cap, districts=districts)
    print(markdown(sweeps, days=days, cap=arguments.cap))
    print(f"\nswept in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
