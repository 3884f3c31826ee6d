"""Writing the audit log: one change (`record`), a row change from the signal receivers (`record_row_change`), and
many at once for the bulk writers that bypass signals (`record_rows`, `update_recorded`).

Every function writes inside the caller's transaction: when the change rolls back, so does its record.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.utils import timezone, translation
from django.utils.functional import LazyObject

from shuniu.core.bulk import insert_rows

from . import registry
from .context import current
from .models import ObjectChange
from .values import RowChange, plain, values_by_name

REPR_LENGTH = ObjectChange._meta.get_field("object_repr").max_length
BULK_CHUNK = 5000


def _text(value) -> str:
    return str(value)[:REPR_LENGTH]


def _content_type(model) -> ContentType:
    return ContentType.objects.get_for_model(model, for_concrete_model=False)


def _new_change(
    action: str,
    *,
    content_type,
    object_id,
    object_repr,
    before=None,
    after=None,
    related=None,
    related_type=None,
    related_id=None,
    related_repr="",
    message: str = "",
) -> ObjectChange | None:
    context = current()
    if not context.enabled:
        return None
    user, user_name = context.acting_user()
    if related is not None:
        related_type, related_id, related_repr = _content_type(type(related)), related.pk, related
    return ObjectChange(
        user=user,
        user_name=user_name,
        request_id=context.request_id,
        action=action,
        content_type=content_type,
        object_id=object_id,
        object_repr=_text(object_repr),
        related_content_type=related_type,
        related_object_id=related_id,
        related_object_repr=_text(related_repr) if related_id is not None else "",
        before=before,
        after=after,
        message=" ".join(part for part in (context.message, message) if part),
    )


def record(target, action: str, *, related=None, message: str = "", before=None, after=None) -> ObjectChange | None:
    """Record a domain action on `target`: a record, or a model class for an action on many of its records (an
    export). `before` and `after` are JSON-able details (values go through `values.plain`). Returns the row, or
    None where recording is switched off (`audit.disabled()`)."""
    while isinstance(target, LazyObject):  # request.user (django-otp's middleware wraps Django's lazy user again)
        target.pk  # noqa: B018 - evaluates the lazy object
        target = target._wrapped
    is_model = isinstance(target, type)
    model = target if is_model else type(target)
    if is_model:
        with translation.override(settings.LANGUAGE_CODE):  # stored in the registry's language, like its data
            object_repr = str(model._meta.verbose_name_plural)
    change = _new_change(
        action,
        content_type=_content_type(model),
        object_id=None if is_model else target.pk,
        object_repr=object_repr if is_model else target,
        before=plain(before),
        after=plain(after),
        related=related,
        message=message,
    )
    if change is not None:
        change.save()
    return change


def _related(instance):
    """(content type, id, text) of the record a change of `instance` is also shown with, or Nones."""
    related_field = registry.related_field(type(instance))
    if related_field is None:
        return None, None, ""
    related_id = getattr(instance, related_field.attname)
    if related_id is None:
        return None, None, ""
    related = getattr(instance, related_field.name)  # usually loaded already by whoever saved `instance`
    return _content_type(related_field.related_model), related_id, related


def record_row_change(instance, *, created: bool = False, deleted: bool = False, before=None, after=None) -> None:
    """The signal receivers' write: `instance` was created, changed (`before`/`after`: the fields that changed) or
    deleted."""
    model = type(instance)
    if deleted:
        action = registry.AuditAction.DELETE
    else:
        action = registry.row_action(model, created, before or {}, after or {})
    related_type, related_id, related_repr = _related(instance)
    change = _new_change(
        action,
        content_type=_content_type(model),
        object_id=instance.pk,
        object_repr=instance,
        before=before,
        after=after,
        related_type=related_type,
        related_id=related_id,
        related_repr=related_repr,
    )
    if change is None:
        return
    if deleted and model is get_user_model() and change.user_id == instance.pk:
        change.user = None  # a user deleting their own account: the name stays, the key cannot
    change.save()


#
# Bulk writers
#


def texts(model, pks: Iterable[int]) -> dict[int, str]:
    """Each record's text (its `__str__`), from the lookups its module declares (`Audit.repr_lookups`) in one query."""
    pks = list(dict.fromkeys(pk for pk in pks if pk is not None))
    if not pks:
        return {}
    lookups = registry.repr_lookups(model)
    found = {}
    for start in range(0, len(pks), BULK_CHUNK):
        chunk = pks[start : start + BULK_CHUNK]
        if lookups:
            for pk, *parts in model._base_manager.filter(pk__among=chunk).values_list("pk", *lookups):
                found[pk] = " → ".join(str(part) for part in parts)
        else:
            found.update((pk, str(obj)) for pk, obj in model._base_manager.in_bulk(chunk).items())
    return found


#: the columns a bulk write fills, in order (the id comes from the database)
BULK_FIELDS = (
    "time",
    "user",
    "user_name",
    "request_id",
    "action",
    "content_type",
    "object_id",
    "object_repr",
    "related_content_type",
    "related_object_id",
    "related_object_repr",
    "before",
    "after",
    "message",
)


def record_bulk_write(model, changes: list[dict]) -> int:
    """`core.journal.record_rows`: the rows a bulk writer (the importer) wrote, each named with its related record
    (`Audit.related`) from the row's values."""
    related = registry.related_field(model)

    def related_id(values: dict):
        value = values.get(related.name) if related else None
        return getattr(value, "pk", value)

    return record_rows(
        model,
        [
            RowChange(
                pk=change["pk"],
                after=change["after"],
                before=change.get("before"),
                related_id=related_id(change.get("values") or change["after"]),
                text=change.get("text"),
            )
            for change in changes
        ],
    )


def record_rows(model, changes: Sequence[RowChange]) -> int:
    """Record rows written in bulk (COPY, `bulk_create`, `QuerySet.update`), in bulk: the importer's way. Each
    change gets its row action (a new hub: 枢纽认定), its text and its related record's text. The rows go in with one
    COPY (PostgreSQL) or executemany (SQLite) per chunk, in the caller's transaction. Returns the count."""
    context = current()
    if not changes or not context.enabled or not registry.is_audited(model):
        return 0
    related_field = registry.related_field(model)
    content_type_id = _content_type(model).pk
    related_type_id = _content_type(related_field.related_model).pk if related_field else None
    object_texts = texts(model, [change.pk for change in changes if change.text is None])
    related_texts = texts(related_field.related_model, [c.related_id for c in changes]) if related_field else {}
    user, user_name = context.acting_user()
    user_id = user.pk if user is not None else None
    meta = ObjectChange._meta
    now = meta.get_field("time").get_db_prep_save(timezone.now(), connection)
    request_id = meta.get_field("request_id").get_db_prep_save(context.request_id, connection)

    def rows():  # made while the COPY streams: the database stores one while the next is built
        for change in changes:
            created = change.before is None
            after = values_by_name(model, change.after)
            before = None if created else values_by_name(model, change.before)
            related = change.related_id is not None
            text = change.text if change.text is not None else object_texts.get(change.pk, change.pk)
            yield (
                now,
                user_id,
                user_name,
                request_id,
                registry.row_action(model, created, before or {}, after),
                content_type_id,
                change.pk,
                _text(text),
                related_type_id if related else None,
                change.related_id,
                _text(related_texts.get(change.related_id, "")) if related else "",
                _json(before),
                _json(after),
                context.message,
            )

    insert_rows(ObjectChange, [meta.get_field(name).column for name in BULK_FIELDS], rows())
    return len(changes)


def _json(value) -> str | None:
    """A JSON column's text as both databases take it (None: SQL NULL, as the model field stores it)."""
    return None if value is None else json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)


def update_recorded(queryset, **values) -> int:
    """`queryset.update(**values)`, recording for each record the old and new values of the fields set."""
    model = queryset.model
    if not registry.is_audited(model):
        return queryset.update(**values)
    names = list(values)
    related_field = registry.related_field(model)
    columns = ["pk", *[model._meta.get_field(name).attname for name in names]]
    if related_field is not None and related_field.attname not in columns:
        columns.append(related_field.attname)
    old = list(queryset.values(*columns))
    count = queryset.filter(pk__in=[row["pk"] for row in old]).update(**values)
    changes = []
    for row in old:
        before = {name: row[model._meta.get_field(name).attname] for name in names}
        after = {name: values[name] for name in names}
        if values_by_name(model, before) != values_by_name(model, after):
            related_id = row.get(related_field.attname) if related_field else None
            changes.append(RowChange(pk=row["pk"], before=before, after=after, related_id=related_id))
    record_rows(model, changes)
    return count
