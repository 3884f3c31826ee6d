"""The one seam where scope is decided: `restrict(user, action)` on every queryset behind a page, API or figure.

Today a user sees every record of a model for which they hold the model permission `<app>.<action>_<model>`
(superusers hold all). Roles scoped by area and hub (issue "Access scoped by area and hub") replace
`scope_filter()` without touching any caller.
"""

from __future__ import annotations

from django.db.models import Q

ACTIONS = ("view", "add", "change", "delete")


def permission_name(model, action: str) -> str:
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


def scope_filter(user, model, action: str) -> Q | None:
    """A Q limiting `model` to what `user` may `action`; None means nothing at all."""
    if user is None or not user.is_active or not user.is_authenticated:
        return None
    if user.is_superuser or user.has_perm(permission_name(model, action)):
        return Q()
    return None


def user_can(user, model, action: str) -> bool:
    return scope_filter(user, model, action) is not None
