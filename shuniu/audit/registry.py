"""Which models the audit log follows, and what it says about their rows beyond the field values.

Every concrete model built on `core.models.BaseModel` is followed, and Django's user, unless excluded below: a new
domain model is audited from the start, without registering it. A row change that *is* a domain action (a new hub is a
recognition; setting a link's end date ends it) is named by that action here, so the form, the API, the admin and
the importer name it alike, and the row keeps its before and after.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from django.apps import apps
from django.conf import settings

from .choices import AuditAction

#: followed besides every BaseModel
EXTRA_MODELS = (settings.AUTH_USER_MODEL,)
#: label (lower case) → why it is not followed row by row
EXCLUDED = {
    "imports.importjob": "its progress is saved every half second; what an import did is its `import` event",
}
#: fields never written to the log, whatever their model (secrets, and what the row's own time already says)
SKIPPED_FIELDS = {
    "*": ("created_at", "updated_at"),
    "auth.user": ("password", "last_login"),
    # the merge record keeps its own full snapshot of the merged organization; the log needs no second copy
    "organizations.organizationmerge": ("snapshot",),
}
#: label → the foreign key whose record is the change's related object (its change log shows the change too)
RELATED = {
    "hubs.link": "hub",
    "hubs.hub": "organization",
    "areas.areapopulation": "area",
    "accounts.roleassignment": "user",
}
#: label → lookups whose values, joined by " → ", are a record's text as `__str__` gives it; the importer reads
#: the texts of thousands of rows in one query this way instead of loading each record
REPR_LOOKUPS = {
    "organizations.organization": ("name",),
    "hubs.hub": ("organization__name",),
    "hubs.link": ("hub__organization__name", "organization__name"),
    "areas.area": ("name",),
    "hubs.system": ("name",),
    "organizations.field": ("name",),
}


def _hub_action(created: bool, before: dict, after: dict) -> str | None:
    if created:
        return AuditAction.HUB_RECOGNIZED
    if "revoked_on" in after and before.get("revoked_on") is None and after["revoked_on"] is not None:
        return AuditAction.HUB_REVOKED
    return None


def _link_action(created: bool, before: dict, after: dict) -> str | None:
    if not created and "end_date" in after and before.get("end_date") is None and after["end_date"] is not None:
        return AuditAction.LINK_ENDED
    return None


#: label → function(created, before, after) naming the domain action a row change is (None: plain 新增/修改)
ROW_ACTIONS: dict[str, Callable[[bool, dict, dict], str | None]] = {
    "hubs.hub": _hub_action,
    "hubs.link": _link_action,
}


def label(model) -> str:
    return model._meta.label_lower


@cache
def audited_models() -> tuple[type, ...]:
    from shuniu.core.models import BaseModel

    extra = {name.lower() for name in EXTRA_MODELS}
    return tuple(
        model
        for model in apps.get_models()
        if (issubclass(model, BaseModel) or label(model) in extra) and label(model) not in EXCLUDED
    )


def is_audited(model) -> bool:
    return model in audited_models()


@cache
def logged_fields(model) -> tuple:
    """The concrete fields whose values the log keeps (not the primary key, timestamps, secrets, or fields marked
    `audit_skip`, such as the keyed hash of a personal number)."""
    skipped = set(SKIPPED_FIELDS["*"]) | set(SKIPPED_FIELDS.get(label(model), ()))
    return tuple(
        field
        for field in model._meta.concrete_fields
        if not field.primary_key and field.name not in skipped and not getattr(field, "audit_skip", False)
    )


@cache
def logged_m2m_fields(model) -> tuple:
    skipped = set(SKIPPED_FIELDS.get(label(model), ()))
    return tuple(field for field in model._meta.many_to_many if field.name not in skipped)


def row_action(model, created: bool, before: dict, after: dict) -> str:
    name_action = ROW_ACTIONS.get(label(model))
    action = name_action(created, before, after) if name_action else None
    return action or (AuditAction.CREATE if created else AuditAction.UPDATE)


def related_field(model):
    name = RELATED.get(label(model))
    return model._meta.get_field(name) if name else None
