"""Reads that define concepts: "covered on D" is defined here, once, and used by every list, figure and API."""

from datetime import date

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q

from shuniu.organizations.choices import SOCIAL_KINDS
from shuniu.organizations.models import Organization

from .choices import HubLevel
from .models import Hub, Link


def links_covering_on(*, day: date, system=None, level: str | None = None, hub=None):
    """Links valid on `day` to a hub recognised on `day`, optionally of one system, level or hub."""
    hubs = Hub.objects.on(day)
    if system is not None:
        hubs = hubs.filter(system=system)
    if level:
        hubs = hubs.filter(level=level)
    if hub is not None:
        hubs = hubs.filter(pk=getattr(hub, "pk", hub))
    return Link.objects.on(day).filter(hub__in=hubs.values("pk"))


def organizations_counted_on(*, day: date, user=None, among=None):
    """The denominator of coverage: social organizations active on `day` (within the user's scope), or among the
    organizations of `among` (a list's filtered queryset, narrowed in place rather than through `pk IN (…)`)."""
    if among is not None:
        organizations = among
    else:
        organizations = Organization.objects.all() if user is None else Organization.objects.restrict(user, "view")
    return organizations.social().on(day)


def covered_condition(*, day: date, system=None, level=None, hub=None) -> Exists:
    """An organization holds a link valid on D to a hub recognised on D (of the given system, level or hub): the
    condition "covered on D" as a correlated EXISTS, negated (`~`) for "not covered".

    Why EXISTS rather than `pk__in=<the covering links' organization ids>`: on PostgreSQL, `NOT IN (subquery)` is a
    hashed subplan only while the planner expects the ids to fit in `work_mem`; past that (at 100,000 organizations,
    2019-12-31 among other days) it re-runs the subquery for every organization, which took minutes. EXISTS and
    NOT EXISTS become a semi join and an anti join, whose plans do not depend on that estimate
    (benchmarks/lists.py sweeps every district and ten dates)."""
    links = links_covering_on(day=day, system=system, level=level, hub=hub)
    return Exists(links.filter(organization=OuterRef("pk")))


def organizations_covered_on(*, day: date, user=None, system=None, level=None, hub=None, among=None):
    """Covered on D: a social organization active on D holding a link valid on D to a hub recognised on D."""
    covered = covered_condition(day=day, system=system, level=level, hub=hub)
    return organizations_counted_on(day=day, user=user, among=among).filter(covered)


def organizations_uncovered_on(*, day: date, user=None, system=None, level=None, hub=None, among=None):
    """The gap: counted on D and not covered on D (by the given system, level or hub, if any)."""
    covered = covered_condition(day=day, system=system, level=level, hub=hub)
    return organizations_counted_on(day=day, user=user, among=among).filter(~covered)


def hub_linked_counts(*, day: date, user, hubs=None) -> dict:
    """Organizations linked on `day` to each hub recognised on `day` (the hub's contribution to coverage)."""
    counted = organizations_counted_on(day=day, user=user)
    links = links_covering_on(day=day).filter(organization__in=counted.values("pk"))
    if hubs is not None:
        links = links.filter(hub__in=hubs)
    rows = links.values("hub_id").annotate(n=Count("organization_id", distinct=True))
    return {row["hub_id"]: row["n"] for row in rows}


def coverage_counts_by_district(*, days: list[date], portable: bool = False, among=None) -> dict:
    """{(day, district id): (covered, counted)} for every given day, over all organizations (what the stored trend
    keeps), or over the organizations of `among` (a queryset: a user's scope, whose trend is not stored). Districts
    without a counted organization on a day are left out.

    The portable path counts with the querysets above, two grouped queries per day. On PostgreSQL one statement
    answers all days at once (the fastest shape measured, a bit mask of days, grouped by district too):
    instead of filtering rows by a day, it turns each link's, hub's and organization's dated period into the set
    of given days it holds on, a bit mask (bit k = days[k]), so it restates the three dated tests of
    `links_covering_on` and `organizations_counted_on` (`on(day)` of Hub, Link and Organization, whose ends are all
    the last valid day: `core.dated`, and .social()) on whole periods. Both paths give the same numbers; benchmarks/ and
    tests/test_benchmarks_smoke.py assert it.
    """
    days = sorted(set(days))
    if not days:
        return {}
    if connection.vendor == "postgresql" and not portable:
        counts = {}
        for start in range(0, len(days), 62):  # a bigint mask holds 62 days
            counts.update(_coverage_counts_bitmask(days[start : start + 62], among))
        return counts
    counts = {}
    for day in days:
        counted = organizations_counted_on(day=day, among=among).values("district_id").annotate(n=Count("pk"))
        covered = organizations_covered_on(day=day, among=among).values_list("district_id").annotate(n=Count("pk"))
        covered = dict(covered)
        for row in counted:
            counts[(day, row["district_id"])] = (covered.get(row["district_id"], 0), row["n"])
    return counts


def _coverage_counts_bitmask(days: list[date], among=None) -> dict:
    """PostgreSQL. width_bucket(x, days) is the number of days <= x, so with the days in order:
    - a hub recognised from R to U inclusive (or open) is recognised on days[k] iff lo <= k < hi, with
      lo = #days < R and hi = #days <= U;
    - a link from S to E inclusive (or open) is valid on days[k] iff #days < S <= k < #days <= E;
    - an organization active from F to A inclusive (or open) is active on days[k] iff #days < F <= k < #days <= A.
    The mask of bits [lo, hi) is ((1 << hi) - 1) & ~((1 << lo) - 1), and 0 when hi <= lo. Per organization, the
    OR of its links' masks is the days it is covered on, AND-ed with the days it is counted on.

    With `among`, only its organizations and their links are read (through the links' organization index)."""
    n = len(days)
    kinds = [str(kind) for kind in SOCIAL_KINDS]
    if among is not None:
        among_sql, among_params = among.order_by().values("pk").query.sql_with_params()
        links_where, orgs_where = f"WHERE l.organization_id IN ({among_sql})", f"AND id IN ({among_sql})"
        params = [*among_params, kinds, *among_params]
    else:
        links_where, orgs_where, params = "", "", [kinds]
    one = "1::bigint"
    arr = "ARRAY[" + ", ".join(f"DATE '{day.isoformat()}'" for day in days) + "]"
    hub, link, org = Hub._meta.db_table, Link._meta.db_table, Organization._meta.db_table
    sql = f"""
WITH hub AS MATERIALIZED (
  SELECT id, width_bucket(recognized_on - 1, {arr}) AS lo,
         CASE WHEN recognized_until IS NULL THEN {n} ELSE width_bucket(recognized_until, {arr}) END AS hi
  FROM {hub}),
per_org AS (
  SELECT l.organization_id AS org,
         bit_or((({one} << LEAST(h.hi,
                                 CASE WHEN l.end_date IS NULL THEN {n} ELSE width_bucket(l.end_date, {arr}) END)) - 1)
                & ~(({one} << GREATEST(h.lo, width_bucket(l.start_date - 1, {arr}))) - 1)) AS m
  FROM {link} l JOIN hub h ON h.id = l.hub_id
  {links_where}
  GROUP BY 1),
x AS (
  SELECT o.district_id, coalesce(p.m, 0) & o.am AS c, o.am, count(*) AS n
  FROM (SELECT id, district_id,
               (({one} << CASE WHEN active_until IS NULL THEN {n} ELSE width_bucket(active_until, {arr}) END) - 1)
               & ~(({one} << width_bucket(founded_on - 1, {arr})) - 1) AS am
        FROM {org} WHERE kind = ANY(%s) {orgs_where}) o
  LEFT JOIN per_org p ON p.org = o.id
  GROUP BY 1, 2, 3)
SELECT k, district_id, sum(n) FILTER (WHERE c & ({one} << k) <> 0), sum(n) FILTER (WHERE am & ({one} << k) <> 0)
FROM x CROSS JOIN generate_series(0, {n - 1}) k
GROUP BY k, district_id"""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return {(days[k], district): (int(covered or 0), int(counted)) for k, district, covered, counted in rows if counted}


def hubs_suggested_for(*, organizations, day: date, user=None) -> dict:
    """For each organization, the hub to link it to: recognised on `day`, covering one of its fields (a hub
    with no fields covers all), with the narrowest jurisdiction containing the organization's area; with `user`,
    among the hubs the user may see. Returns {organization pk: Hub or None}."""
    organizations = list(organizations)
    hubs = Hub.objects.on(day) if user is None else Hub.objects.restrict(user).on(day)
    # only the hubs that can be suggested: of the organizations' streets and districts, and of the city (loading every
    # hub a district office sees, with its fields, took 0.2 s a page)
    areas = {pk for organization in organizations for pk in (organization.street_id, organization.district_id) if pk}
    hubs = hubs.filter(Q(area__in=areas) | Q(level=HubLevel.CITY))
    hubs = list(
        hubs.select_related("organization", "system").only("level", "area_id", "organization__name", "system__name")
    )
    hub_fields = {hub.pk: set() for hub in hubs}  # the fields as ids (hub models with their fields cost 0.1 ms each)
    for hub_id, field_id in Hub.fields.through.objects.filter(hub__in=hubs).values_list("hub_id", "field_id"):
        hub_fields[hub_id].add(field_id)
    by_area = {}
    for hub in hubs:
        by_area.setdefault(hub.area_id, []).append(hub)
    city_hubs = [hub for hub in hubs if hub.level == HubLevel.CITY]
    suggestions = {}
    for organization in organizations:
        fields = {f.pk for f in organization.fields.all()}
        candidates = (by_area.get(organization.street_id, []), by_area.get(organization.district_id, []), city_hubs)
        suggestions[organization.pk] = next(
            (hub for group in candidates for hub in group if not hub_fields[hub.pk] or hub_fields[hub.pk] & fields),
            None,
        )
    return suggestions
