from datetime import date

import factory

from shuniu.areas.models import Area
from shuniu.core.testing import make_uscc
from shuniu.organizations.choices import OrganizationKind
from shuniu.organizations.models import Field, Organization


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
