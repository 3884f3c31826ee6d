"""The groups a dimension's table lists, for indicators counting organizations (`core.indicators.Dimension.values`):
function(*, user, counts) -> [(value, key, label)], in the order shown. `counts` holds the values that have counts;
the districts, hub levels and systems are listed whether they have any or not, the others only when they do."""

from django.db.models import Exists, OuterRef

from shuniu.areas.models import Area
from shuniu.core.access import is_city_wide
from shuniu.hubs.choices import HubLevel
from shuniu.hubs.models import System
from shuniu.organizations.choices import OrganizationKind
from shuniu.organizations.models import Field, Organization


def city_wide(user) -> bool:
    """Whether the user's figures are the whole city's (no user: the command line and internal callers)."""
    return user is None or is_city_wide(user, Organization)


def districts_in_view(user):
    """The districts a figure table lists: all of them for the whole city, otherwise those holding organizations
    in the user's scope (other rows would only show zeros the user cannot open)."""
    districts = Area.objects.districts()
    if city_wide(user):
        return districts
    # EXISTS per district, each answered by the first organization found through the district index; `pk IN
    # (SELECT district_id …)` read every organization in scope (70–110 ms for a district office at 100k)
    return districts.filter(Exists(Organization.objects.restrict(user, "view").filter(district_id=OuterRef("pk"))))


def districts(*, user, counts):
    return [(area.pk, area.code, area.name) for area in districts_in_view(user)]


def streets(*, user, counts, district=None):
    areas = Area.objects.streets()
    if district is not None:
        areas = areas.filter(parent=district)
    return [(area.pk, area.code, area.name) for area in areas if area.pk in counts]


def kinds(*, user, counts):
    return [(kind.value, kind.value, kind.label) for kind in OrganizationKind if kind.value in counts]


def fields(*, user, counts):
    return [(field.pk, field.code, field.name) for field in Field.objects.all() if field.pk in counts]


def hub_levels(*, user, counts):
    return [(level.value, level.value, level.label) for level in HubLevel]


def systems(*, user, counts, systems=None):
    return [
        (system.pk, system.code, system.name) for system in (systems if systems is not None else System.objects.all())
    ]
