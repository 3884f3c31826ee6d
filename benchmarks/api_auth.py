"""What one API call costs in CPU with HTTP Basic against an API token (issue 12, point 7).

HTTP Basic sends the password, so the server verifies it with the project's password hasher (Argon2, deliberately
slow) on every request; a token is found by its prefix and checked with one SHA-256. The same small list
(`/api/hubs/systems/?page_size=1`) is requested `--requests` times each way with `django.test.Client`, Basic and
token alternating, and the process's CPU time (all threads: `time.process_time`) and the wall clock are taken around
each request. A signed-in session is the floor: the same request with no credential to check.

The database is a fresh in-memory test database (migrated, then dropped); the hashers are the production ones
(`settings.base.PASSWORD_HASHERS`), not the test settings' MD5.

    DJANGO_SETTINGS_MODULE=shuniu.config.settings.test .venv/bin/python -m benchmarks.api_auth [--requests 20]
"""

from __future__ import annotations

import argparse
import base64
import statistics
import time

PATH = "/api/hubs/systems/?page_size=1"
PASSWORD = "Bench-horse-9"


def measure(client, headers: dict) -> tuple[float, float]:
    """(CPU ms, wall ms) of one request; AssertionError unless it answers 200."""
    cpu, wall = time.process_time(), time.perf_counter()
    response = client.get(PATH, headers=headers)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    assert response.status_code == 200, response.content
    return cpu * 1000, wall * 1000


def run(requests: int) -> dict[str, list[tuple[float, float]]]:
    from django.contrib.auth import get_user_model
    from django.test import Client, override_settings

    from shuniu.accounts.tokens import api_token_create
    from shuniu.config.settings import base

    with override_settings(PASSWORD_HASHERS=base.PASSWORD_HASHERS):
        user = get_user_model().objects.create_superuser("bench", "bench@example.com", PASSWORD)
        assert user.password.startswith("argon2$"), user.password[:10]
        token = api_token_create(user=user, name="基准测试").text
        basic = {"Authorization": "Basic " + base64.b64encode(f"bench:{PASSWORD}".encode()).decode()}
        ways = {"HTTP Basic": (Client(), basic), "Token": (Client(), {"Authorization": f"Token {token}"})}
        session = Client()
        session.force_login(user)
        ways["session (floor)"] = (session, {})
        for client, headers in ways.values():  # warm-up: imports, URL resolving, first queries
            measure(client, headers)
        timings: dict[str, list[tuple[float, float]]] = {name: [] for name in ways}
        for _ in range(requests):
            for name, (client, headers) in ways.items():
                timings[name].append(measure(client, headers))
    return timings


def report(timings: dict[str, list[tuple[float, float]]]) -> str:
    lines = [
        "| authentication | requests | CPU per request, median (min–max) | wall per request, median |",
        "|---|---:|---:|---:|",
    ]
    for name, rows in timings.items():
        cpu = [row[0] for row in rows]
        wall = [row[1] for row in rows]
        lines.append(
            f"| {name} | {len(rows)} | {statistics.median(cpu):.1f} ms ({min(cpu):.1f}–{max(cpu):.1f}) "
            f"| {statistics.median(wall):.1f} ms |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()

    import django
    from django.db import connection
    from django.test.utils import setup_test_environment

    django.setup()
    setup_test_environment()
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        timings = run(args.requests)
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)
    print(report(timings))


if __name__ == "__main__":
    main()
