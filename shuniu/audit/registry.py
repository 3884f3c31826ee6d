"""Which models the audit log follows, and what it says about their rows beyond the field values, collected from the
modules' declarations (`core.modules.Audit`).

Every concrete model built on `core.models.BaseModel` is followed, and those a module names (Django's user), unless a
module excludes it: a new domain model is audited from the start, without registering it. A row change that *is* a
domain action (a new hub is a recognition; setting a link's end date ends it) is named by the action its module
declares, so the form, the API, the admin and the importer name it alike, and the row keeps its before and after.
"""

from __future__ import annotations

from functools import cache

from django.apps import apps
from django.utils.translation import gettext_lazy

from .choices import AuditAction


def _full_label(app_label: str, key: str) -> str:
    return key if "." in key else f"{app_label}.{key}"


@cache
def _declared(attribute: str) -> dict:
    """label → value of the modules' `Audit.<attribute>` mappings (`core.modules`)."""
    from shuniu.core.modules import modules

    found = {}
    for module in modules():
        for key, value in getattr(module.audit, attribute).items():
            found[_full_label(module.app_label, key)] = value
    return found


def action_choices() -> list[tuple[str, str]]:
    """The platform's actions and those the modules declare (`Audit.actions`): the choices of `ObjectChange.action`."""
    return _action_choices()


@cache
def _action_choices() -> list[tuple[str, str]]:
    from shuniu.core.modules import modules

    declared = [choice for module in modules() for choice in module.audit.actions]
    return [*AuditAction.choices, *declared]


@cache
def event_actions() -> frozenset[str]:
    """Actions whose before/after are details of the action, not a record's field values."""
    from shuniu.core.modules import modules

    return frozenset({*PLATFORM_EVENTS, *(action for module in modules() for action in module.audit.events)})


@cache
def event_labels() -> dict:
    from shuniu.core.modules import modules

    labels = dict(PLATFORM_EVENT_LABELS)
    for module in modules():
        labels.update(module.audit.event_labels)
    return labels


#: the platform's events: imports and exports
PLATFORM_EVENTS = (AuditAction.IMPORT, AuditAction.EXPORT)
PLATFORM_EVENT_LABELS = {
    "file": gettext_lazy("文件"),
    "format": gettext_lazy("格式"),
    "filters": gettext_lazy("筛选条件"),
    "columns": gettext_lazy("列"),
    "rows": gettext_lazy("行数"),
    "day": gettext_lazy("统计日期"),
    "dimensions": gettext_lazy("维度"),
    "kind": gettext_lazy("类型"),
    "sha256": gettext_lazy("文件哈希"),
    "counts": gettext_lazy("各结果行数"),
}
#: fields never written to the log, whatever their model (what the row's own time already says)
SKIPPED_EVERYWHERE = ("created_at", "updated_at")


def label(model) -> str:
    return model._meta.label_lower


@cache
def audited_models() -> tuple[type, ...]:
    from shuniu.core.models import BaseModel
    from shuniu.core.modules import modules

    extra = {_full_label(module.app_label, name) for module in modules() for name in module.audit.followed}
    excluded = _declared("excluded")
    return tuple(
        model
        for model in apps.get_models()
        if (issubclass(model, BaseModel) or label(model) in extra) and label(model) not in excluded
    )


def is_audited(model) -> bool:
    return model in audited_models()


@cache
def logged_fields(model) -> tuple:
    """The concrete fields whose values the log keeps (not the primary key, timestamps, secrets, or fields marked
    `audit_skip`, such as the keyed hash of a personal number)."""
    skipped = set(SKIPPED_EVERYWHERE) | set(_declared("skipped").get(label(model), ()))
    return tuple(
        field
        for field in model._meta.concrete_fields
        if not field.primary_key and field.name not in skipped and not getattr(field, "audit_skip", False)
    )


@cache
def logged_m2m_fields(model) -> tuple:
    skipped = set(_declared("skipped").get(label(model), ()))
    return tuple(field for field in model._meta.many_to_many if field.name not in skipped)


def row_action(model, created: bool, before: dict, after: dict) -> str:
    name_action = _declared("row_actions").get(label(model))
    action = name_action(created, before, after) if name_action else None
    return action or (AuditAction.CREATE if created else AuditAction.UPDATE)


def related_field(model):
    name = _declared("related").get(label(model))
    return model._meta.get_field(name) if name else None


def repr_lookups(model) -> tuple[str, ...] | None:
    """The lookups whose values, joined by " → ", are a record's text (`Audit.repr_lookups`), None if undeclared."""
    return _declared("repr_lookups").get(label(model))
