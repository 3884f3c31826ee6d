"""The load benchmark's mix (`benchmarks/loadtest`) without a server: every page it opens resolves to the URL it
names, it leaves out no list of the site or the API that a business user opens, its days lie between 2008 and
today, and the locust file loads under locust and accepts no host but 127.0.0.1."""

import random
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from django.urls import get_resolver, resolve
from django.urls.resolvers import URLResolver

from benchmarks.loadtest.pages import FIRST_DAY, KINDS, PAGES, Visit, pages_for

ROOT = Path(__file__).resolve().parents[1]
LOCUSTFILE = ROOT / "benchmarks" / "loadtest" / "locustfile.py"
#: lists no business user opens: the administrators' (users and roles, the whole audit log; Django's admin)
NOT_IN_THE_MIX = {"user_list", "audit:objectchange_list"}
NOT_IN_THE_MIX_NAMESPACES = ("admin",)

ACCOUNT = {
    "organizations": [11, 12],
    "hubs": [21],
    "districts": [31],
    "streets": [41],
    "terms": ["基准"],
    "uscc_prefixes": ["51110105"],
}
SHARED = {"fields": [1, 2], "systems": [1]}


def _list_names(resolver=None, namespace=""):
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in NOT_IN_THE_MIX_NAMESPACES:
                continue
            inner = ":".join(part for part in (namespace, pattern.namespace or "") if part)
            yield from _list_names(pattern, inner)
        elif pattern.name and pattern.name.endswith(("_list", "-list")):
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


@pytest.mark.parametrize("kind", KINDS)
def test_every_page_resolves_to_the_url_it_names(kind):
    visit = Visit(ACCOUNT, SHARED, random.Random(kind), date.today())
    for page in pages_for(kind):
        for _ in range(20):  # the builders choose among dimensions, filters and days
            path, params = page.build(visit)
            assert resolve(path).view_name == page.url_name, (page.label, path)
            assert all(value is not None for value in params.values()), (page.label, params)


def test_the_mix_covers_every_list_a_business_user_opens():
    covered = {page.url_name for page in PAGES}
    assert {"indicators:dashboard", "hubs:organization_uncovered"} <= covered
    missing = set(_list_names()) - covered - NOT_IN_THE_MIX
    assert not missing, f"lists not in the load benchmark's mix (benchmarks/loadtest/pages.py): {sorted(missing)}"


def test_days_lie_between_2008_and_today():
    today = date(2026, 12, 5)
    visit = Visit(ACCOUNT, SHARED, random.Random(0), today)
    days = [visit.day() for _ in range(2000)]
    assert min(days) >= FIRST_DAY and max(days) == today
    assert len({day.year for day in days}) == today.year - FIRST_DAY.year + 1  # every year is asked about


def _locust(*arguments):
    command = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), *arguments]
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_the_locustfile_loads_its_four_kinds_of_user():
    result = _locust("--list")
    assert result.returncode == 0, result.stderr
    for name in ("CityUser", "DistrictUser", "StreetUser", "HubUser"):
        assert name in result.stdout


def test_the_locustfile_refuses_a_host_other_than_this_machine():
    result = _locust("--headless", "-u", "1", "-t", "1s", "--host", "http://example.com")
    assert result.returncode != 0
    assert "只允许以 127.0.0.1 为目标" in result.stdout + result.stderr


@pytest.mark.parametrize("scale", [1, 10])
def test_the_data_set_is_generated_at_the_scale_asked(scale, monkeypatch, tmp_path):
    """`--scale 10` asks the generator for ten times every size; the generator rebuilds a database holding other
    sizes, so the sizes are passed on every set-up, never left to its defaults."""
    from types import SimpleNamespace

    from benchmarks.loadtest import __main__ as load

    commands = []
    monkeypatch.setattr(load, "_run", lambda command, env: commands.append(command))
    args = SimpleNamespace(no_setup=False, database="postgres://x/y", scale=scale, accounts=tmp_path / "a.json")
    load.setup(args, {})
    generate = next(command for command in commands if "benchmarks.generate" in command)
    assert {"--if-missing", f"--organizations={100_000 * scale}", f"--hubs={1_000 * scale}"} <= set(generate)
    assert f"--links={1_000_000 * scale}" in generate


def test_a_scale_below_one_is_refused_in_one_chinese_line(capsys):
    from benchmarks.loadtest import __main__ as load

    with pytest.raises(SystemExit) as exit_info:
        load.main(["--scale", "0"])
    assert exit_info.value.code == 2
    assert "--scale 须为正整数" in capsys.readouterr().err
