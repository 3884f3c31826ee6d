"""The one seam where scope is decided: `restrict(user, action)` on every queryset behind a page, API or figure.

A user's rights come from role assignments (the accounts app's, loaded by `settings.SHUNIU_GRANTS`): a role names
permissions (`<app>.<action>_<model>`), the assignment names where they hold, in a kind of scope (`ScopeKind`) that an
app declares — the whole city, an area subtree, one organization or the hub of one organization. Each model says how
its records fall within such a scope with a `scope = Scope(…)` class attribute; a model without one is reference data
(areas, fields, systems), seen whole by anyone holding its permission. Superusers hold everything; permissions granted
directly in Django's admin hold city-wide.

The assignments are loaded once per user object (one request) and turned into a `Q` per model and action, so a list
costs the same one query with a scope as without.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from functools import cache
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy

ACTIONS = ("view", "add", "change", "delete")
#: how a page names a related record the user may not see (a change log's old value, an API's nested record)
OUT_OF_SCOPE = gettext_lazy("（权限范围外）")

Lookup = str | Callable[[int], Q]


class Scope:
    """How a model's records fall within an assignment's scope: for each kind of scope (`ScopeKind.key`: area,
    organization, hub, …) the lookups by which a record is inside; a record is inside when any of them holds. What a
    kind's lookups mean is the kind's declaration (the kinds in use: `shuniu.areas.scopes`,
    `shuniu.organizations.scopes`, `shuniu.hubs.scopes`). Two entries hold for every kind:

    user:         lookups equal to the user's own id, for records a user makes for themselves (import jobs);
    seen_with:    reverse relations (their related names): for viewing only, also inside when one of the related
                  records is inside for viewing (a hub is seen by whoever sees one of its links: the street office
                  sees the hub of another district that serves one of its organizations).

    Any other keyword is a kind's entry (`Scope(area=("district", "street"), organization=("pk",))`), read by the kind
    with `scope.get(name)`; an entry may be a tuple of lookups or, where the kind says so, a callable.
    """

    def __init__(self, *, user: tuple[str, ...] = (), seen_with: tuple[str, ...] = (), **entries):
        self.user = tuple(user)
        self.seen_with = tuple(seen_with)
        self.entries = entries

    def get(self, name: str, default=()):
        return self.entries.get(name, default)

    def __repr__(self):
        return f"Scope(user={self.user!r}, seen_with={self.seen_with!r}, **{self.entries!r})"


@dataclass(frozen=True)
class ScopeKind:
    """A kind of scope a role's assignments take, declared by the app that knows what it means
    (`core.modules.Module.scope_kinds`; the whole city is the platform's own).

    assigned:   what an assignment of this kind names: "" (nothing: the whole city), "area" or "organization";
    condition:  function(grant, scope, model, action, user) → the Q of `model`'s records the assignment reaches, from
                the model's `Scope` entries for this kind; None reaches every record;
    validate:   function(role, area, organization) raising ValidationError when an assignment does not fit (hub staff
                need an organization recognised as a hub);
    areas:      function(grant) → ids of the areas the assignment covers (the area choices of forms), None for all.
    """

    key: str
    label: Any
    assigned: str = ""
    condition: Callable[..., Q] | None = None
    validate: Callable[..., None] | None = None
    areas: Callable[[Grant], list[int] | None] | None = None

    def reaches_everything(self, grant: Grant) -> bool:
        """Whether the assignment reaches every record (the whole city, or an area role held without an area)."""
        return self.condition is None or (self.assigned == "area" and grant.area_path is None)


CITY = ScopeKind("city", gettext_lazy("全市"))


def scope_kinds() -> dict[str, ScopeKind]:
    """Every kind of scope: the whole city and those the modules declare, by key."""
    from .modules import collected

    kinds = {CITY.key: CITY}
    for _module, declared in collected("scope_kinds"):
        kinds.update((kind.key, kind) for kind in declared)
    return kinds


def scope_kind_choices() -> list[tuple[str, str]]:
    """The choices of `accounts.Role.scope_kind`."""
    return [(kind.key, kind.label) for kind in scope_kinds().values()]


@dataclass
class Grant:
    """One role assignment as the access checks see it."""

    permissions: tuple[str, ...]  # permission names or patterns ("*" for all)
    kind: str  # a ScopeKind's key
    area_path: str | None = None
    organization_id: int | None = None
    label: str = ""  # the area's or organization's name, for saying where the user works
    cache: dict = field(default_factory=dict)  # what a kind computes once per assignment (the subtree's area ids)

    def grants(self, permission: str) -> bool:
        return any(fnmatchcase(permission, pattern) for pattern in self.permissions)

    @property
    def scope_kind(self) -> ScopeKind:
        return scope_kinds()[self.kind]

    @property
    def city_wide(self) -> bool:
        return self.scope_kind.reaches_everything(self)

    def area_ids(self) -> list[int] | None:
        """Ids of the areas the assignment covers (None: all of them; empty: it names no area)."""
        kind = self.scope_kind
        if self.city_wide:
            return None
        return kind.areas(self) if kind.areas is not None else []

    def condition(self, model, action: str, user, *, seen_with: bool = True) -> Q:
        """The records of `model` this assignment reaches (an empty `Q()` for all of them); without `seen_with`, not
        those reached only through related records (a figure counts the hubs of the user's areas)."""
        scope: Scope | None = getattr(model, "scope", None)
        if scope is None or self.city_wide:
            return Q()
        condition = Q(pk__in=[])
        for lookup in scope.user:
            condition |= Q(**{lookup: user.pk})
        condition |= self.scope_kind.condition(self, scope, model, action, user)
        if action == "view" and seen_with:
            for relation in scope.seen_with:
                condition |= self._seen_with(model, relation, user)
        return condition

    def _seen_with(self, model, relation: str, user) -> Q:
        """Inside when a record of the reverse relation `relation` is inside for viewing, under this assignment."""
        related = model._meta.get_field(relation)
        if not self.grants(permission_name(related.related_model, "view")):
            return Q(pk__in=[])
        inner = self.condition(related.related_model, "view", user)
        # distinct: the planner hashes the ids only while it expects them to fit in work_mem; a district's million links
        # name 10,000 hubs at most, and without DISTINCT it re-ran the subquery for every hub (30 s at 10× the city)
        related_ids = related.related_model._base_manager.filter(inner).values(related.field.attname).distinct()
        return Q(pk__in=related_ids)


def permission_name(model, action: str) -> str:
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


def user_grants(user) -> list[Grant]:
    """The user's role assignments, loaded once per user object by the function `settings.SHUNIU_GRANTS` names (the
    accounts app's: roles and their assignments are its records)."""
    cached = getattr(user, "_shuniu_grants", None)
    if cached is None:
        cached = list(_grants_loader()(user))
        user._shuniu_grants = cached
    return cached


@cache
def _grants_loader():
    return import_string(settings.SHUNIU_GRANTS)


def _django_permissions(user) -> set[str]:
    """Permissions granted directly or through groups in Django's admin: they hold city-wide. (Not `has_perm`,
    which also answers from the roles, scope aside: see accounts.backends.)"""
    from django.contrib.auth.backends import ModelBackend

    return ModelBackend().get_all_permissions(user)


def scope_filter(user, model, action: str, *, seen_with: bool = True) -> Q | None:
    """A Q limiting `model` to what `user` may `action` (`Q()`: everything); None means nothing at all. Without
    `seen_with`, records seen only through related ones (`Scope.seen_with`) are left out.

    Worked out once per user object and question, like the grants it is made of (a list naming a related record per
    row asked it for every row: 2,600 times for the coverage of the city's hubs); new grants, new answers."""
    if user is None or not user.is_active or not user.is_authenticated:
        return None
    if user.is_superuser:
        return Q()
    grants = user_grants(user)
    kept = user.__dict__.get("_shuniu_scope_filters")
    if kept is None or kept[0] is not grants:
        kept = user.__dict__["_shuniu_scope_filters"] = (grants, {})
    question = (model, action, seen_with)
    if question not in kept[1]:
        kept[1][question] = _scope_filter(user, grants, model, action, seen_with)
    return kept[1][question]


def _scope_filter(user, grants: list, model, action: str, seen_with: bool) -> Q | None:
    permission = permission_name(model, action)
    conditions = []
    for grant in grants:
        if grant.grants(permission):
            condition = grant.condition(model, action, user, seen_with=seen_with)
            if not condition:
                return Q()
            conditions.append(condition)
    if permission in _django_permissions(user):
        return Q()
    if not conditions:
        return None
    combined = conditions[0]
    for condition in conditions[1:]:
        combined |= condition
    return combined


def user_can(user, model, action: str) -> bool:
    """Whether `user` may `action` some record of `model` (the records themselves: `restrict`)."""
    return scope_filter(user, model, action) is not None


def is_city_wide(user, model, action: str = "view") -> bool:
    """Whether `user` may `action` every record of `model` (figures kept for the whole city serve them as they are)."""
    condition = scope_filter(user, model, action)
    return condition is not None and not condition


def areas_within_scope(user, model, action: str) -> list[int] | None:
    """The ids of the areas in which `user` may `action` records of `model` (for the area dropdowns of a form);
    None when the user's scope is the whole city."""
    if user.is_superuser:
        return None
    permission = permission_name(model, action)
    ids: set[int] = set()
    for grant in user_grants(user):
        if grant.grants(permission):
            areas = grant.area_ids()
            if areas is None:
                return None
            ids.update(areas)
    if permission in _django_permissions(user):
        return None
    return sorted(ids)


def restrict_choices(fields, user, action: str = "view", unrestricted=()) -> None:
    """Dropdowns and choice filters offer only what the user may see: every choice field (or django-filter filter)
    over a scoped model, except those named in `unrestricted`, is restricted; a choice outside the scope is then
    refused as an invalid choice."""
    for name, choice in fields.items():
        if name in unrestricted:
            continue
        queryset = getattr(choice, "queryset", None)
        if queryset is None or callable(queryset) or getattr(queryset.model, "scope", None) is None:
            continue
        choice.queryset = queryset.restrict(user, action)


def visible_ids(user, model, pks, action: str = "view") -> set:
    """Those of `pks` (records of `model`) that `user` may `action`: one query for the ones not asked before in this
    request (the answers are kept on the user object, like the grants); none when the user may `action` them all.
    For what a page shows about *related* records: a link's hub, a hub's parent, the names in a change log."""
    pks = {pk for pk in pks if pk is not None}
    condition = scope_filter(user, model, action)
    if condition is None:
        return set()
    if not condition:
        return pks
    known = user.__dict__.setdefault("_shuniu_visible", {}).setdefault((model, action), {})
    unknown = pks - known.keys()
    if unknown:
        found = set(model._base_manager.filter(condition, pk__in=unknown).values_list("pk", flat=True))
        known.update((pk, pk in found) for pk in unknown)
    return {pk for pk in pks if known[pk]}


def is_visible(user, record, action: str = "view") -> bool:
    """Whether `user` may `action` `record` (see `visible_ids`); records of unscoped models are seen by whoever may
    view their model."""
    return record is not None and record.pk in visible_ids(user, type(record), [record.pk], action)


def acting_user():
    """The user on whose behalf the code runs now (the request's, or a job's), None for the system: the audit
    context knows it, so that services can word their messages without being handed the request."""
    from .journal import current

    return current().acting_user()[0]


def is_visible_to_actor(record) -> bool:
    """Whether the acting user may see `record` (the system sees everything)."""
    user = acting_user()
    return user is None or is_visible(user, record)


def scope_label(user, model, action: str = "view") -> str:
    """Where `user` may `action` records of `model`, in words: 全市, or the areas and organizations of the
    assignments that grant it (朝阳区、海淀区)."""
    from django.utils.translation import gettext as _

    if is_city_wide(user, model, action):
        return _("全市")
    permission = permission_name(model, action)
    names = [grant.label for grant in user_grants(user) if grant.label and grant.grants(permission)]
    return "、".join(dict.fromkeys(names)) or _("全市")
