"""The hub kind of scope: the staff of a hub, assigned with the organization recognised as the hub
(`core.access.ScopeKind`).

A model's `Scope(hub=(…), hub_reach=(…), hub_writes=…)` names:
- `hub`: lookups equal to the hub organization's id (or callables of that id returning a Q);
- `hub_reach`: lookups to an organization, inside when the hub reaches that organization: the hub's own organization
  and every organization any of its recognitions links or has linked (an organization's inspections and grades);
- `hub_writes`: a further condition on what hub staff may add, change or delete (links: only current ones).
Organizations themselves, an app below this one that cannot name hubs, are reached as if they declared
`hub_reach=("pk",)` (`REACH`).
"""

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuniu.core.access import ScopeKind
from shuniu.organizations.models import Organization

from .models import Hub, Link


def _reached(lookup: str, organization_id: int) -> Q:
    """Records whose `lookup` is an organization the hub `organization_id` reaches: one IN over the union of the
    hub's own organization and those it links. (`lookup = id OR lookup IN (linked)` made PostgreSQL expect half of
    all organizations and read every link of the city for a hub's few hundred.)"""
    linked = Link.objects.filter(hub__organization_id=organization_id).order_by().values("organization_id")
    own = Organization.objects.filter(pk=organization_id).order_by().values("pk")
    return Q(**{f"{lookup}__in": linked.union(own)})


#: model label → the `hub_reach` of a model that cannot name hubs itself
REACH = {"organizations.organization": ("pk",)}


def _condition(grant, scope, model, action, user) -> Q:
    reach = Q(pk__in=[])
    for lookup in scope.get("hub"):
        reach |= lookup(grant.organization_id) if callable(lookup) else Q(**{lookup: grant.organization_id})
    for lookup in (*scope.get("hub_reach"), *REACH.get(model._meta.label_lower, ())):
        reach |= _reached(lookup, grant.organization_id)
    writes = scope.get("hub_writes", None)
    if action not in ("view", "end") and writes is not None:  # ending is for the service to judge
        reach &= writes()
    return reach


def _validate(*, role, area, organization) -> None:
    if not Hub.objects.filter(organization=organization).exists():
        raise ValidationError(_("「%(organization)s」没有被认定为枢纽。") % {"organization": organization})


HUB = ScopeKind("hub", gettext_lazy("本枢纽"), assigned="organization", condition=_condition, validate=_validate)
