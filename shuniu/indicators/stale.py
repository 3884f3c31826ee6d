"""Writes mark stored figures stale; a page never does.

`records_changed` (`core.indicators`: a save of a dated record that changed a date or a declared scope field, or a
bulk write that says so) marks every indicator depending on the model stale from the day it names, with one UPDATE
in the write's transaction, and enqueues its refresh after the commit (`tasks.refresh_indicator_task`): once per
transaction and indicator, and only when the mark changed something (the figures were current, or stale from a later
day). A change after the last stored day marks nothing: no stored figure counts it."""

from datetime import date

from django.apps import apps
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.db.models.signals import m2m_changed
from django.utils import timezone

from . import registry, tasks
from .cache import data_changed
from .models import IndicatorState


def mark_stale(key: str, *, since: date) -> bool:
    """Stored figures of indicator `key` from `since` on are out of date, and its kept figures (`cache.py`) with
    them. True if that changed the fill state (and a refresh was enqueued for after the commit)."""
    data_changed(key)  # at every write: a read inside the same transaction may have kept the figures it saw
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


def on_relations_changed(sender, action: str, **kwargs) -> None:
    """A many-to-many relation of a record an indicator counts changed (an organization's fields, which the figures
    by field read): no stored day changes, the kept figures do."""
    if action in ("post_add", "post_remove", "post_clear"):
        owner = kwargs["model"] if kwargs["reverse"] else type(kwargs["instance"])  # the side the field is declared on
        for indicator in registry.depending_on(owner._meta.label_lower):
            data_changed(indicator.key)


def watch_relations() -> None:
    """`on_relations_changed` for every many-to-many field of the models the indicators depend on."""
    labels = {label for indicator in registry.registry().values() for label in indicator.depends_on}
    for label in sorted(labels):
        for field in apps.get_model(label)._meta.many_to_many:
            uid = f"figures-{label}-{field.name}"
            m2m_changed.connect(on_relations_changed, sender=field.remote_field.through, dispatch_uid=uid)


def resume_refreshes(**kwargs) -> None:
    """A worker started: queue the refresh of every indicator still marked stale (the worker that was to run it may
    have died with it)."""
    for key in IndicatorState.objects.filter(stale_since__isnull=False).values_list("indicator", flat=True):
        if key in registry.registry():
            tasks.refresh_indicator_task.enqueue(key)
