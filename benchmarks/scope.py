"""What a scoped user's hubs cost: `Hub.objects.restrict(user)` for a district and a street office, at the scale of
`benchmarks.generate` (100,000 organizations, 1,000 hubs, 1,000,000 links), against a hand-written statement for the
same hubs in the same run.

A hub is seen with its links (`Hub.scope.seen_with`): besides the hubs of the user's areas and those above them, the
hubs that link one of the user's organizations. The floor reads the same set with one UNION of the two, written by
hand. The ids must be identical.

    DJANGO_SETTINGS_MODULE=shuniu.config.settings.dev .venv/bin/python -m benchmarks.scope [--runs 7]
    benchmarks/run scope
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import dataclass


def timed(call) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


FLOOR_SQL = """
    SELECT id FROM hubs_hub WHERE area_id IN ({areas})
    UNION
    SELECT l.hub_id FROM hubs_link l JOIN organizations_organization o ON o.id = l.organization_id
    WHERE o.district_id IN ({inside}) OR o.street_id IN ({inside})
"""
USERS = (("110105", "district-office"), ("110105001", "street-office"))  # 朝阳区, and its 建外街道


@dataclass
class Row:
    user: str
    own: int  # hubs of the user's areas and above
    seen: int  # with those seen through a link
    ours_ms: float
    floor_ms: float


def compare_hubs_seen(*, runs: int) -> list[Row]:
    """For each user: our restrict() and the floor, timed alternately; AssertionError if their hubs differ. The users
    are created inside a transaction that is rolled back."""
    from django.db import connection, transaction

    from shuniu.accounts.testing import user_with_role
    from shuniu.areas.models import Area
    from shuniu.areas.scopes import above_ids, subtree_ids
    from shuniu.core.access import user_grants
    from shuniu.hubs.models import Hub

    rows = []
    with transaction.atomic():
        for code, slug in USERS:
            area = Area.objects.get(code=code)
            user = user_with_role(slug, area=area)
            grant = user_grants(user)[0]
            inside, above = subtree_ids(grant), above_ids(grant)
            sql = FLOOR_SQL.format(
                areas=", ".join(str(pk) for pk in inside + above), inside=", ".join(str(pk) for pk in inside)
            )

            def ours(user=user):
                user.__dict__.pop("_shuniu_visible", None)
                return set(Hub.objects.restrict(user).values_list("pk", flat=True))

            def floor(sql=sql):
                with connection.cursor() as cursor:
                    cursor.execute(sql)
                    return {row[0] for row in cursor.fetchall()}

            ours_ids, floor_ids = ours(), floor()  # warm
            assert ours_ids == floor_ids, (slug, len(ours_ids), len(floor_ids))
            ours_times, floor_times = [], []
            for _ in range(runs):
                ours_times.append(timed(ours))
                floor_times.append(timed(floor))
            own = Hub.objects.restrict(user, seen_with=False).count()
            rows.append(
                Row(
                    user=f"{slug} {area.name}",
                    own=own,
                    seen=len(ours_ids),
                    ours_ms=statistics.median(ours_times) * 1000 if runs else 0.0,
                    floor_ms=statistics.median(floor_times) * 1000 if runs else 0.0,
                )
            )
        transaction.set_rollback(True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="postgresql", help="postgresql | sqlite (the benchmark databases)")
    parser.add_argument("--runs", type=int, default=7)
    arguments = parser.parse_args()

    from benchmarks.generate import database_url, setup_django

    setup_django(database_url(arguments.database))
    from django.db import connection

    print(f"# Hubs a scoped user sees ({connection.vendor}, median of {arguments.runs} warm runs)\n")
    print("| user | hubs of the areas | hubs seen | ours | floor | ours / floor |")
    print("|---|---:|---:|---:|---:|---:|")
    for row in compare_hubs_seen(runs=arguments.runs):
        print(
            f"| {row.user} | {row.own} | {row.seen} | {row.ours_ms:.1f} ms | {row.floor_ms:.1f} ms | "
            f"{row.ours_ms / row.floor_ms:.2f} |"
        )


if __name__ == "__main__":
    main()
