"""Writes mark stored figures stale; a page never does.

`records_changed` (`core.indicators`: a save of a dated record that changed a date or a declared scope field, or a
bulk write that says so) marks every indicator depending on the model stale from the day it names, with one UPDATE
in the write's transaction, and enqueues its refresh after the commit (`tasks.refresh_indicator_task`): once per
transaction and indicator, and only when the mark changed something (the figures were current, or stale from a later
day). A change after the last stored day marks nothing: no stored figure counts it."""

from datetime import date

from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from . import registry, tasks
from .models import IndicatorState


def mark_stale(key: str, *, since: date) -> bool:
    """Stored figures of indicator `key` from `since` on are out of date. True if that changed the fill state (and a
    refresh was enqueued for after the commit)."""
    changed = (
        IndicatorState.objects.filter(indicator=key)
        .filter(Q(filled_until__isnull=True) | Q(filled_until__gte=since))
        .filter(Q(stale_since__isnull=True) | Q(stale_since__gt=since))
        .update(stale_since=since, stale_at=Coalesce(F("stale_at"), timezone.now()))
    )
    if changed:
        _refresh_after_commit(key)
    return bool(changed)


def _refresh_after_commit(key: str) -> None:
    connection = transaction.get_connection()
    if any(getattr(callback, "refreshes", None) == key for _ids, callback, _robust in connection.run_on_commit):
        return  # already enqueued by an earlier write of this transaction

    def enqueue():
        enqueue.refreshes = None  # run: a later write enqueues again
        tasks.refresh_indicator_task.enqueue(key)

    enqueue.refreshes = key
    transaction.on_commit(enqueue, robust=True)


def on_records_changed(sender, since: date, **kwargs) -> None:
    for indicator in registry.depending_on(sender._meta.label_lower):
        mark_stale(indicator.key, since=since)
