"""Audit records as a person reads them: each changed field by its verbose name, before → after, with choice labels
and the names of related records (looked up once per related model for a whole page of records)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _

from shuniu.core.access import OUT_OF_SCOPE, visible_ids

from . import registry
from .models import ObjectChange
from .services import texts

EMPTY = "—"


@dataclass
class Line:
    label: str
    before: str
    after: str


@dataclass
class Entry:
    change: ObjectChange
    lines: list[Line]


def _field(model, name):
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _keys(change: ObjectChange) -> list[str]:
    keys = list((change.before or {}).keys())
    keys += [key for key in (change.after or {}) if key not in keys]
    return keys


def describe(changes, user=None) -> list[Entry]:
    """The entries of `changes` (a page of records, with `content_type` loaded), field by field. With `user`, a
    related record `user` may not see is named 「（权限范围外）」, not by its name."""
    changes = list(changes)
    wanted = defaultdict(set)  # related model → ids whose names the page shows
    for change in changes:
        model = change.content_type.model_class()
        for key in _keys(change):
            field = _field(model, key)
            if field is not None and field.is_relation and field.related_model is not None:
                for value in ((change.before or {}).get(key), (change.after or {}).get(key)):
                    for pk in value if isinstance(value, list) else [value]:
                        if isinstance(pk, int):
                            wanted[field.related_model].add(pk)
    names = {model: texts(model, pks) for model, pks in wanted.items()}
    if user is not None:
        for model, pks in wanted.items():
            seen = visible_ids(user, model, pks)
            names[model] = {pk: names[model].get(pk, f"#{pk}") if pk in seen else str(OUT_OF_SCOPE) for pk in pks}
    entries = []
    for change in changes:
        model = change.content_type.model_class()
        lines = []
        for key in _keys(change):
            field = _field(model, key)
            label = str(field.verbose_name) if field is not None and hasattr(field, "verbose_name") else None
            if field is None or change.action in registry.event_actions():
                field, label = None, str(registry.event_labels().get(key, key))
            before = _text(field, (change.before or {}).get(key), names) if change.before is not None else ""
            after = _text(field, (change.after or {}).get(key), names) if change.after is not None else ""
            if (change.before is None or change.after is None) and before in ("", EMPTY) and after in ("", EMPTY):
                continue  # a new or deleted record: its empty fields say nothing
            lines.append(Line(label=label, before=before, after=after))
        entries.append(Entry(change=change, lines=lines))
    return entries


def _text(field, value, names) -> str:
    if value is None or value == "" or value == []:
        return EMPTY
    if field is None:
        return _plain_text(value)
    if field.is_relation and field.related_model is not None:
        found = names.get(field.related_model, {})
        values = value if isinstance(value, list) else [value]
        return "、".join(found.get(pk, f"#{pk}") for pk in values)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("是") if value else _("否")
    return _plain_text(value)


def _plain_text(value) -> str:
    if isinstance(value, dict):
        return "，".join(f"{key}：{_plain_text(item)}" for key, item in value.items())
    if isinstance(value, list):
        return "、".join(_plain_text(item) for item in value) or EMPTY
    if isinstance(value, bool):
        return _("是") if value else _("否")
    return str(value)


def changed_labels(change: ObjectChange) -> str:
    """The verbose names of the fields a record touches, without any look-up (for the search list)."""
    model = change.content_type.model_class()
    labels = []
    for key in _keys(change):
        field = _field(model, key)
        if field is not None and hasattr(field, "verbose_name") and change.action not in registry.event_actions():
            labels.append(str(field.verbose_name))
        else:
            labels.append(str(registry.event_labels().get(key, key)))
    return "、".join(labels)
