from datetime import date

import factory

from shuniu.areas.models import Area
from shuniu.hubs.choices import HubLevel, LinkRole
from shuniu.hubs.models import Hub, Link, System
from shuniu.organizations.choices import OrganizationKind
from shuniu.organizations.tests.factories import OrganizationFactory


def system(code: str = "union") -> System:
    return System.objects.get(code=code)


class HubFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Hub
        skip_postgeneration_save = True

    organization = factory.SubFactory(
        OrganizationFactory, kind=OrganizationKind.MASS_ORGANIZATION, name=factory.Sequence(lambda n: f"测试枢纽{n}")
    )
    level = HubLevel.CITY
    area = factory.LazyFunction(lambda: Area.objects.get(code="110000"))
    system = factory.LazyFunction(system)
    recognized_on = date(2009, 3, 1)

    @factory.post_generation
    def fields(self, create, extracted, **kwargs):
        if create and extracted:
            self.fields.set(extracted)


class LinkFactory(factory.django.DjangoModelFactory):
    """Saves through `link_create`, so factories keep the same rules as every entry point."""

    class Meta:
        model = Link

    hub = factory.SubFactory(HubFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = LinkRole.CONTACT
    start_date = date(2010, 1, 1)
    end_date = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from shuniu.hubs.services import link_create

        return link_create(**kwargs)
