"""Figures served from what the last write left.

A figure is the answer of a statement over the records (`selectors`), and that answer changes only when a write
changes the records behind it. Each such write moves its indicator's data version (`IndicatorState.version`, a new
random token) in the write's own transaction (`stale.mark_stale`, and `data_changed` for writes that change no day's
stored figure, such as an organization's fields); so an answer is kept under the indicator, its version and the
statement's text and parameters — which hold the date, the user's scope and the filters — with no time-to-live
guess. The first read after a write counts and fills; until the next write, every page, API call and export asking
the same question reads the kept answer, and a reader never waits for another.

The cache is `CACHES["figures"]`: Redis where `SHUNIU_CACHE_URL` names one (production, shared by every process),
otherwise files under var/cache (no server needed). Answers of older versions are never read again; the cache's own
eviction removes them (Redis `maxmemory-policy allkeys-lru`, the file cache's `MAX_ENTRIES`). With no fill state for
the indicator (an empty database before `migrate`'s states), nothing is kept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shuniu.core.caching import kept

from .models import IndicatorState, new_version


def data_changed(*keys: str) -> None:
    """The records behind indicators `keys` changed in a way no stored day records (one UPDATE, in the caller's
    transaction): their kept answers are no longer read."""
    if keys:
        IndicatorState.objects.filter(indicator__in=keys).update(version=new_version())


def answer(state: IndicatorState | None, question: tuple, compute: Callable[[], Any]) -> Any:
    """The kept answer to `question` (a statement and its parameters) for the data as of `state`, or `compute()`'s,
    kept (`core.caching`)."""
    if state is None or not state.version:
        return compute()
    return kept(state.indicator, (state.version, question), compute)
