"""The organization kind of scope: an organization's own account (`core.access.ScopeKind`). A model's
`Scope(organization=(…))` names the lookups equal to the assigned organization's id."""

from django.db.models import Q
from django.utils.translation import gettext_lazy

from shuniu.core.access import ScopeKind


def _condition(grant, scope, model, action, user) -> Q:
    condition = Q(pk__in=[])
    for lookup in scope.get("organization"):
        condition |= Q(**{lookup: grant.organization_id})
    return condition


ORGANIZATION = ScopeKind("organization", gettext_lazy("本组织"), assigned="organization", condition=_condition)
