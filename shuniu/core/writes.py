"""Save within scope: after a write, the records written must still be within the writer's scope, or it is undone.

Every write path asks the same question, inside the write's own transaction, after the write: the generic edit
page (`core.views.ObjectEditView`), the API's create and update (`core.api.viewsets.ScopedModelViewSet`), every
declared action (`core.actions`), the worklist's one-step link and the import's `apply()` (the batch form). A form
could otherwise move a record out of the user's reach (a district office setting another district), or a service
could change what decides the scope. The answer is the one `restrict(user, action)` gives everywhere else:

    with transaction.atomic():
        record = service(...)
        ensure_within_scope(user, Link, [record.pk], "end")   # raises OutsideScope: the transaction rolls back

`action` is a scope action ("add", "change", "end", …) or several, all of which must hold (merging needs "change" and
"delete"). A user whose scope for the action is the whole city needs no look-up; otherwise one query per 2,000
records. The system (`user` None: a command, a job without a user) is not checked.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

from .access import scope_filter
from .errors import PermissionDeniedWithReason

CHUNK = 2000  # records per look-up
#: what the user reads when a write would leave a record outside their scope; it names no record
OUTSIDE_SCOPE_MESSAGE = _("保存后的记录超出了您的权限范围，未保存。")


class OutsideScope(PermissionDeniedWithReason):
    """Records written fell outside the writer's scope (`pks`, of `model`). Raised inside the write's transaction, so
    that leaving the `atomic()` block undoes the write; the page shows the message (a 403, or beside the form), the
    API answers 403 with it."""

    def __init__(self, model, pks, message=None):
        super().__init__(str(message or OUTSIDE_SCOPE_MESSAGE))
        self.model, self.pks = model, sorted(pks)


def _actions(action: str | Iterable[str]) -> tuple[str, ...]:
    return (action,) if isinstance(action, str) else tuple(action)


def outside_scope(user, model, pks: Iterable, action: str | Iterable[str]) -> set:
    """Those of `pks` (records of `model`) that `user` may not `action` (each of the actions, when several); an empty
    set when they all are within the scope. `user` None is the system, which every record is within."""
    pks = {pk for pk in pks if pk is not None}
    if user is None or not pks:
        return set()
    outside: set = set()
    for name in _actions(action):
        condition = scope_filter(user, model, name)
        if condition is None:  # not the permission at all
            return pks
        if not condition:  # the whole city
            continue
        ordered = sorted(pks - outside)
        for start in range(0, len(ordered), CHUNK):
            chunk = ordered[start : start + CHUNK]
            inside = set(model._base_manager.filter(condition, pk__in=chunk).values_list("pk", flat=True))
            outside.update(pk for pk in chunk if pk not in inside)
    return outside


def ensure_within_scope(user, model, pks: Iterable, action: str | Iterable[str], *, message=None) -> None:
    """Raise `OutsideScope` unless every one of `pks` (records of `model`, just written) is within `user`'s scope for
    `action`. Call it inside the write's transaction: the exception undoes the write."""
    outside = outside_scope(user, model, pks, action)
    if outside:
        raise OutsideScope(model, outside, message)


def ensure_saved_within_scope(user, record, action: str | Iterable[str], *, message=None) -> None:
    """`ensure_within_scope` for one record just written."""
    ensure_within_scope(user, type(record), [record.pk], action, message=message)
