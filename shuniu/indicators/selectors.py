"""Coverage figures computed from records as of any date. Each one counts with the selectors of
`hubs.selectors`, so every figure equals the row count of the organization list it links to.

How the figures are counted (measured in benchmarks/RESULTS.md): each figure is one statement whose two inputs
are the SQL of the defining querysets, `links_covering_on(day)` and `organizations_counted_on(day, user)`, as
subqueries `c` and `o`; only the counting around them is written here, in the shapes that won in
shared/reference/coverage-floor.md. We avoid `count(*) FILTER (WHERE id IN (covered ids))`: on
PostgreSQL that is a hashed subplan only while the planner expects the covered ids to fit in `work_mem`; past
that (at 100k organizations, most days from 2016 on) it becomes a plain subplan re-run for every organization,
which took minutes.
"""

from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.db.models import Count, F, Sum
from django.utils.translation import gettext as _

from shuniu.areas.models import Area
from shuniu.core.access import is_city_wide, permission_name, user_can, user_grants
from shuniu.core.access import scope_label as access_scope_label
from shuniu.hubs.choices import HubLevel
from shuniu.hubs.models import Hub, System
from shuniu.hubs.selectors import links_covering_on, organizations_counted_on
from shuniu.organizations.choices import OrganizationKind
from shuniu.organizations.models import Field, Organization

from .figures import Figure, Growth
from .models import CoverageTrendPoint

TREND_START_YEAR = 2008
DIMENSIONS = ("district", "street", "kind", "field", "level", "system")


# ---------------------------------------------------------------- the two inputs, as SQL


@dataclass
class _Inputs:
    links: tuple[str, list]  # SELECT c_org, c_<name>, …: links_covering_on(day)
    orgs: tuple[str, list]  # SELECT o_pk, o_<name>, …: organizations_counted_on(day, user)


def _compiled(queryset) -> tuple[str, list]:
    sql, params = queryset.order_by().query.sql_with_params()
    return sql, list(params)


def _inputs(*, day, user, links: dict | None = None, orgs: dict | None = None, base=None, level=None):
    """The SQL of the two defining querysets, with columns c_org, c_<name> for `links` and o_pk, o_<name> for
    `orgs` ({name: lookup}). None when the user may see no organization."""
    counted = base if base is not None else organizations_counted_on(day=day, user=user)
    if counted.query.is_empty():
        return None
    link_columns = {"c_org": F("organization_id"), **{f"c_{name}": F(v) for name, v in (links or {}).items()}}
    org_columns = {"o_pk": F("pk"), **{f"o_{name}": F(v) for name, v in (orgs or {}).items()}}
    return _Inputs(
        links=_compiled(links_covering_on(day=day, level=level).values(**link_columns)),
        orgs=_compiled(counted.values(**org_columns)),
    )


def _fetch(*parts) -> list[tuple]:
    """Run the statement made of `parts`: SQL text, and (sql, params) pairs spliced in where they stand. Subqueries
    are written inline rather than as common table expressions wherever they are read once, so the planner keeps
    their statistics (PostgreSQL knows nothing of a materialized CTE's columns, and guessed 200 organizations)."""
    sql, params = [], []
    for part in parts:
        if isinstance(part, str):
            sql.append(part)
        else:
            sql.append(part[0])
            params += part[1]
    with connection.cursor() as cursor:
        cursor.execute("".join(sql), params)
        return cursor.fetchall()


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
    return _("全市") if _city_wide(user) else access_scope_label(user, Organization)


def _city_wide(user) -> bool:
    """Whether the user's figures are the whole city's (no user: the command line and internal callers)."""
    return user is None or is_city_wide(user, Organization)


def _districts_in_view(user):
    """The districts a figure table lists: all of them for the whole city, otherwise those holding organizations
    in the user's scope (other rows would only show zeros the user cannot open)."""
    districts = Area.objects.districts()
    if _city_wide(user):
        return districts
    return districts.filter(pk__in=Organization.objects.restrict(user, "view").values("district_id"))


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


# ---------------------------------------------------------------- figures


def coverage_total(*, day: date, user) -> Figure:
    inputs = _inputs(day=day, user=user)
    numerator, denominator = 0, 0
    if inputs:
        numerator, denominator = _fetch(*_covered(inputs))[0]
    return Figure(label=scope_label(user), key="total", day=day, numerator=numerator, denominator=denominator)


def _grouped(*, day, user, group_by, base=None):
    """{value of `group_by` (a column or relation of the organization): (covered, counted)}."""
    inputs = _inputs(day=day, user=user, orgs={"g": group_by}, base=base)
    if not inputs:
        return {}
    rows = _fetch(*_covered(inputs, "o.o_g"), " GROUP BY o.o_g")
    return {value: (numerator, denominator) for value, numerator, denominator in rows}


def coverage_by_district(*, day: date, user) -> list[Figure]:
    counts = _grouped(day=day, user=user, group_by="district_id")
    return [
        Figure(
            label=area.name,
            key=area.code,
            day=day,
            numerator=counts.get(area.pk, (0, 0))[0],
            denominator=counts.get(area.pk, (0, 0))[1],
            filters={"district": area.pk},
        )
        for area in _districts_in_view(user)
    ]


def coverage_by_street(*, day: date, user, district: Area | None = None) -> list[Figure]:
    base = organizations_counted_on(day=day, user=user)
    streets = Area.objects.streets()
    if district is not None:
        base = base.filter(district=district)
        streets = streets.filter(parent=district)
    counts = _grouped(day=day, user=user, group_by="street_id", base=base)
    figures = [
        Figure(
            label=area.name,
            key=area.code,
            day=day,
            numerator=counts[area.pk][0],
            denominator=counts[area.pk][1],
            filters={"street": area.pk},
        )
        for area in streets
        if area.pk in counts
    ]
    return figures


def _kind_figures(day, counts) -> list[Figure]:
    return [
        Figure(
            label=kind.label,
            key=kind.value,
            day=day,
            numerator=counts[kind][0],
            denominator=counts[kind][1],
            filters={"kind": kind.value},
        )
        for kind in OrganizationKind
        if kind in counts
    ]


def coverage_by_kind(*, day: date, user) -> list[Figure]:
    return _kind_figures(day, _grouped(day=day, user=user, group_by="kind"))


def _field_figures(day, counts) -> list[Figure]:
    return [
        Figure(
            label=field.name,
            key=field.code,
            day=day,
            numerator=counts[field.pk][0],
            denominator=counts[field.pk][1],
            filters={"field": field.pk},
        )
        for field in Field.objects.all()
        if field.pk in counts
    ]


def coverage_by_field(*, day: date, user) -> list[Figure]:
    """Per field; an organization of several fields counts in each of them."""
    return _field_figures(day, _grouped(day=day, user=user, group_by="fields"))


def _covered_by(*, day, user, group_by, level=None):
    """({value of `group_by` (a hub attribute): distinct organizations covered by hubs of that value}, the number
    of counted organizations), in one statement."""
    inputs = _inputs(day=day, user=user, links={"g": group_by}, level=level)
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
    )
    counts = {value: n for is_group, value, n in rows if is_group}
    return counts, next(n for is_group, _value, n in rows if not is_group)


def _level_figures(day, counts, denominator) -> list[Figure]:
    return [
        Figure(
            label=level.label,
            key=level.value,
            day=day,
            numerator=counts.get(level.value, 0),
            denominator=denominator,
            filters={"covered_by_level": level.value},
        )
        for level in HubLevel
    ]


def coverage_by_level(*, day: date, user) -> list[Figure]:
    """Share of all counted organizations covered by hubs of each level."""
    return _level_figures(day, *_covered_by(day=day, user=user, group_by="hub__level"))


def _system_figures(day, counts, denominator, systems=None) -> list[Figure]:
    return [
        Figure(
            label=system.name,
            key=system.code,
            day=day,
            numerator=counts.get(system.pk, 0),
            denominator=denominator,
            filters={"covered_by_system": system.pk},
        )
        for system in (systems if systems is not None else System.objects.all())
    ]


def coverage_by_system(*, day: date, user) -> list[Figure]:
    """Share of all counted organizations covered by hubs of each system."""
    return _system_figures(day, *_covered_by(day=day, user=user, group_by="hub__system_id"))


def coverage_by(*, dimension: str, day: date, user) -> list[Figure]:
    return {
        "district": coverage_by_district,
        "street": coverage_by_street,
        "kind": coverage_by_kind,
        "field": coverage_by_field,
        "level": coverage_by_level,
        "system": coverage_by_system,
    }[dimension](day=day, user=user)


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
    {"total", "districts", "kinds", "fields", "systems", "levels", "trend"}, each equal to what coverage_total,
    coverage_by_district, coverage_by_kind, coverage_by_field, coverage_by_system, coverage_by_level and
    coverage_trend return (benchmarks/ and tests/test_benchmarks_smoke.py check it).

    Per covered organization, the systems and levels of the hubs covering it are OR-ed into bit masks; the
    organizations are then counted per (systems mask, levels mask) pair, a few thousand rows at 100k
    organizations, which are expanded here into the per-system and per-level counts."""
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
        )
        for part, key, text, numerator, denominator in rows:
            if part == "dk":
                by_district_kind[(key, text)] = (numerator, denominator)
            elif part == "f":
                by_field[key] = (numerator, denominator)
            else:  # numerator organizations covered by exactly the systems in mask `key`, levels in `denominator`
                for bit, system in enumerate(systems if systems_mask != "0" else ()):
                    if int(key) >> bit & 1:
                        by_system[system.pk] = by_system.get(system.pk, 0) + numerator
                for bit, level in enumerate(levels):
                    if int(denominator) >> bit & 1:
                        by_level[level] = by_level.get(level, 0) + numerator
    by_district, by_kind = {}, {}
    for (district, kind), (numerator, denominator) in by_district_kind.items():
        for counts, key in ((by_district, district), (by_kind, kind)):
            covered, counted = counts.get(key, (0, 0))
            counts[key] = (covered + numerator, counted + denominator)
    numerator = sum(n for n, _d in by_district.values())
    denominator = sum(d for _n, d in by_district.values())
    total = Figure(label=scope_label(user), key="total", day=day, numerator=numerator, denominator=denominator)
    districts = [
        Figure(
            label=area.name,
            key=area.code,
            day=day,
            numerator=by_district.get(area.pk, (0, 0))[0],
            denominator=by_district.get(area.pk, (0, 0))[1],
            filters={"district": area.pk},
        )
        for area in _districts_in_view(user)
    ]
    return {
        "total": total,
        "districts": districts,
        "kinds": _kind_figures(day, by_kind),
        "fields": _field_figures(day, by_field),
        "systems": _system_figures(day, by_system, denominator, systems),
        "levels": _level_figures(day, by_level, denominator),
        "trend": _trend(until=day, user=user, live=total),
    }


def hub_linked_counts(*, day: date, user, hubs=None) -> dict:
    """Organizations linked on `day` to each hub recognised on `day` (the hub's contribution to coverage)."""
    counted = organizations_counted_on(day=day, user=user)
    links = links_covering_on(day=day).filter(organization__in=counted.values("pk"))
    if hubs is not None:
        links = links.filter(hub__in=hubs)
    rows = links.values("hub_id").annotate(n=Count("organization_id", distinct=True))
    return {row["hub_id"]: row["n"] for row in rows}


def covered_count(*, day: date, user, system=None, level=None) -> int:
    counted = organizations_counted_on(day=day, user=user)
    links = links_covering_on(day=day, system=system, level=level)
    return counted.filter(pk__in=links.values("organization_id")).count()


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


def trend_days(until: date) -> list[date]:
    """31 December of each year from 2008 up to the year before `until`."""
    return [date(year, 12, 31) for year in range(TREND_START_YEAR, until.year)]


def _stored_trend(until: date, districts: list[int] | None = None):
    """The stored year-end points before `until`, summed over districts (all, or `districts`):
    (day, numerator, denominator)."""
    points = CoverageTrendPoint.objects.filter(day__lt=until, day__gte=date(TREND_START_YEAR, 12, 31))
    if districts is not None:
        points = points.filter(district__in=districts)
    return points.values("day").annotate(numerator=Sum("numerator"), denominator=Sum("denominator")).order_by()


def _trend_figures(*, until: date, rows, live: Figure) -> list[Figure]:
    figures = [
        Figure(label=str(day.year), key=str(day), day=day, numerator=numerator, denominator=denominator)
        for day, numerator, denominator in sorted(rows)
    ]
    live = Figure(label=str(until), key=live.key, day=live.day, numerator=live.numerator, denominator=live.denominator)
    figures.append(live)
    return figures


def _trend(*, until: date, user, live: Figure) -> list[Figure]:
    from .services import trend_refresh

    rows = []
    if _city_wide(user):
        trend_refresh(until=until)
        rows = [(row["day"], row["numerator"], row["denominator"]) for row in _stored_trend(until)]
    elif (districts := _whole_districts(user)) is not None:
        trend_refresh(until=until)
        stored = _stored_trend(until, districts)
        rows = [(row["day"], row["numerator"], row["denominator"]) for row in stored]
    elif user_can(user, Organization, "view"):  # a street, a hub's or an organization's scope: counted live
        for day in trend_days(until):
            figure = coverage_total(day=day, user=user)
            rows.append((day, figure.numerator, figure.denominator))
    return _trend_figures(until=until, rows=rows, live=live)


def coverage_trend(*, until: date, user) -> list[Figure]:
    """Coverage at each year end since 2008 (stored, refreshed when stale), then live on `until`: the stored
    points and the live count in one statement."""
    from .services import trend_refresh

    inputs = _inputs(day=until, user=user)
    if not inputs or not _city_wide(user):
        return _trend(until=until, user=user, live=coverage_total(day=until, user=user))
    trend_refresh(until=until)
    stored, live = [], (0, 0)
    for day, numerator, denominator in _fetch(
        "SELECT * FROM (", _compiled(_stored_trend(until)), ") s UNION ALL ", *_covered(inputs, "NULL")
    ):
        if day is None:
            live = (numerator, denominator)
        else:
            stored.append((day if isinstance(day, date) else date.fromisoformat(day), numerator, denominator))
    total = Figure(label=scope_label(user), key="total", day=until, numerator=live[0], denominator=live[1])
    return _trend_figures(until=until, rows=stored, live=total)


def hub_counts_by_level(*, day: date, user) -> dict:
    """Hubs recognised on `day` by level: those of the user's areas and above, not another district's hub that the
    user sees because it serves one of their organizations (`Hub.scope.seen_with`)."""
    hubs = Hub.objects.restrict(user, "view", seen_with=False).recognized_on(day)
    return {row["level"]: row["n"] for row in hubs.values("level").annotate(n=Count("pk"))}
