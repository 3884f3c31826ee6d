"""Coverage figures computed from records as of any date. Each one counts with the selectors of
`hubs.selectors`, so every figure equals the row count of the organization list it links to."""

from datetime import date

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from shuniu.areas.models import Area
from shuniu.core.access import user_can
from shuniu.hubs.choices import HubLevel
from shuniu.hubs.models import Hub, System
from shuniu.hubs.selectors import links_covering_on, organizations_counted_on
from shuniu.organizations.choices import OrganizationKind
from shuniu.organizations.models import Field, Organization

from .figures import Figure, Growth
from .models import CoverageTrendPoint

TREND_START_YEAR = 2008
DIMENSIONS = ("district", "street", "kind", "field", "level", "system")


def _covered_ids(day):
    return links_covering_on(day=day).values("organization_id")


def coverage_total(*, day: date, user) -> Figure:
    row = organizations_counted_on(day=day, user=user).aggregate(
        denominator=Count("pk"), numerator=Count("pk", filter=Q(pk__in=_covered_ids(day)))
    )
    return Figure(label=_("全市"), key="total", day=day, **row)


def _grouped(*, day, user, group_by, base=None):
    base = base if base is not None else organizations_counted_on(day=day, user=user)
    rows = base.values(group_by).annotate(
        denominator=Count("pk"), numerator=Count("pk", filter=Q(pk__in=_covered_ids(day)))
    )
    return {row[group_by]: (row["numerator"], row["denominator"]) for row in rows}


def coverage_by_district(*, day: date, user) -> list[Figure]:
    counts = _grouped(day=day, user=user, group_by="district_id")
    return [
        Figure(label=area.name, key=area.code, day=day, numerator=counts.get(area.pk, (0, 0))[0],
               denominator=counts.get(area.pk, (0, 0))[1], filters={"district": area.pk})
        for area in Area.objects.districts()
    ]


def coverage_by_street(*, day: date, user, district: Area | None = None) -> list[Figure]:
    base = organizations_counted_on(day=day, user=user)
    streets = Area.objects.streets()
    if district is not None:
        base = base.filter(district=district)
        streets = streets.filter(parent=district)
    counts = _grouped(day=day, user=user, group_by="street_id", base=base)
    figures = [
        Figure(label=area.name, key=area.code, day=day, numerator=counts[area.pk][0],
               denominator=counts[area.pk][1], filters={"street": area.pk})
        for area in streets if area.pk in counts
    ]
    return figures


def coverage_by_kind(*, day: date, user) -> list[Figure]:
    counts = _grouped(day=day, user=user, group_by="kind")
    return [
        Figure(label=kind.label, key=kind.value, day=day, numerator=counts[kind][0], denominator=counts[kind][1],
               filters={"kind": kind.value})
        for kind in OrganizationKind if kind in counts
    ]


def coverage_by_field(*, day: date, user) -> list[Figure]:
    """Per field; an organization of several fields counts in each of them."""
    counts = _grouped(day=day, user=user, group_by="fields")
    return [
        Figure(label=field.name, key=field.code, day=day, numerator=counts[field.pk][0],
               denominator=counts[field.pk][1], filters={"field": field.pk})
        for field in Field.objects.all() if field.pk in counts
    ]


def _covered_by(*, day, user, group_by):
    """Distinct organizations covered by hubs of each value of `group_by` (a hub attribute)."""
    counted = organizations_counted_on(day=day, user=user)
    rows = (
        links_covering_on(day=day)
        .filter(organization__in=counted.values("pk"))
        .values(group_by)
        .annotate(n=Count("organization_id", distinct=True))
    )
    return {row[group_by]: row["n"] for row in rows}


def coverage_by_level(*, day: date, user) -> list[Figure]:
    """Share of all counted organizations covered by hubs of each level."""
    total = coverage_total(day=day, user=user)
    counts = _covered_by(day=day, user=user, group_by="hub__level")
    return [
        Figure(label=level.label, key=level.value, day=day, numerator=counts.get(level.value, 0),
               denominator=total.denominator, filters={"covered_by_level": level.value})
        for level in HubLevel
    ]


def coverage_by_system(*, day: date, user) -> list[Figure]:
    """Share of all counted organizations covered by hubs of each system."""
    total = coverage_total(day=day, user=user)
    counts = _covered_by(day=day, user=user, group_by="hub__system_id")
    return [
        Figure(label=system.name, key=system.code, day=day, numerator=counts.get(system.pk, 0),
               denominator=total.denominator, filters={"covered_by_system": system.pk})
        for system in System.objects.all()
    ]


def coverage_by(*, dimension: str, day: date, user) -> list[Figure]:
    return {
        "district": coverage_by_district, "street": coverage_by_street, "kind": coverage_by_kind,
        "field": coverage_by_field, "level": coverage_by_level, "system": coverage_by_system,
    }[dimension](day=day, user=user)


def coverage_district_system(*, day: date, user) -> dict:
    """Organizations covered on `day` per (district id, system id)."""
    counted = organizations_counted_on(day=day, user=user)
    rows = (
        links_covering_on(day=day)
        .filter(organization__in=counted.values("pk"))
        .values("organization__district_id", "hub__system_id")
        .annotate(n=Count("organization_id", distinct=True))
    )
    return {(row["organization__district_id"], row["hub__system_id"]): row["n"] for row in rows}


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
    total = Growth(start=covered_count(day=start, user=user, level=level),
                   end=covered_count(day=end, user=user, level=level))
    rows = []
    for system in System.objects.all():
        part = Growth(start=covered_count(day=start, user=user, system=system, level=level),
                      end=covered_count(day=end, user=user, system=system, level=level))
        if part.start or part.end:
            rows.append({"system": system, "growth": part, "share_of_total": total.share_of_total(part),
                         "share_of_increase": total.share_of_increase(part)})
    return {"start": start, "end": end, "level": level, "total": total, "systems": rows}


def trend_days(until: date) -> list[date]:
    """31 December of each year from 2008 up to the year before `until`."""
    return [date(year, 12, 31) for year in range(TREND_START_YEAR, until.year)]


def coverage_trend(*, until: date, user) -> list[Figure]:
    """Coverage at each year end since 2008 (stored, refreshed when stale), then live on `until`."""
    from .services import trend_refresh

    trend_refresh(until=until)
    figures = []
    if user_can(user, Organization, "view"):
        rows = (
            CoverageTrendPoint.objects.filter(day__lt=until, day__gte=date(TREND_START_YEAR, 12, 31))
            .values("day").annotate(numerator=Sum("numerator"), denominator=Sum("denominator")).order_by("day")
        )
        figures = [Figure(label=str(row["day"].year), key=str(row["day"]), day=row["day"],
                          numerator=row["numerator"], denominator=row["denominator"]) for row in rows]
    figures.append(coverage_total(day=until, user=user))
    figures[-1].label = str(until)
    return figures


def hub_counts_by_level(*, day: date, user) -> dict:
    hubs = Hub.objects.restrict(user, "view").recognized_on(day)
    return {row["level"]: row["n"] for row in hubs.values("level").annotate(n=Count("pk"))}
