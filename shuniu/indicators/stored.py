"""Reading an indicator's stored figures (`StoredFigure`), and counting the days they keep. Nothing here writes: a page
that finds days missing or stale counts them live, with the same statement the refresh stores
(`counts_by_area`), and says since when they are stale (`Pending`)."""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Sum

from shuniu.core.indicators import Indicator

from . import cache
from .models import IndicatorState, StoredFigure


@dataclass(frozen=True)
class Pending:
    """Stored figures found stale by a read: the stored days from `since` on, out of date since `marked_at`; the page
    shows them counted live while the refresh the write enqueued runs."""

    since: date
    marked_at: datetime | None


def state(indicator: Indicator) -> IndicatorState | None:
    return IndicatorState.objects.filter(indicator=indicator.key).first()


def stored_sums(indicator: Indicator, until: date, areas: list[int] | None = None):
    """The stored days before `until`, summed over areas (all, or `areas`): a queryset of {day, numerator,
    denominator}."""
    first = date(indicator.date_rule.trend_start_year, 12, 31)
    rows = StoredFigure.objects.filter(indicator=indicator.key, day__lt=until, day__gte=first)
    if areas is not None:
        rows = rows.filter(area__in=areas)
    return rows.values("day").annotate(numerator=Sum("numerator"), denominator=Sum("denominator")).order_by()


def counts_by_area(indicator: Indicator, days: list[date], among=None) -> dict:
    """{(day, area id): (numerator, denominator)} for every given day, over all records (no user scope; what the
    stored trend keeps) or over the records of `among` (a queryset of the population's model: a user's scope), areas
    without a counted record left out. The declaration's fast path if it names one, otherwise two grouped queries
    per day with the declared querysets."""
    days = sorted(set(days))
    if not days:
        return {}
    fast = indicator.fast_path("counts_by_area")
    if fast is not None:
        return fast(days=days) if among is None else fast(days=days, among=among)
    share, counts = indicator.share, {}
    for day in days:
        counted, holding = share.counted(day=day, user=None), share.holding(day=day, user=None)
        if among is not None:
            counted, holding = counted.filter(pk__in=among.values("pk")), holding.filter(pk__in=among.values("pk"))
        counted = counted.values(share.area).annotate(n=Count("pk"))
        holding = dict(holding.values_list(share.area).annotate(n=Count("pk")))
        for row in counted:
            counts[(day, row[share.area])] = (holding.get(row[share.area], 0), row["n"])
    return counts


def todo_days(indicator: Indicator, current: IndicatorState | None, days: list[date], stored: set) -> list[date]:
    """Of `days`, those not stored or stored from the stale day on."""
    stale_since = current.stale_since if current is not None else None
    return [day for day in days if day not in stored or (stale_since is not None and day >= stale_since)]


def trend_rows(indicator: Indicator, until: date, areas: list[int] | None = None, *, current=None):
    """([(day, numerator, denominator)] for each trend day before `until`, summed over `areas` (None: all), and a
    `Pending` when stored days were stale). Stored days are read; missing or stale ones are counted live, unstored,
    once per data version (`cache.py`: both change only with a write or a refresh). `current`: the fill state, if
    the caller read it."""
    current = current or state(indicator)
    return cache.answer(current, ("trend_rows", until, areas), lambda: _trend_rows(indicator, until, areas, current))


def _trend_rows(indicator: Indicator, until: date, areas: list[int] | None, current):
    stored_rows = [(r["day"], r["numerator"], r["denominator"]) for r in stored_sums(indicator, until, areas)]
    rows = {day: (numerator, denominator) for day, numerator, denominator in stored_rows}
    days = indicator.date_rule.trend_days(until)
    todo = todo_days(indicator, current, days, set(rows))
    return _with_live(indicator, rows, todo, areas), _pending(current, todo, rows)


def _with_live(indicator, rows: dict, todo: list[date], areas) -> list[tuple]:
    if todo:
        wanted = None if areas is None else set(areas)
        live = {day: [0, 0] for day in todo}
        for (day, area), (numerator, denominator) in counts_by_area(indicator, todo).items():
            if wanted is None or area in wanted:
                live[day][0] += numerator
                live[day][1] += denominator
        rows = {**rows, **{day: tuple(counts) for day, counts in live.items()}}
    return sorted((day, numerator, denominator) for day, (numerator, denominator) in rows.items())


def _pending(current, todo, rows) -> Pending | None:
    stale = [day for day in todo if day in rows]
    if current is None or current.stale_since is None or not stale:
        return None
    return Pending(since=min(stale), marked_at=current.stale_at)


def with_state(indicator: Indicator, until: date, stored_rows, current) -> tuple[list[tuple], Pending | None]:
    """`trend_rows` for a caller that read the state and the stored sums itself (in its own statement)."""
    rows = {day: (numerator, denominator) for day, numerator, denominator in stored_rows}
    todo = todo_days(indicator, current, indicator.date_rule.trend_days(until), set(rows))
    return _with_live(indicator, rows, todo, None), _pending(current, todo, rows)
