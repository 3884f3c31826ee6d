"""Unmasked reads of personal data: who may, and the audit row each read writes.

Showing a full number is an explicit act (a button, `?unmask=1`, an export option) by a user for whom
`restrict(user, "unmask")` holds the record; every such read is recorded as an `UNMASK` event naming the fields and
the place, never the number.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext

from shuniu import audit

from . import crypto
from .access import user_can
from .fields import PersonalValue


def can_unmask(user, instance) -> bool:
    """Whether `user` may see the full personal numbers of `instance`."""
    model = type(instance)
    if not user_can(user, model, "unmask"):
        return False
    return model.objects.restrict(user, "unmask").filter(pk=instance.pk).exists()


def unmaskable_ids(user, model, ids: Iterable[int]) -> set[int]:
    """Those of `ids` whose personal numbers `user` may see in full (one query)."""
    if not user_can(user, model, "unmask"):
        return set()
    return set(model.objects.restrict(user, "unmask").filter(pk__in=list(ids)).values_list("pk", flat=True))


def field_labels(model, fields: Iterable[str]) -> str:
    return "、".join(str(model._meta.get_field(name).verbose_name) for name in fields)


def full_value(value) -> str:
    """The full number (the caller checked the right and audits the read), "" for none, a notice if unreadable."""
    if not isinstance(value, PersonalValue):
        return ""
    try:
        return value.reveal()
    except crypto.DecryptionError:
        return value.masked


def unmask(*, instance, fields: Iterable[str], where: str) -> dict[str, str]:
    """The full numbers of `fields` of `instance`, after checking nothing: the caller checked `can_unmask`. Writes
    the audit row (which fields, `where`)."""
    fields = [name for name in fields if getattr(instance, name)]
    values = {name: full_value(getattr(instance, name)) for name in fields}
    if fields:
        record_unmask(instance, fields=fields, where=where)
    return values


def record_unmask(target, *, fields: Iterable[str], where: str, count: int | None = None):
    """The audit row of an unmasked read: of one record, or (`target` a model, `count` records) of an export."""
    model = target if isinstance(target, type) else type(target)
    message = gettext("查看完整号码：%(fields)s（%(where)s）") % {"fields": field_labels(model, fields), "where": where}
    if count is not None:
        message += gettext("，共 %(count)d 条记录") % {"count": count}
    return audit.record(target, audit.AuditAction.UNMASK, message=message)
