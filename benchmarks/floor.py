"""The floor: one hand-written SQL query per dashboard figure, in the fastest shape measured
(a bit mask of days per row), adapted to our tables and semantics:

- a link is valid on D iff start_date <= D and (end_date IS NULL OR end_date >= D);
- an organization is counted on D iff kind <> 'mass_organization' and founded_on <= D and
  (active_until IS NULL OR active_until >= D);
- a hub is recognised on D iff recognized_on <= D and (recognized_until IS NULL OR recognized_until >= D)
(every end date is the last valid day: `shuniu.core.dated`).

Dates are inlined as literals, as in the floor document. Every function returns the figure in the same normalized
form as `benchmarks.dashboard` makes of our selectors' results, so the two can be compared with ==.
"""

from __future__ import annotations

from datetime import date

from django.db import connection

LINK = "hubs_link"
HUB = "hubs_hub"
ORG = "organizations_organization"
FIELDS = "organizations_organization_fields"


def _lit(day: date) -> str:
    return f"DATE '{day.isoformat()}'" if connection.vendor == "postgresql" else f"'{day.isoformat()}'"


def _conds(day: date) -> dict:
    d = _lit(day)
    return {
        "link": f"l.start_date <= {d} AND (l.end_date IS NULL OR l.end_date >= {d})",
        "hub": f"h.recognized_on <= {d} AND (h.recognized_until IS NULL OR h.recognized_until >= {d})",
        "org": f"o.kind <> 'mass_organization' AND o.founded_on <= {d} "
        f"AND (o.active_until IS NULL OR o.active_until >= {d})",
    }


def _fetch(sql: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


# ---------------------------------------------------------------- the SQL


def sql_total(day: date) -> str:
    """Q1 `in_subquery` (PostgreSQL: a hashed SubPlan built once; SQLite: a LIST SUBQUERY).

    On PostgreSQL that shape is only fast while the planner expects the covered ids to fit in `work_mem`; otherwise
    the SubPlan is not hashed but re-run for every organization, which takes minutes at 100k organizations (on
    this data: most year ends from 2016 on, and today). There the floor falls back to Q1 `left_join_distinct`."""
    c = _conds(day)
    covered_ids = (
        f"SELECT l.organization_id FROM {LINK} l JOIN {HUB} h ON h.id = l.hub_id WHERE {c['link']} AND {c['hub']}"
    )
    if connection.vendor == "postgresql":
        sql = (
            f"SELECT count(*) FILTER (WHERE o.id IN ({covered_ids})) AS covered, count(*) AS counted "
            f"FROM {ORG} o WHERE {c['org']}"
        )
        if _hashed(sql):
            return sql
        return (
            f"WITH cov AS (SELECT DISTINCT l.organization_id FROM {LINK} l JOIN {HUB} h ON h.id = l.hub_id "
            f"WHERE {c['link']} AND {c['hub']}) SELECT count(cov.organization_id) AS covered, count(*) AS counted "
            f"FROM {ORG} o LEFT JOIN cov ON cov.organization_id = o.id WHERE {c['org']}"
        )
    return f"SELECT coalesce(sum(o.id IN ({covered_ids})), 0), count(*) FROM {ORG} o WHERE {c['org']}"


_HASHED: dict[str, bool] = {}


def _hashed(sql: str) -> bool:
    """Whether PostgreSQL plans the statement's IN (subquery) as a hashed SubPlan (asked once per statement)."""
    if sql not in _HASHED:
        plan = "\n".join(row[0] for row in _fetch(f"EXPLAIN (VERBOSE) {sql}"))
        _HASHED[sql] = "SubPlan" not in plan or "hashed SubPlan" in plan
    return _HASHED[sql]


def _sql_grouped(day: date, column: str, join: str = "") -> str:
    """Q2 grouped by a column of the organization (or of a joined table): PostgreSQL `left_join_distinct`,
    SQLite `in_subquery_hubs`."""
    c = _conds(day)
    if connection.vendor == "postgresql":
        return (
            f"WITH cov AS (SELECT DISTINCT l.organization_id FROM {LINK} l JOIN {HUB} h ON h.id = l.hub_id "
            f"WHERE {c['link']} AND {c['hub']}) "
            f"SELECT {column}, count(cov.organization_id) AS covered, count(*) AS counted "
            f"FROM {ORG} o {join} LEFT JOIN cov ON cov.organization_id = o.id WHERE {c['org']} GROUP BY 1 ORDER BY 1"
        )
    return (
        f"SELECT {column}, sum(o.id IN (SELECT l.organization_id FROM {LINK} l WHERE l.hub_id IN "
        f"(SELECT h.id FROM {HUB} h WHERE {c['hub']}) AND {c['link']})) AS covered, count(*) AS counted "
        f"FROM {ORG} o {join} WHERE {c['org']} GROUP BY 1 ORDER BY 1"
    )


def sql_by_district(day: date) -> str:
    return _sql_grouped(day, "o.district_id")


def sql_by_kind(day: date) -> str:
    return _sql_grouped(day, "o.kind")


def sql_by_field(day: date) -> str:
    return _sql_grouped(day, "f.field_id", f"JOIN {FIELDS} f ON f.organization_id = o.id")


def _sql_by_hub_column(day: date, column: str) -> str:
    """Distinct covered organizations per value of a hub column (Q3 `count_distinct` with one key), and the
    denominator as one more row (key NULL), in a single statement."""
    c = _conds(day)
    return (
        f"SELECT h.{column}, count(DISTINCT o.id) FROM {ORG} o JOIN {LINK} l ON l.organization_id = o.id "
        f"JOIN {HUB} h ON h.id = l.hub_id WHERE {c['org']} AND {c['link']} AND {c['hub']} GROUP BY 1 "
        f"UNION ALL SELECT NULL, count(*) FROM {ORG} o WHERE {c['org']}"
    )


def sql_by_system(day: date) -> str:
    return _sql_by_hub_column(day, "system_id")


def sql_by_level(day: date) -> str:
    return _sql_by_hub_column(day, "level")


def sql_district_system(day: date) -> str:
    """Q3 `count_distinct` (the winner on both engines)."""
    c = _conds(day)
    return (
        f"SELECT o.district_id, h.system_id, count(DISTINCT o.id) AS covered "
        f"FROM {ORG} o JOIN {LINK} l ON l.organization_id = o.id JOIN {HUB} h ON h.id = l.hub_id "
        f"WHERE {c['org']} AND {c['link']} AND {c['hub']} GROUP BY 1, 2 ORDER BY 1, 2"
    )


def sql_trend(days: list[date], until: date) -> str:
    """The trend figure as our code builds it (stored year ends before `until`, then `until` live), in one
    statement: the stored points summed per day, UNION ALL the Q1 shape for `until`."""
    start, d = _lit(days[0]) if days else _lit(until), _lit(until)
    return (
        f"SELECT * FROM (SELECT day, sum(numerator), sum(denominator) FROM indicators_storedfigure "
        f"WHERE indicator = 'hubs.coverage' AND day < {d} AND day >= {start} GROUP BY day ORDER BY day) s "
        f"UNION ALL SELECT {d}, t.* FROM ({sql_total(until)}) t"
    )


def sql_trend_recompute(days: list[date]) -> str:
    """Coverage per (day, district) on every given day, in one statement.

    PostgreSQL: Q4 `bitmask_v2`, grouped by district too. Bit k of a mask means "on the k-th day";
    width_bucket(x, days) is the number of days <= x. SQLite: Q4 `union_all_in_subquery`, grouped by district."""
    n = len(days)
    if connection.vendor == "postgresql":
        if n > 62:
            raise ValueError("at most 62 days in one bitmask")
        arr = "ARRAY[" + ",".join(_lit(day) for day in days) + "]"
        one = "1::bigint"
        return f"""
WITH hub AS MATERIALIZED (
  SELECT id, width_bucket(recognized_on - 1, {arr}) AS lo,
         CASE WHEN recognized_until IS NULL THEN {n} ELSE width_bucket(recognized_until, {arr}) END AS hi
  FROM {HUB}),
per_org AS (
  SELECT l.organization_id AS org,
         bit_or((({one} << LEAST(h.hi,
                                 CASE WHEN l.end_date IS NULL THEN {n} ELSE width_bucket(l.end_date, {arr}) END)) - 1)
                & ~(({one} << GREATEST(h.lo, width_bucket(l.start_date - 1, {arr}))) - 1)) AS m
  FROM {LINK} l JOIN hub h ON h.id = l.hub_id
  GROUP BY 1),
x AS (
  SELECT o.district_id, coalesce(p.m, 0) & o.am AS c, o.am, count(*) AS n
  FROM (SELECT id, district_id,
               (({one} << CASE WHEN active_until IS NULL THEN {n} ELSE width_bucket(active_until, {arr}) END) - 1)
               & ~(({one} << width_bucket(founded_on - 1, {arr})) - 1) AS am
        FROM {ORG} WHERE kind <> 'mass_organization') o
  LEFT JOIN per_org p ON p.org = o.id
  GROUP BY 1, 2, 3)
SELECT ({arr})[k + 1] AS day, district_id,
       coalesce(sum(n) FILTER (WHERE c & ({one} << k) <> 0), 0) AS covered,
       coalesce(sum(n) FILTER (WHERE am & ({one} << k) <> 0), 0) AS counted
FROM x CROSS JOIN generate_series(0, {n - 1}) k
GROUP BY k, district_id ORDER BY k, district_id"""
    branches = []
    for day in days:
        c = _conds(day)
        branches.append(
            f"SELECT '{day.isoformat()}' AS day, o.district_id, sum(o.id IN (SELECT l.organization_id FROM {LINK} l "
            f"JOIN {HUB} h ON h.id = l.hub_id WHERE {c['link']} AND {c['hub']})) AS covered, count(*) AS counted "
            f"FROM {ORG} o WHERE {c['org']} GROUP BY o.district_id"
        )
    return "\nUNION ALL\n".join(branches)


def sql_page(day: date, trend_days: list[date]) -> str:
    """Every figure of the dashboard in one hand-written statement: the links valid on D and the counted
    organizations each read once (materialized), then one UNION ALL branch per figure (districts, kinds, fields:
    covered and counted per group; systems and levels: distinct covered organizations per hub column) and the stored
    trend's year ends. Covered as `left_join_distinct` on PostgreSQL (a hashed IN falls off its plan cliff once the
    ids outgrow `work_mem`), `in_subquery` on SQLite."""
    c, d = _conds(day), _lit(day)
    start = _lit(trend_days[0]) if trend_days else d
    day_text = "to_char(day, 'YYYY-MM-DD')" if connection.vendor == "postgresql" else "day"  # whatever DateStyle
    if connection.vendor == "postgresql":
        counted = (
            f"SELECT o.id, o.district_id, o.kind, CAST(cov.org IS NOT NULL AS integer) AS covered FROM {ORG} o "
            f"LEFT JOIN (SELECT DISTINCT org FROM c) cov ON cov.org = o.id WHERE {c['org']}"
        )
    else:
        counted = (
            f"SELECT o.id, o.district_id, o.kind, o.id IN (SELECT org FROM c) AS covered FROM {ORG} o WHERE {c['org']}"
        )
    return f"""
WITH c AS MATERIALIZED (
  SELECT l.organization_id AS org, h.system_id AS sys, h.level AS lvl
  FROM {LINK} l JOIN {HUB} h ON h.id = l.hub_id WHERE {c["link"]} AND {c["hub"]}),
o AS MATERIALIZED ({counted})
SELECT 'district', CAST(o.district_id AS TEXT), sum(o.covered), count(*) FROM o GROUP BY o.district_id
UNION ALL SELECT 'kind', o.kind, sum(o.covered), count(*) FROM o GROUP BY o.kind
UNION ALL SELECT 'field', CAST(f.field_id AS TEXT), sum(o.covered), count(*)
  FROM o JOIN {FIELDS} f ON f.organization_id = o.id GROUP BY f.field_id
UNION ALL SELECT 'system', CAST(c.sys AS TEXT), count(DISTINCT c.org), NULL FROM c JOIN o ON o.id = c.org GROUP BY c.sys
UNION ALL SELECT 'level', c.lvl, count(DISTINCT c.org), NULL FROM c JOIN o ON o.id = c.org GROUP BY c.lvl
UNION ALL SELECT 'trend', {day_text}, sum(numerator), sum(denominator) FROM indicators_storedfigure
  WHERE indicator = 'hubs.coverage' AND day < {d} AND day >= {start} GROUP BY day"""


# ---------------------------------------------------------------- results, normalized


def _districts() -> list[int]:
    from shuniu.areas.models import Area

    return list(Area.objects.districts().values_list("pk", flat=True))


def total(day: date):
    covered, counted = _fetch(sql_total(day))[0]
    return int(covered), int(counted)


def by_district(day: date) -> dict:
    rows = {d: (int(c), int(n)) for d, c, n in _fetch(sql_by_district(day))}
    return {pk: rows.get(pk, (0, 0)) for pk in _districts()}


def by_kind(day: date) -> dict:
    return {kind: (int(c), int(n)) for kind, c, n in _fetch(sql_by_kind(day))}


def by_field(day: date) -> dict:
    return {field: (int(c), int(n)) for field, c, n in _fetch(sql_by_field(day))}


def _by_hub_column(sql: str, keys: list) -> dict:
    rows = dict(_fetch(sql))
    counted = int(rows.pop(None))
    return {key: (int(rows.get(key, 0)), counted) for key in keys}


def by_system(day: date) -> dict:
    from shuniu.hubs.models import System

    return _by_hub_column(sql_by_system(day), list(System.objects.values_list("pk", flat=True)))


def by_level(day: date) -> dict:
    from shuniu.hubs.choices import HubLevel

    return _by_hub_column(sql_by_level(day), [level.value for level in HubLevel])


def district_system(day: date) -> dict:
    return {(d, s): int(n) for d, s, n in _fetch(sql_district_system(day))}


def trend(days: list[date], until: date) -> list[tuple]:
    return [(_day(d), int(c), int(n)) for d, c, n in _fetch(sql_trend(days, until))]


def trend_recompute(days: list[date]) -> dict:
    rows = {(_day(d), district): (int(c), int(n)) for d, district, c, n in _fetch(sql_trend_recompute(days))}
    return {(day, pk): rows.get((day, pk), (0, 0)) for day in days for pk in _districts()}


def _day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def page(day: date, trend_days: list[date]) -> dict:
    """The dashboard's figures from `sql_page`, normalized like `benchmarks.dashboard`'s page data."""
    from shuniu.hubs.choices import HubLevel
    from shuniu.hubs.models import System

    parts: dict[str, dict] = {"district": {}, "kind": {}, "field": {}, "system": {}, "level": {}, "trend": {}}
    for part, key, covered, counted in _fetch(sql_page(day, trend_days)):
        parts[part][key] = (int(covered), None if counted is None else int(counted))
    districts = {int(key): value for key, value in parts["district"].items()}
    numerator, denominator = sum(c for c, _n in districts.values()), sum(n for _c, n in districts.values())
    systems = {int(key): covered for key, (covered, _none) in parts["system"].items()}
    levels = {key: covered for key, (covered, _none) in parts["level"].items()}
    trend = [(_day(d), c, n) for d, (c, n) in sorted(parts["trend"].items())]
    return {
        "coverage_total": (numerator, denominator),
        "coverage_by_district": {pk: districts.get(pk, (0, 0)) for pk in _districts()},
        "coverage_by_system": {
            pk: (systems.get(pk, 0), denominator) for pk in System.objects.values_list("pk", flat=True)
        },
        "coverage_trend": [*trend, (day, numerator, denominator)],
        "coverage_by_level": {level.value: (levels.get(level.value, 0), denominator) for level in HubLevel},
        "coverage_by_kind": parts["kind"],
        "coverage_by_field": {int(key): value for key, value in parts["field"].items()},
    }
