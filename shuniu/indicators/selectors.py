"""Indicator figures computed from records as of any date, for every indicator of the registry (`registry`): each one
counts with the two querysets its declaration names (`core.indicators.Share`: the counted population and the relation
held), so every figure equals the row count of the list it links to. Coverage (`hubs.coverage`) is one of them; the
functions named `coverage_*` are its figures.

How the figures are counted (measured in benchmarks/RESULTS.md): each figure is one statement whose two inputs
are the SQL of the defining querysets, for coverage `links_covering_on(day)` and `organizations_counted_on(day,
user)`, as subqueries `c` and `o`; only the counting around them is written here, in the shapes that measured
fastest against hand-written SQL (`benchmarks/floor.py`). We avoid `count(*) FILTER (WHERE id IN (covered ids))`: on
PostgreSQL that is a hashed subplan only while the planner expects the covered ids to fit in `work_mem`; past
that (at 100k organizations, most days from 2016 on) it becomes a plain subplan re-run for every organization,
which took minutes.
"""

from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.db.models import Count, F
from django.utils.translation import gettext as _

from shuniu.areas.models import Area
from shuniu.core.access import permission_name, user_can, user_grants
from shuniu.core.access import scope_label as access_scope_label
from shuniu.core.indicators import Dimension, Indicator
from shuniu.hubs.choices import HubLevel
from shuniu.hubs.models import Hub, System
from shuniu.hubs.selectors import hub_linked_counts, organizations_counted_on  # noqa: F401  (re-exported)
from shuniu.organizations.models import Organization

from . import cache, registry, stored
from . import dimensions as groups
from .figures import Figure, Growth

TREND_START_YEAR = 2008
DIMENSIONS = ("district", "street", "kind", "field", "level", "system")


def _coverage() -> Indicator:
    return registry.indicator(registry.COVERAGE)


# ---------------------------------------------------------------- the two inputs, as SQL


@dataclass
class _Inputs:
    links: tuple[str, list]  # SELECT c_org, c_<name>, …: the relation's rows valid on D (links_covering_on(day))
    orgs: tuple[str, list]  # SELECT o_pk, o_<name>, …: the counted population (organizations_counted_on(day, user))


def _compiled(queryset) -> tuple[str, list]:
    sql, params = queryset.order_by().query.sql_with_params()
    return sql, list(params)


def _inputs(*, day, user, links: dict | None = None, orgs: dict | None = None, base=None, level=None, indicator=None):
    """The SQL of the indicator's two defining querysets, with columns c_org, c_<name> for `links` and o_pk, o_<name>
    for `orgs` ({name: lookup}). None when the user may see no record of the population."""
    share = (indicator or _coverage()).share
    counted = base if base is not None else share.counted(day=day, user=user)
    if counted.query.is_empty():
        return None
    link_columns = {"c_org": F(share.holder), **{f"c_{name}": F(v) for name, v in (links or {}).items()}}
    org_columns = {"o_pk": F("pk"), **{f"o_{name}": F(v) for name, v in (orgs or {}).items()}}
    rows = share.rows(day=day, level=level) if level else share.rows(day=day)
    if base is not None or not groups.city_wide(user):
        # a part of the population: only its relations are read (a hub's organizations through the relation's
        # index on the holder, not every link of the city; a district's links grouped, not the city's)
        rows = rows.filter(**{f"{share.holder}__in": counted.values("pk")})
    return _Inputs(links=_compiled(rows.values(**link_columns)), orgs=_compiled(counted.values(**org_columns)))


def _fetch(*parts, indicator: Indicator, state=None) -> list[tuple]:
    """Run the statement made of `parts`: SQL text, and (sql, params) pairs spliced in where they stand. Subqueries
    are written inline rather than as common table expressions wherever they are read once, so the planner keeps
    their statistics (PostgreSQL knows nothing of a materialized CTE's columns, and guessed 200 organizations).

    The rows are those kept for the data as of the indicator's version (`cache.py`; its fill `state` read here unless
    the caller has it): the statement runs once per write that changes the records behind it."""
    sql, params = [], []
    for part in parts:
        if isinstance(part, str):
            sql.append(part)
        else:
            sql.append(part[0])
            params += part[1]
    sql = "".join(sql)

    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    return cache.answer(state or stored.state(indicator), (sql, params), run)


def _covered(inputs: _Inputs, *columns: str):
    """`SELECT <columns>, <covered>, <counted> FROM <the counted organizations o>`: the shape that won on each engine.

    PostgreSQL: o left-joined to the distinct covered ids (`left_join_distinct`). SQLite: the covered ids as an IN
    list, which SQLite builds once (`in_subquery`); on PostgreSQL that shape is the fragile hashed subplan."""
    select = "SELECT " + "".join(f"{column}, " for column in columns)
    if connection.vendor == "postgresql":
        return (
            select + "count(cov.c_org), count(*) FROM (",
            inputs.orgs,
            ") o LEFT JOIN (SELECT DISTINCT c.c_org FROM (",
            inputs.links,
            ") c) cov ON cov.c_org = o.o_pk",
        )
    return (
        select + "coalesce(sum(o.o_pk IN (SELECT c.c_org FROM (",
        inputs.links,
        ") c)), 0), count(*) FROM (",
        inputs.orgs,
        ") o",
    )


# ---------------------------------------------------------------- scope


def scope_label(user) -> str:
    """What the user's figures cover: 全市, or the areas and organizations of their assignments (朝阳区、海淀区)."""
    return _("全市") if groups.city_wide(user) else access_scope_label(user, Organization)


def _whole_districts(user) -> list[int] | None:
    """The districts whose stored trend points make up the user's scope exactly (a scope of whole districts), or
    None when it is anything finer (a street, a hub, an organization)."""
    ids = []
    for grant in user_grants(user):
        if not grant.grants(permission_name(Organization, "view")):
            continue
        if grant.kind != "area" or grant.area_path.count("/") != 3:  # "/110000/110105/": a district
            return None
        ids.extend(pk for pk in grant.area_ids() if pk not in ids)
    districts = list(Area.objects.districts().filter(pk__in=ids).values_list("pk", flat=True))
    return districts or None


# ---------------------------------------------------------------- figures of any indicator


def _figure(indicator: Indicator, **values) -> Figure:
    return Figure(drill=indicator.drill, **values)


def _group_figures(indicator, dimension: Dimension, day, user, counts: dict, denominator=None, values=None):
    """One figure per group of `dimension`: counts {value: (numerator, denominator)}, or for a dimension of the
    relation {value: numerator} with the shared `denominator`."""
    figures = []
    for value, key, label in values if values is not None else dimension.group_values(user=user, counts=counts):
        if dimension.shares_denominator:
            numerator, total = counts.get(value, 0), denominator
        else:
            numerator, total = counts.get(value, (0, 0))
        figures.append(
            _figure(
                indicator,
                label=label,
                key=key,
                day=day,
                numerator=numerator,
                denominator=total,
                filters={dimension.filter: value},
            )
        )
    return figures


def figure_total(indicator: Indicator, *, day: date, user, state=None) -> Figure:
    inputs = _inputs(day=day, user=user, indicator=indicator)
    numerator, denominator = 0, 0
    if inputs:
        numerator, denominator = _fetch(*_covered(inputs), indicator=indicator, state=state)[0]
    return _figure(
        indicator, label=scope_label(user), key="total", day=day, numerator=numerator, denominator=denominator
    )


def _grouped(*, day, user, group_by, base=None, indicator=None):
    """{value of `group_by` (a column or relation of the counted record): (covered, counted)}."""
    inputs = _inputs(day=day, user=user, orgs={"g": group_by}, base=base, indicator=indicator)
    if not inputs:
        return {}
    rows = _fetch(*_covered(inputs, "o.o_g"), " GROUP BY o.o_g", indicator=indicator or _coverage())
    return {value: (numerator, denominator) for value, numerator, denominator in rows}


def _covered_by(*, day, user, group_by, level=None, indicator=None):
    """({value of `group_by` (a column of the relation's row): distinct records holding a relation of that value},
    the number of counted records), in one statement."""
    inputs = _inputs(day=day, user=user, links={"g": group_by}, level=level, indicator=indicator)
    if not inputs:
        return {}, 0
    rows = _fetch(
        "SELECT 1, c.c_g, count(DISTINCT c.c_org) FROM (",
        inputs.links,
        ") c JOIN (",
        inputs.orgs,
        ") o ON o.o_pk = c.c_org GROUP BY c.c_g UNION ALL SELECT 0, NULL, count(*) FROM (",
        inputs.orgs,
        ") o",
        indicator=indicator or _coverage(),
    )
    counts = {value: n for is_group, value, n in rows if is_group}
    return counts, next(n for is_group, _value, n in rows if not is_group)


def figures_by(indicator: Indicator, *, dimension: str, day: date, user) -> list[Figure]:
    """The figures of one dimension of any indicator, as its declaration says."""
    declared = indicator.dimension(dimension)
    if declared.shares_denominator:
        counts, denominator = _covered_by(day=day, user=user, group_by=declared.lookup, indicator=indicator)
        return _group_figures(indicator, declared, day, user, counts, denominator)
    counts = _grouped(day=day, user=user, group_by=declared.lookup, indicator=indicator)
    return _group_figures(indicator, declared, day, user, counts)


# ---------------------------------------------------------------- coverage


def coverage_total(*, day: date, user) -> Figure:
    return figure_total(_coverage(), day=day, user=user)


def coverage_by_district(*, day: date, user) -> list[Figure]:
    return figures_by(_coverage(), dimension="district", day=day, user=user)


def coverage_by_street(*, day: date, user, district: Area | None = None) -> list[Figure]:
    indicator = _coverage()
    dimension = indicator.dimension("street")
    base = indicator.share.counted(day=day, user=user)
    if district is not None:
        base = base.filter(district=district)
    counts = _grouped(day=day, user=user, group_by=dimension.lookup, base=base, indicator=indicator)
    values = groups.streets(user=user, counts=counts, district=district)
    return _group_figures(indicator, dimension, day, user, counts, values=values)


def coverage_by_kind(*, day: date, user) -> list[Figure]:
    return figures_by(_coverage(), dimension="kind", day=day, user=user)


def coverage_by_field(*, day: date, user) -> list[Figure]:
    """Per field; an organization of several fields counts in each of them."""
    return figures_by(_coverage(), dimension="field", day=day, user=user)


def coverage_by_level(*, day: date, user) -> list[Figure]:
    """Share of all counted organizations covered by hubs of each level."""
    return figures_by(_coverage(), dimension="level", day=day, user=user)


def coverage_by_system(*, day: date, user) -> list[Figure]:
    """Share of all counted organizations covered by hubs of each system."""
    return figures_by(_coverage(), dimension="system", day=day, user=user)


def coverage_by(*, dimension: str, day: date, user) -> list[Figure]:
    if dimension == "street":
        return coverage_by_street(day=day, user=user)
    return figures_by(_coverage(), dimension=dimension, day=day, user=user)


def coverage_district_system(*, day: date, user) -> dict:
    """Organizations covered on `day` per (district id, system id)."""
    inputs = _inputs(day=day, user=user, links={"s": "hub__system_id"}, orgs={"d": "district_id"})
    if not inputs:
        return {}
    rows = _fetch(
        "SELECT o.o_d, c.c_s, count(DISTINCT c.c_org) FROM (",
        inputs.links,
        ") c JOIN (",
        inputs.orgs,
        ") o ON o.o_pk = c.c_org GROUP BY o.o_d, c.c_s",
        indicator=_coverage(),
    )
    return {(district, system): n for district, system, n in rows}


def _mask(column: str, values: list) -> str:
    """SQL: the bit (as a power of two) of `column`'s value in `values`, NULL for any other value."""
    cases = " ".join(f"WHEN {_literal(value)} THEN {1 << bit}" for bit, value in enumerate(values))
    return f"CAST(CASE {column} {cases} END AS bigint)"


def _literal(value) -> str:
    return str(int(value)) if isinstance(value, int) else "'" + str(value).replace("'", "''") + "'"


def coverage_overview(*, day: date, user) -> dict:
    """Every coverage figure of the dashboard from one statement, which finds the covered organizations once:
    {"total", "districts", "kinds", "fields", "systems", "levels", "trend", "trend_pending"}, each equal to what
    coverage_total, coverage_by_district, coverage_by_kind, coverage_by_field, coverage_by_system, coverage_by_level
    and coverage_trend return (benchmarks/ and tests/test_benchmarks_smoke.py check it). Coverage's declared
    "overview" fast path.

    Per covered organization, the systems and levels of the hubs covering it are OR-ed into bit masks; the
    organizations are then counted per (systems mask, levels mask) pair, a few thousand rows at 100k
    organizations, which are expanded here into the per-system and per-level counts."""
    indicator = _coverage()
    current = stored.state(indicator)  # the kept figures' version, and the trend's fill state
    systems = list(System.objects.all())
    levels = [level.value for level in HubLevel]
    inputs = _inputs(
        day=day,
        user=user,
        links={"system_id": "hub__system_id", "level": "hub__level"},
        orgs={"district_id": "district_id", "kind": "kind"},
    )
    by_district_kind, by_field, by_system, by_level = {}, {}, {}, {}
    if inputs and len(systems) > 62:  # more systems than bits in a bigint: count them one by one
        by_system = _covered_by(day=day, user=user, group_by="hub__system_id")[0]
        systems_mask = "0"
    else:
        systems_mask = _mask("c.c_system_id", [system.pk for system in systems])
    if inputs:
        fields = _compiled(
            Organization.fields.through.objects.values(f_org=F("organization_id"), f_field=F("field_id"))
        )
        # SQLite has no bit_or(); the sum of the distinct powers of two is the same number
        bit_or = "bit_or" if connection.vendor == "postgresql" else "sum(DISTINCT "
        close = "" if connection.vendor == "postgresql" else ")"
        rows = _fetch(
            f"WITH p AS (SELECT c.c_org, {bit_or}({systems_mask}){close} AS sm, "
            f"{bit_or}({_mask('c.c_level', levels)}){close} AS lm FROM (",
            inputs.links,
            ") c GROUP BY c.c_org), "
            "oc AS (SELECT o.o_pk, o.o_district_id, o.o_kind, p.c_org AS covered, p.sm, p.lm FROM (",
            inputs.orgs,
            ") o LEFT JOIN p ON p.c_org = o.o_pk) "
            "SELECT 'dk', oc.o_district_id, oc.o_kind, count(oc.covered), count(*) FROM oc "
            "GROUP BY oc.o_district_id, oc.o_kind "
            "UNION ALL SELECT 'f', f.f_field, NULL, count(oc.covered), count(*) FROM oc JOIN (",
            fields,
            ") f ON f.f_org = oc.o_pk GROUP BY f.f_field "
            "UNION ALL SELECT 'm', oc.sm, NULL, count(*), oc.lm FROM oc WHERE oc.covered IS NOT NULL "
            "GROUP BY oc.sm, oc.lm",
            indicator=indicator,
            state=current,
        )
        by_system_bit, by_level_bit = {}, {}
        for part, key, text, numerator, denominator in rows:
            if part == "dk":
                by_district_kind[(key, text)] = (numerator, denominator)
            elif part == "f":
                by_field[key] = (numerator, denominator)
            else:  # numerator organizations covered by exactly the systems in mask `key`, levels in `denominator`:
                # the set bits only (thousands of mask pairs × every system took 40 ms a dashboard)
                for mask, counts in ((int(key or 0), by_system_bit), (int(denominator or 0), by_level_bit)):
                    while mask:
                        bit = (mask & -mask).bit_length() - 1
                        counts[bit] = counts.get(bit, 0) + numerator
                        mask &= mask - 1
        if systems_mask != "0":
            by_system = {system.pk: by_system_bit[bit] for bit, system in enumerate(systems) if bit in by_system_bit}
        by_level = {level: by_level_bit[bit] for bit, level in enumerate(levels) if bit in by_level_bit}
    by_district, by_kind = {}, {}
    for (district, kind), (numerator, denominator) in by_district_kind.items():
        for counts, key in ((by_district, district), (by_kind, kind)):
            covered, counted = counts.get(key, (0, 0))
            counts[key] = (covered + numerator, counted + denominator)
    numerator = sum(n for n, _d in by_district.values())
    denominator = sum(d for _n, d in by_district.values())
    total = _figure(
        indicator, label=scope_label(user), key="total", day=day, numerator=numerator, denominator=denominator
    )
    dimension = indicator.dimension
    trend, pending = _trend(until=day, user=user, live=total, current=current)
    return {
        "total": total,
        "districts": _group_figures(indicator, dimension("district"), day, user, by_district),
        "kinds": _group_figures(indicator, dimension("kind"), day, user, by_kind),
        "fields": _group_figures(indicator, dimension("field"), day, user, by_field),
        "systems": _group_figures(
            indicator,
            dimension("system"),
            day,
            user,
            by_system,
            denominator,
            groups.systems(user=user, counts=by_system, systems=systems),
        ),
        "levels": _group_figures(indicator, dimension("level"), day, user, by_level, denominator),
        "trend": trend,
        "trend_pending": pending,
    }


def covered_count(*, day: date, user, system=None, level=None) -> int:
    """The covered organizations' count: the drill-down selector's (`Share.holders`), counted."""
    share = _coverage().share
    filters = {name: value for name, value in {"system": system, "level": level}.items() if value}
    assert set(filters) <= set(share.filters), filters
    return share.holding(day=day, user=user, **filters).count()


def coverage_growth(*, start: date, end: date, user, level: str | None = None) -> dict:
    """Organizations linked to hubs (of `level`, if given) on two dates; each system's share of the total
    and of the increase."""
    total = Growth(
        start=covered_count(day=start, user=user, level=level), end=covered_count(day=end, user=user, level=level)
    )
    by_system_start = _covered_by(day=start, user=user, group_by="hub__system_id", level=level)[0]
    by_system_end = _covered_by(day=end, user=user, group_by="hub__system_id", level=level)[0]
    rows = []
    for system in System.objects.all():
        part = Growth(start=by_system_start.get(system.pk, 0), end=by_system_end.get(system.pk, 0))
        if part.start or part.end:
            rows.append(
                {
                    "system": system,
                    "growth": part,
                    "share_of_total": total.share_of_total(part),
                    "share_of_increase": total.share_of_increase(part),
                }
            )
    return {"start": start, "end": end, "level": level, "total": total, "systems": rows}


# ---------------------------------------------------------------- the trend: stored year ends, then the day itself


def trend_days(until: date) -> list[date]:
    """31 December of each year from 2008 up to the year before `until`."""
    return _coverage().date_rule.trend_days(until)


def _trend_figures(indicator, *, until: date, rows, live: Figure) -> list[Figure]:
    figures = [
        _figure(indicator, label=str(day.year), key=str(day), day=day, numerator=numerator, denominator=denominator)
        for day, numerator, denominator in sorted(rows)
    ]
    figures.append(
        _figure(
            indicator,
            label=str(until),
            key=live.key,
            day=live.day,
            numerator=live.numerator,
            denominator=live.denominator,
        )
    )
    return figures


def _trend(
    *, until: date, user, live: Figure, indicator=None, current=None
) -> tuple[list[Figure], stored.Pending | None]:
    """The trend and, when stored days were stale, since when (their figures are then counted live, not stored).
    `current`: the indicator's fill state, if the caller read it."""
    indicator = indicator or _coverage()
    current = current or stored.state(indicator)
    rows, pending = [], None
    if groups.city_wide(user):
        rows, pending = stored.trend_rows(indicator, until, current=current)
    elif (districts := _whole_districts(user)) is not None:
        rows, pending = stored.trend_rows(indicator, until, districts, current=current)
    elif user_can(user, Organization, "view"):  # a street, a hub's or an organization's scope: counted live
        rows = _scoped_trend_rows(indicator, until, user, current)
    return _trend_figures(indicator, until=until, rows=rows, live=live), pending


def _scoped_trend_rows(indicator: Indicator, until: date, user, current) -> list[tuple]:
    """[(day, numerator, denominator)] of each trend day for a scope finer than whole districts (a street, a hub's
    organizations, one organization), which no stored figure sums to: counted live over the records the user may
    see, all days at once (`stored.counts_by_area`, one statement on PostgreSQL where 18 year ends took 18), and
    kept per data version like every figure."""
    days = indicator.date_rule.trend_days(until)
    model = indicator.share.counted(day=until, user=None).model
    among = model._default_manager.restrict(user, "view")
    sql, params = _compiled(among.values("pk"))

    def count():
        totals = {day: [0, 0] for day in days}
        for (day, _area), (numerator, denominator) in stored.counts_by_area(indicator, days, among=among).items():
            totals[day][0] += numerator
            totals[day][1] += denominator
        return [(day, numerator, denominator) for day, (numerator, denominator) in totals.items()]

    return cache.answer(current, ("scoped_trend", sql, params, tuple(days)), count)


def coverage_trend(*, until: date, user) -> list[Figure]:
    """Coverage at each year end since 2008 (stored; a day missing or stale counted live), then live on `until`: for
    the whole city, the stored points and the live count in one statement."""
    indicator = _coverage()
    inputs = _inputs(day=until, user=user)
    if not inputs or not groups.city_wide(user):
        return _trend(until=until, user=user, live=coverage_total(day=until, user=user))[0]
    current = stored.state(indicator)
    rows, live = [], (0, 0)
    for day, numerator, denominator in _fetch(
        "SELECT * FROM (",
        _compiled(stored.stored_sums(indicator, until)),
        ") s UNION ALL ",
        *_covered(inputs, "NULL"),
        indicator=indicator,
        state=current,
    ):
        if day is None:
            live = (numerator, denominator)
        else:
            rows.append((day if isinstance(day, date) else date.fromisoformat(day), numerator, denominator))
    rows, _pending = stored.with_state(indicator, until, rows, current)
    total = _figure(indicator, label=scope_label(user), key="total", day=until, numerator=live[0], denominator=live[1])
    return _trend_figures(indicator, until=until, rows=rows, live=total)


def hub_counts_by_level(*, day: date, user) -> dict:
    """Hubs recognised on `day` by level: those of the user's areas and above, not another district's hub that the
    user sees because it serves one of their organizations (`Hub.scope.seen_with`)."""
    hubs = Hub.objects.restrict(user, "view", seen_with=False).on(day)
    return {row["level"]: row["n"] for row in hubs.values("level").annotate(n=Count("pk"))}
