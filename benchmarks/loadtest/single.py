"""One user at a time (issue 12, point 2: "one user: every page under 300 ms of server time"), and what each page
costs the machine: `.venv/bin/python -m benchmarks.loadtest.single [--visits 8] [--keep-cache]`, after
`benchmarks/load` has set up its database and users.

Every page of the load mix (`pages.py`) is visited `--visits` times, the visits taking turns among a city, a
district, a street and a hub account, with the filters and dates the load benchmark's users give it; the figures
cache (the benchmark's Redis database) is emptied first, so a date asked for the first time is counted as it would
be under load (after one visit of every page by every account, which compiles the templates a server's worker has
long compiled, and a second emptying). The requests run in this process through Django's test client with the
production settings the benchmark's server runs with (no HTTP, no sign-in: the session is made directly). Per page:
the server time (median
and maximum), the Python CPU of the request and the CPU the whole machine spent on it (PostgreSQL's included), and
the page's share of the mix's CPU per request (its weight × its machine CPU): the load benchmark's throughput is
bounded by that sum. Report: benchmarks/out/single-user.md.
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlencode

from .__main__ import CACHE, DATABASE, OUT, flush_cache, server_environment
from .pages import PAGES, Visit

KINDS = ("city", "district", "street", "hub")
TARGET_MS = 300


def machine_busy() -> float:
    import psutil

    times = psutil.cpu_times()
    return sum(times) - times.idle - getattr(times, "iowait", 0.0)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.loadtest.single", description=__doc__.split("\n\n")[0])
    parser.add_argument("--visits", type=int, default=8, help="visits per page (default 8)")
    parser.add_argument("--database", default=DATABASE)
    parser.add_argument("--cache-url", default=CACHE)
    parser.add_argument("--keep-cache", action="store_true", help="do not empty the figures cache first")
    parser.add_argument("--accounts", type=Path, default=OUT / "load-accounts.json")
    args = parser.parse_args(argv)
    if not args.accounts.exists():
        parser.error(f"缺少 {args.accounts}：请先运行一次 benchmarks/load（它建立数据库和用户）。")
    os.environ.update(server_environment(SimpleNamespace(database=args.database, cache_url=args.cache_url)))
    if not args.keep_cache:
        flush_cache(args.cache_url)

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    data = json.loads(args.accounts.read_text())
    shared = {key: value for key, value in data.items() if key != "accounts"}
    clients = {}
    for kind in KINDS:
        account = data["accounts"][kind][0]
        client = Client(secure=True)  # the production settings redirect plain http
        client.force_login(get_user_model().objects.get(username=account["username"]))
        clients[kind] = (client, account)
    rng = random.Random(20150630)
    today = date.today()
    # a server's worker has compiled each page's templates and loaded its code long before: one visit of every page
    # by every account first, then the figures cache emptied again, so that dates are counted as they would be
    warm = random.Random(1)
    for page in PAGES:
        for client, account in clients.values():
            path, params = page.build(Visit(account=account, shared=shared, rng=warm, today=today))
            client.get(f"{path}?{urlencode(params)}" if params else path)
    if not args.keep_cache:
        flush_cache(args.cache_url)

    rows = []
    for page in PAGES:
        visits = []
        for number in range(args.visits):
            client, account = clients[KINDS[number % len(KINDS)]]
            path, params = page.build(Visit(account=account, shared=shared, rng=rng, today=today))
            url = f"{path}?{urlencode(params)}" if params else path
            busy, started, cpu = machine_busy(), time.perf_counter(), time.process_time()
            response = client.get(url)
            visits.append(
                (time.perf_counter() - started, time.process_time() - cpu, machine_busy() - busy, response, url)
            )
        rows.append((page, visits))

    total_weight = sum(page.weight for page, _ in rows)
    mix_cpu = sum(page.weight * statistics.mean(v[2] for v in visits) for page, visits in rows) / total_weight
    slow = [page.label for page, visits in rows if max(v[0] for v in visits) * 1000 >= TARGET_MS]
    errors = [f"{v[3].status_code} {v[4]}" for _, visits in rows for v in visits if v[3].status_code != 200]
    lines = [
        f"## One user at a time ({time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC)",
        "",
        f"- {args.visits} visits per page, taking turns among a city, a district, a street and a hub account; "
        f"database `{args.database.rsplit('/', 1)[-1]}`, figures cache "
        + ("kept from before" if args.keep_cache else "emptied first"),
        f"- the mix's machine CPU per request (each page's weight × its machine CPU): **{mix_cpu * 1000:.0f} ms**; "
        f"{os.cpu_count()} cores serve at most {os.cpu_count() / mix_cpu:.1f} requests/s of this mix",
        f"- every page under {TARGET_MS} ms of server time: "
        + ("**met**" if not slow else f"**not met** ({len(slow)} pages: {', '.join(slow)})"),
        f"- answers other than 200: {len(errors)}" + (f" ({'; '.join(errors[:5])})" if errors else ""),
        "",
        "| page | weight | server ms p50 | max | Python CPU ms | machine CPU ms | share of the mix ms | slowest |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    by_share = sorted(rows, key=lambda row: -row[0].weight * statistics.mean(v[2] for v in row[1]))
    for page, visits in by_share:
        machine = statistics.mean(v[2] for v in visits)
        slowest = max(visits, key=lambda v: v[0])
        lines.append(
            f"| {page.label} | {page.weight:g} | {statistics.median(v[0] for v in visits) * 1000:,.0f} "
            f"| {slowest[0] * 1000:,.0f} | {statistics.mean(v[1] for v in visits) * 1000:,.0f} | {machine * 1000:,.0f} "
            f"| {page.weight * machine / total_weight * 1000:.1f} | `{slowest[4]}` |"
        )
    text = "\n".join(lines) + "\n"
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "single-user.md").write_text(text)
    print(text)
    print(f"报告：{OUT / 'single-user.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
