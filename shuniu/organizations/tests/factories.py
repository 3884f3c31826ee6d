import itertools
from datetime import date

import factory
from stdnum.cn import uscc as stdnum_uscc

from shuniu.areas.models import Area
from shuniu.organizations.choices import REGISTERED_KIND_CATEGORY, OrganizationKind
from shuniu.organizations.models import Field, Organization

_serial = itertools.count(1)


def make_uscc(kind: str = OrganizationKind.SOCIAL_GROUP, division: str = "110105", serial: int | None = None) -> str:
    """A valid USCC for a civil-affairs kind (5 + category), or an enterprise-style one (9 1) for others."""
    category = REGISTERED_KIND_CATEGORY.get(kind)
    prefix = f"5{category}" if category else "13"
    serial = next(_serial) if serial is None else serial
    body = f"{prefix}{division}MA{serial:07d}"[:17]
    body = body.replace("I", "J")  # never produced, kept for safety
    return body + stdnum_uscc.calc_check_digit(body)


def district(code: str = "110105") -> Area:
    return Area.objects.get(code=code)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"北京市朝阳区测试协会{n}")
    kind = OrganizationKind.SOCIAL_GROUP
    uscc = factory.LazyAttribute(
        lambda o: (
            make_uscc(o.kind)
            if o.kind
            in (OrganizationKind.SOCIAL_GROUP, OrganizationKind.PRIVATE_NON_ENTERPRISE, OrganizationKind.FOUNDATION)
            else None
        )
    )
    district = factory.LazyFunction(district)
    street = None
    founded_on = date(2005, 1, 1)

    @factory.post_generation
    def fields(self, create, extracted, **kwargs):
        if create and extracted:
            self.fields.set(extracted)


def field(code: str = "elderly") -> Field:
    return Field.objects.get(code=code)
