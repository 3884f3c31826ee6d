"""The access matrix's registry: for each model, a record inside every scoped role's scope and one outside all of
them, in a small world of two districts. A new model is covered by registering it here; `test_every_model_is_
registered` fails until it is.

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

from django.contrib.auth import get_user_model

from shuniu.accounts.models import Role, RoleAssignment
from shuniu.accounts.testing import user_with_role
from shuniu.areas.models import Area, AreaPopulation
from shuniu.audit.models import ObjectChange
from shuniu.hubs.choices import HubLevel
from shuniu.hubs.models import Hub, Link, System
from shuniu.hubs.tests.factories import HubFactory, LinkFactory
from shuniu.imports.models import ImportJob, ImportTemplate
from shuniu.organizations.choices import OrganizationKind
from shuniu.organizations.models import DuplicateDismissal, Field, Organization, OrganizationMerge
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


def make_user(world, slug: str):
    return user_with_role(slug, **ROLE_SCOPES[slug](world))


def _job(user, name):
    return ImportJob.objects.create(kind="organizations", user=user, filename=name, sha256="0" * 64, file="x.xlsx")


def _other_user():
    return get_user_model().objects.get_or_create(username="someone-else")[0]


register(Organization, lambda w, u: w.a, lambda w, u: w.b, change={"note": "越权修改"})
register(Hub, lambda w, u: w.hub_a, lambda w, u: w.hub_b, change={"batch": "越权修改"})
register(
    Link,
    lambda w, u: w.link_a,
    lambda w, u: w.link_b,
    change={"note": "越权修改"},
    marker=lambda o: o.organization.name,
)
register(OrganizationMerge, lambda w, u: w.merge_a, lambda w, u: w.merge_b, marker=lambda o: o.merged_name)
register(DuplicateDismissal, lambda w, u: w.dismissal_a, lambda w, u: w.dismissal_b)
register(
    ImportJob,
    lambda w, u: _job(u, "mine.xlsx"),
    lambda w, u: _job(_other_user(), "theirs.xlsx"),
    marker=lambda o: o.filename,
)
# reference data and shared records: not scoped, so both records are seen by anyone holding the permission
register(Area, lambda w, u: w.area[DISTRICT_A], lambda w, u: w.area[DISTRICT_B], scoped=False)
register(
    AreaPopulation,
    lambda w, u: AreaPopulation.objects.filter(area__code=DISTRICT_A).first(),
    lambda w, u: AreaPopulation.objects.filter(area__code=DISTRICT_B).first(),
    scoped=False,
)
register(
    Field, lambda w, u: Field.objects.order_by("pk")[0], lambda w, u: Field.objects.order_by("pk")[1], scoped=False
)
register(
    System, lambda w, u: System.objects.order_by("pk")[0], lambda w, u: System.objects.order_by("pk")[1], scoped=False
)
register(ImportTemplate, lambda w, u: w.template, lambda w, u: w.template, scoped=False)
register(
    Role, lambda w, u: Role.objects.get(slug="leader"), lambda w, u: Role.objects.get(slug="city-admin"), scoped=False
)
register(
    RoleAssignment,
    lambda w, u: RoleAssignment.objects.filter(user=u).first(),
    lambda w, u: RoleAssignment.objects.create(user=_other_user(), role=Role.objects.get(slug="city-analyst")),
    scoped=False,
)
register(
    ObjectChange,
    lambda w, u: ObjectChange.objects.filter(content_type__model="organization", object_id=w.a.pk).first(),
    lambda w, u: ObjectChange.objects.filter(content_type__model="organization", object_id=w.b.pk).first(),
    marker=lambda o: o.object_repr,
    scoped=False,
)
