"""Keep the stored coverage trend current: changes mark it stale from the earliest day they can affect;
`trend_refresh` recomputes only the stale year ends: in one statement on PostgreSQL, one grouped query per day
elsewhere (`hubs.selectors.coverage_counts_by_district`)."""

from datetime import date

from django.db import transaction

from .models import CoverageTrendPoint, TrendState


def _state() -> TrendState:
    state, _ = TrendState.objects.get_or_create(pk=1)
    return state


def trend_mark_stale(*, since: date) -> None:
    state = _state()
    if state.stale_since is None or since < state.stale_since:
        TrendState.objects.filter(pk=1).update(stale_since=since)


def trend_refresh(*, until: date, force: bool = False) -> int:
    """Recompute stored year-end points that are stale, or missing before `until`. Returns how many days."""
    from .selectors import trend_days

    state = _state()
    if (
        not force
        and state.stale_since is None
        and state.computed_until
        and (not trend_days(until) or max(trend_days(until)) <= state.computed_until)
    ):
        return 0
    return _trend_recompute(until=until, force=force)


@transaction.atomic
def _trend_recompute(*, until: date, force: bool) -> int:
    from shuniu.areas.models import Area
    from shuniu.hubs.selectors import coverage_counts_by_district

    from .selectors import trend_days

    state = TrendState.objects.select_for_update().filter(pk=1).first() or _state()
    days = trend_days(until)
    stored = set(CoverageTrendPoint.objects.values_list("day", flat=True).distinct())
    stale = {day for day in stored if force or (state.stale_since is not None and day >= state.stale_since)}
    todo = sorted(stale | (set(days) - stored))
    district_ids = list(Area.objects.districts().values_list("pk", flat=True))
    counts = coverage_counts_by_district(days=todo)  # one statement for all days on PostgreSQL
    CoverageTrendPoint.objects.filter(day__in=todo).delete()
    CoverageTrendPoint.objects.bulk_create(
        [
            CoverageTrendPoint(
                day=day,
                district_id=pk,
                numerator=counts.get((day, pk), (0, 0))[0],
                denominator=counts.get((day, pk), (0, 0))[1],
            )
            for day in todo
            for pk in district_ids
        ]
    )
    if todo or state.stale_since is not None:
        TrendState.objects.filter(pk=1).update(stale_since=None, computed_until=max(stored | set(days), default=None))
    return len(todo)
