"""The access matrix's registry: for each model, a record inside every scoped role's scope and one outside all of
them, in a small world of two districts. Each app registers its models' cases in its own test module, which its
`module.py` names (`Module.access_cases`, e.g. `shuniu/hubs/tests/access.py`); `test_every_model_is_registered` fails
until every model is. A case builds its records from the world (`w.a` inside, `w.b` outside), or names the world's.

The world: district A (朝阳区) with street A1, district B (海淀区). Organization `a` lies in A1 and is linked by
hub `hub_a`, the district-level hub of A whose organization lies in A; `b` and `hub_b` are their twins in B. The
scoped users hold district A, street A1, the hub organization of `hub_a`, the organization `a`, or (leader) A.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace
from typing import Any

from shuniu.accounts.testing import user_with_role
from shuniu.areas.models import Area
from shuniu.hubs.choices import HubLevel
from shuniu.hubs.tests.factories import HubFactory, LinkFactory
from shuniu.imports.models import ImportTemplate
from shuniu.organizations.choices import OrganizationKind
from shuniu.organizations.models import DuplicateDismissal, OrganizationMerge
from shuniu.organizations.tests.factories import OrganizationFactory

DISTRICT_A, STREET_A1, DISTRICT_B = "110105", "110105001", "110108"


@dataclass
class Case:
    """How the matrix meets one model: `inside(world, user)` and `outside(world, user)` give its two records;
    `change` is an API PATCH body that must not reach an outside record (None: the model has no writable API)."""

    model: type
    inside: Callable[[Any, Any], Any]
    outside: Callable[[Any, Any], Any]
    change: dict | None = None
    marker: Callable[[Any], str] = str  # the text by which a list or an export shows the record
    scoped: bool = True  # False: reference data, seen whole by whoever holds its view permission


CASES: dict[type, Case] = {}


def register(model, inside, outside, change=None, marker=str, scoped=True) -> None:
    CASES[model] = Case(model, inside, outside, change, marker, scoped)


def build_world():
    area = {code: Area.objects.get(code=code) for code in (DISTRICT_A, STREET_A1, DISTRICT_B)}
    w = SimpleNamespace(area=area)
    w.a = OrganizationFactory(name="朝阳区甲协会", district=area[DISTRICT_A], street=area[STREET_A1])
    w.a2 = OrganizationFactory(name="朝阳区乙协会", district=area[DISTRICT_A], street=area[STREET_A1])
    w.b = OrganizationFactory(name="海淀区丙协会", district=area[DISTRICT_B])
    w.b2 = OrganizationFactory(name="海淀区丁协会", district=area[DISTRICT_B])
    for name, district, key in (
        ("朝阳区社会组织联合会", DISTRICT_A, "hub_a"),
        ("海淀区社会组织联合会", DISTRICT_B, "hub_b"),
    ):
        organization = OrganizationFactory(name=name, kind=OrganizationKind.MASS_ORGANIZATION, district=area[district])
        setattr(w, key, HubFactory(organization=organization, level=HubLevel.DISTRICT, area=area[district]))
    w.link_a = LinkFactory(hub=w.hub_a, organization=w.a, start_date=date(2015, 1, 1))
    w.link_b = LinkFactory(hub=w.hub_b, organization=w.b, start_date=date(2015, 1, 1))
    w.merge_a = OrganizationMerge.objects.create(kept=w.a, merged_pk=999001, merged_name="朝阳区甲协会（重复）")
    w.merge_b = OrganizationMerge.objects.create(kept=w.b, merged_pk=999002, merged_name="海淀区丙协会（重复）")
    w.dismissal_a = DuplicateDismissal.objects.create(first=w.a, second=w.a2)
    w.dismissal_b = DuplicateDismissal.objects.create(first=w.b, second=w.b2)
    w.template = ImportTemplate.objects.create(name="区里的表", kind="organizations", mapping={})
    return w


CITY_HUB_NAME = "北京市示范枢纽联合会"


def add_city_hub(w):
    """A city hub above both district hubs (whose organization lies in district B), linking an organization of each
    district: records that cross scopes, for the tests of related records."""
    w.hub_city = HubFactory(
        organization=OrganizationFactory(
            name=CITY_HUB_NAME, kind=OrganizationKind.MASS_ORGANIZATION, district=w.area[DISTRICT_B]
        ),
        level=HubLevel.CITY,
        area=Area.objects.get(code="110000"),
    )
    for hub in (w.hub_a, w.hub_b):
        hub.parent = w.hub_city
        hub.save()
    w.link_city_a = LinkFactory(hub=w.hub_city, organization=w.a2, start_date=date(2016, 1, 1))
    w.link_city_b = LinkFactory(hub=w.hub_city, organization=w.b2, start_date=date(2016, 1, 1))
    return w


# The roles as the matrix assigns them: slug -> scope keyword arguments of the assignment, from the world.
ROLE_SCOPES: dict[str, Callable[[Any], dict]] = {
    "city-admin": lambda w: {},
    "city-analyst": lambda w: {},
    "district-office": lambda w: {"area": w.area[DISTRICT_A]},
    "street-office": lambda w: {"area": w.area[STREET_A1]},
    "hub-staff": lambda w: {"organization": w.hub_a.organization},
    "organization": lambda w: {"organization": w.a},
    "leader": lambda w: {"area": w.area[DISTRICT_A]},
    "system-admin": lambda w: {},
    "security-admin": lambda w: {},
    "audit-admin": lambda w: {},
}


def other_user():
    """A user who is none of the matrix's: the owner of records no role may reach through its own (an import job)."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get_or_create(username="someone-else")[0]


def make_user(world, slug: str):
    return user_with_role(slug, **ROLE_SCOPES[slug](world))


def _load_cases() -> None:
    """Import every module's access cases (`Module.access_cases`): each registers its models here."""
    from importlib import import_module

    from shuniu.core.modules import collected

    for _module, path in collected("access_cases"):
        import_module(path)


_load_cases()
