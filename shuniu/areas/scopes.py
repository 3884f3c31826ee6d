"""The area kind of scope: an assignment names an area and reaches what lies in its subtree (`core.access.ScopeKind`).

A model's `Scope(area=(…), area_above=(…))` names its foreign keys to `Area`: `area` — inside when that area lies in
the assigned subtree; `area_above` — for viewing only, also inside when that area contains the assigned area (a
district office sees the city-level hubs that serve its district).
"""

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuniu.core.access import ScopeKind

from .choices import AreaLevel
from .models import Area


def subtree_ids(grant) -> list[int]:
    """Ids of the areas in the assigned subtree, loaded once per assignment."""
    if "areas" not in grant.cache:
        grant.cache["areas"] = list(Area.objects.filter(path__startswith=grant.area_path).values_list("pk", flat=True))
    return grant.cache["areas"]


def above_ids(grant) -> list[int]:
    """Ids of the areas containing the assigned one, loaded once per assignment."""
    if "areas_above" not in grant.cache:
        codes = grant.area_path.strip("/").split("/")
        paths = ["/" + "/".join(codes[: n + 1]) + "/" for n in range(len(codes) - 1)]
        grant.cache["areas_above"] = list(Area.objects.filter(path__in=paths).values_list("pk", flat=True))
    return grant.cache["areas_above"]


def _condition(grant, scope, model, action, user) -> Q:
    condition = Q(pk__in=[])
    for lookup in scope.get("area"):
        condition |= Q(**{f"{lookup}__in": subtree_ids(grant)})
    if action == "view":
        for lookup in scope.get("area_above"):
            condition |= Q(**{f"{lookup}__in": above_ids(grant)})
    return condition


def _validate(*, role, area, organization) -> None:
    """Area roles take an area of their level (leaders: any, or none for the whole city)."""
    if area is None and role.area_level:
        raise ValidationError(
            _("「%(role)s」须选择一个%(level)s。") % {"role": role, "level": AreaLevel(role.area_level).label}
        )
    if area is not None and role.area_level and area.level != role.area_level:
        raise ValidationError(
            _("「%(role)s」须选择一个%(level)s，「%(area)s」不是。")
            % {"role": role, "level": AreaLevel(role.area_level).label, "area": area}
        )


AREA = ScopeKind(
    "area", gettext_lazy("区划"), assigned="area", condition=_condition, validate=_validate, areas=subtree_ids
)
