"""Keep stored figures current: `refresh` recomputes an indicator's stale or missing trend days and clears its fill
state. It runs in the background (`tasks.refresh_indicator_task`), enqueued after the commit of the write that made
the figures stale (`stale.mark_stale`), or from the command line (`refresh_indicators`); never inside a GET."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from shuniu.areas.models import Area

from . import registry
from .models import IndicatorState, StoredFigure, new_version
from .stored import counts_by_area


def refresh(key: str = registry.COVERAGE, *, until: date | None = None, force: bool = False) -> int:
    """Recompute the stored days of indicator `key` that are stale, or missing before `until` (default today); with
    `force`, every stored day. Returns how many days were computed."""
    indicator = registry.indicator(key)
    until = until or timezone.localdate()
    days = indicator.date_rule.trend_days(until)
    current = IndicatorState.objects.filter(indicator=key).first()
    if (
        not force
        and current is not None
        and current.stale_since is None
        and current.filled_until
        and (not days or max(days) <= current.filled_until)
    ):
        return 0
    return _recompute(indicator, days=days, force=force)


@transaction.atomic
def _recompute(indicator, *, days: list[date], force: bool) -> int:
    key = indicator.key
    current, _created = IndicatorState.objects.select_for_update().get_or_create(indicator=key)
    stored = set(StoredFigure.objects.filter(indicator=key).values_list("day", flat=True).distinct())
    stale = {day for day in stored if force or (current.stale_since is not None and day >= current.stale_since)}
    todo = sorted(stale | (set(days) - stored))
    area_ids = list(Area.objects.districts().values_list("pk", flat=True))
    counts = counts_by_area(indicator, todo)  # one statement for all days on PostgreSQL
    StoredFigure.objects.filter(indicator=key, day__in=todo).delete()
    StoredFigure.objects.bulk_create(
        [
            StoredFigure(
                indicator=key,
                day=day,
                area_id=pk,
                numerator=counts.get((day, pk), (0, 0))[0],
                denominator=counts.get((day, pk), (0, 0))[1],
            )
            for day in todo
            for pk in area_ids
        ]
    )
    if todo or current.stale_since is not None or _created:
        IndicatorState.objects.filter(pk=current.pk).update(  # the trend's kept figures read the stored days
            stale_since=None, stale_at=None, filled_until=max(stored | set(days), default=None), version=new_version()
        )
    return len(todo)


def refresh_all(*, until: date | None = None, force: bool = False) -> dict[str, int]:
    """Every registered indicator: {key: days computed}."""
    return {key: refresh(key, until=until, force=force) for key in registry.registry()}


def trend_refresh(*, until: date, force: bool = False) -> int:
    """Coverage's stored trend (what the demo builder and the benchmarks call)."""
    return refresh(registry.COVERAGE, until=until, force=force)


def ensure_states(**kwargs) -> None:
    """After `migrate`: a fill state for every registered indicator, so that the first write marks it and enqueues
    the refresh that stores its trend."""
    for key in registry.registry():
        IndicatorState.objects.get_or_create(indicator=key)
