"""Who is acting, in which request, and why; and the platform's own events (an export, an unmasked read, a backup, a
key rotation). Core names them; the audit app writes them: it connects its writer when ready (`connect_writer`) and
reads this context for every change it records (`shuniu.audit`).

The middleware opens one context per web request (the request's user, resolved only when a change is recorded, and
a fresh request id). Background jobs and management commands open theirs with `context(user=…, message=…)`; outside
any context (a plain shell) changes are still recorded, by 系统 (the system) without a request id. Services never
read `request`: the acting user reaches the log through here.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace

#: `user_name` of a change made outside any signed-in user's action (a shell, a job without a user)
SYSTEM_NAME = "系统"
_INHERIT = object()


@dataclass(frozen=True)
class AuditContext:
    user: object = None  # a user, or None (the system); read from `request` when the middleware opened the context
    request: object = None
    request_id: uuid.UUID | None = None
    message: str = ""
    enabled: bool = True

    def acting_user(self):
        """(user to store in the `user` foreign key or None, the name to keep in `user_name`)."""
        user = getattr(self.request, "user", None) if self.request is not None else self.user
        if user is None or not getattr(user, "is_authenticated", False):
            return None, SYSTEM_NAME
        name = user.get_username() or SYSTEM_NAME
        return (user if user.pk is not None else None), name  # an unsaved user: the command line's operator


_NONE = AuditContext()  # outside any context: the system, recording
_current: ContextVar[AuditContext | None] = ContextVar("shuniu_audit_context", default=None)


def current() -> AuditContext:
    return _current.get() or _NONE


@contextmanager
def _entered(context: AuditContext) -> Iterator[AuditContext]:
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)


def context(*, user=_INHERIT, message: str | None = None, request_id: uuid.UUID | None = None):
    """Record the changes made inside the block as `user`'s (None: the system), with `message`.

    Without `user` the surrounding context's user is kept (a service adding its reason inside a request). The
    request id is kept too; a job or a command, outside any request, gets one of its own, so that its changes can
    be found together.
    """
    outer = current()
    changes = {}
    if user is not _INHERIT:
        changes.update(user=user, request=None, request_id=request_id or outer.request_id or uuid.uuid4())
    elif request_id is not None:
        changes["request_id"] = request_id
    if message is not None:
        changes["message"] = message
    return _entered(replace(outer, **changes))


def request_context(request):
    """The middleware's context: the request's user (read when a change is recorded) and its id."""
    return _entered(AuditContext(request=request, request_id=request.id))


def disabled():
    """Record nothing inside the block. Only for writes that are not changes made by anyone: the demo builder's
    generated city. (Data migrations need nothing: their historical models are not the audited classes, so no
    receiver hears them.)"""
    return _entered(replace(current(), enabled=False))


#
# The platform's own events, written by the app that keeps the log
#

#: the platform's actions (values of `audit.AuditAction`)
UPDATE = "update"
EXPORT = "export"
UNMASK = "unmask"
BACKUP = "backup"

_writer = None


def connect_writer(writer) -> None:
    """Called by the audit app when ready: `writer(target, action, **details)` records an event."""
    global _writer
    _writer = writer


def record(target, action: str, **details):
    """Record the platform's event `action` on `target` (a record, or a model class for many of its records)."""
    if _writer is None:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("No audit log is installed to record the event.")
    return _writer(target, action, **details)


_rows_writer = None


def connect_rows_writer(writer) -> None:
    """Called by the audit app when ready: `writer(model, changes)` records rows written in bulk."""
    global _rows_writer
    _rows_writer = writer


def record_rows(model, changes: list[dict]) -> int:
    """Record rows of `model` written in bulk (an import's): each change a dict with `pk`, `after` (the values
    written), `before` (the old values of those fields; None for a new record), `values` (all the row's values, for
    naming its related record) and `text` (the record's text, None: looked up)."""
    if _rows_writer is None:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("No audit log is installed to record the rows.")
    return _rows_writer(model, changes)
