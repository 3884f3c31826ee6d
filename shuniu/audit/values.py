"""Field values as the log stores them: JSON, foreign keys as ids, dates in ISO form, many-to-many as sorted id lists.

A field with an `audit_value(value)` method stores what that returns instead (personal data: its masked form), so
the log never holds what the page would not show. Secrets are never read (the modules' `Audit.skipped`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from functools import cache

from django.db.models import Model
from django.db.models.fields.files import FieldFile

from .registry import logged_fields, logged_m2m_fields


def plain(value):
    """A JSON value for a Python one."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, (Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, (set, frozenset)):
        return _sorted([plain(item) for item in value])
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    return str(value)


def _sorted(items: list) -> list:
    try:
        return sorted(items)
    except TypeError:  # mixed types: a stable order all the same
        return sorted(items, key=str)


def field_value(field, value):
    """What the log stores for `value` of `field`."""
    audit_value = getattr(field, "audit_value", None)
    if audit_value is not None:
        return audit_value(value)
    return plain(value)


def differs(field, old, new) -> bool:
    """Whether a field changed: compared as stored, and as held for fields whose stored form hides detail (a masked
    identity number is the same for two numbers)."""
    if field_value(field, old) != field_value(field, new):
        return True
    return hasattr(field, "audit_value") and old != new


def snapshot(instance, fields=None) -> dict:
    """The logged fields of `instance` (or only `fields`) as the log stores them."""
    fields = logged_fields(type(instance)) if fields is None else fields
    return {field.name: field_value(field, field.value_from_object(instance)) for field in fields}


def values_by_name(model, values: dict) -> dict:
    """Stored form of `values` keyed by field name or attname (as an importer holds them), logged fields only;
    many-to-many values (sets of ids or records) become sorted id lists."""
    keys = _keys(model)
    result = {}
    for key, value in values.items():
        found = keys.get(key)
        if found is not None:
            name, stored = found
            result[name] = stored(value)
    return result


def _id_list(value) -> list:
    return _sorted([plain(item) for item in (value or ())])


@cache
def _keys(model) -> dict:
    """Name and attname of each logged field → (field name, what turns a value into its stored form)."""
    keys = {}
    for field in logged_fields(model):
        keys[field.name] = keys[field.attname] = (field.name, getattr(field, "audit_value", None) or plain)
    for field in logged_m2m_fields(model):
        keys[field.name] = (field.name, _id_list)
    return keys


@dataclass
class RowChange:
    """A change a bulk writer made: `pk` created (`before` None) or updated (`before` holds the old values of the
    fields in `after`). Values may be records, sets of ids, dates: they are stored as `values_by_name` gives them."""

    pk: int
    after: dict
    before: dict | None = None
    related_id: int | None = None
    text: str | None = None  # the record's text, where the writer has it (else it is looked up)
