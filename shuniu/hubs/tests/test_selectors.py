from datetime import date

import pytest

from shuniu.hubs.choices import LinkRole
from shuniu.hubs.selectors import hubs_suggested_for, organizations_covered_on, organizations_uncovered_on
from shuniu.hubs.services import link_end
from shuniu.hubs.tests.factories import HubFactory, LinkFactory
from shuniu.organizations.choices import OrganizationKind, OrganizationStatus
from shuniu.organizations.tests.factories import OrganizationFactory, field

pytestmark = pytest.mark.django_db


def test_link_to_a_revoked_hub_does_not_cover():
    hub = HubFactory(recognized_on=date(2009, 3, 1), recognized_until=date(2014, 12, 30))
    link = LinkFactory(hub=hub, start_date=date(2010, 1, 1))
    assert link.organization in organizations_covered_on(day=date(2014, 6, 1))
    assert link.organization not in organizations_covered_on(day=date(2015, 6, 1))
    assert link.organization in organizations_uncovered_on(day=date(2015, 6, 1))


def test_end_date_is_the_last_covered_day():
    link = LinkFactory(start_date=date(2010, 1, 1))
    link_end(link=link, end_date=date(2015, 6, 30))
    assert link.organization in organizations_covered_on(day=date(2015, 6, 30))
    assert link.organization not in organizations_covered_on(day=date(2015, 7, 1))


def test_dissolved_organization_is_neither_covered_nor_counted():
    organization = OrganizationFactory(
        founded_on=date(2005, 1, 1), status=OrganizationStatus.DEREGISTERED, active_until=date(2011, 12, 31)
    )
    LinkFactory(organization=organization, start_date=date(2010, 1, 1))
    assert organization in organizations_covered_on(day=date(2011, 12, 31))
    assert organization not in organizations_covered_on(day=date(2012, 1, 1))
    assert organization not in organizations_uncovered_on(day=date(2012, 1, 1))


def test_mass_organizations_are_not_counted():
    hub = HubFactory()
    assert hub.organization.kind == OrganizationKind.MASS_ORGANIZATION
    assert hub.organization not in organizations_uncovered_on(day=date(2015, 1, 1))


def test_covered_by_system_only_counts_that_systems_hubs():
    link = LinkFactory(role=LinkRole.SERVE)
    day = date(2012, 1, 1)
    assert link.organization in organizations_covered_on(day=day, system=link.hub.system)
    from shuniu.hubs.models import System

    youth = System.objects.get(code="youth_league")
    assert link.organization not in organizations_covered_on(day=day, system=youth)
    assert link.organization in organizations_uncovered_on(day=day, system=youth)


def test_suggested_hub_is_the_narrowest_covering_the_field():
    from shuniu.areas.models import Area

    chaoyang = Area.objects.get(code="110105")
    street = Area.objects.filter(parent=chaoyang).first()
    city_hub = HubFactory(fields=[field("elderly")])
    district_hub = HubFactory(level="district", area=chaoyang, fields=[field("elderly")])
    HubFactory(level="street", area=street, fields=[field("education")])  # wrong field
    organization = OrganizationFactory(district=chaoyang, street=street, fields=[field("elderly")])
    suggestion = hubs_suggested_for(organizations=[organization], day=date(2015, 1, 1))
    assert suggestion[organization.pk] == district_hub
    assert city_hub != district_hub
