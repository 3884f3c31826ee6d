"""The division tree and its population, declared to the platform (`shuniu.core.modules`)."""

from django.utils.translation import gettext_lazy as _

from shuniu.core.lookups import Lookup
from shuniu.core.modules import Audit, MenuItem, Module, register

from .scopes import AREA

REFERENCE = ("areas.view_area", "areas.view_areapopulation")


def _area_detail(area) -> str:
    """Its level, and for a street its district: 东风街道 is a street of 朝阳区 and of another district."""
    level = area.get_level_display()
    return f"{level} · {area.parent.name}" if area.parent_id and area.level == "street" else level


#: any area (the city, a district, a street), by name or code
AREA_LOOKUP = Lookup(
    model="areas.area",
    detail=_area_detail,
    related=("parent",),
    order=("level", "code"),  # "city" < "district" < "street": 朝阳区 before 朝阳门街道 (东城区) when typing 朝阳
)

#: a street or township, by name or code, told apart by its district (a city has streets of the same name: 东风街道)
STREET_LOOKUP = Lookup(
    model="areas.area",
    key="areas.street",
    narrow=lambda areas: areas.streets(),
    detail=lambda street: street.parent.name if street.parent_id else "",
    related=("parent",),
    order=("code",),
)

module = register(
    Module(
        app_label="areas",
        scope_kinds=(AREA,),
        lookups=(AREA_LOOKUP, STREET_LOOKUP),
        urls="shuniu.areas.urls",
        api_urls="shuniu.areas.api.urls",
        menu=(MenuItem(_("行政区划"), "areas:area_list", "areas.view_area", order=70),),
        permissions={
            "city-admin": ("areas.*",),
            **{
                slug: REFERENCE
                for slug in ("city-analyst", "district-office", "street-office", "hub-staff", "organization", "leader")
            },
        },
        audit=Audit(related={"areapopulation": "area"}, repr_lookups={"area": ("name",)}),
        access_cases="shuniu.areas.tests.access",
    )
)
