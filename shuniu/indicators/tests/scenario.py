"""A small city with every case the coverage definition distinguishes, shared by the indicator tests."""

from datetime import date

from shuniu.areas.models import Area
from shuniu.hubs.choices import HubLevel, LinkRole
from shuniu.hubs.services import link_end
from shuniu.hubs.tests.factories import HubFactory, LinkFactory, system
from shuniu.organizations.choices import OrganizationKind, OrganizationStatus
from shuniu.organizations.tests.factories import OrganizationFactory, field

DAY = date(2015, 6, 30)


def build_scenario():
    chaoyang, haidian = Area.objects.get(code="110105"), Area.objects.get(code="110108")
    wangjing = (
        Area.objects.get(code="110105021")
        if Area.objects.filter(code="110105021").exists()
        else Area.objects.filter(parent=chaoyang).first()
    )
    haidian_street = Area.objects.filter(parent=haidian).first()
    city_union = HubFactory(system=system("union"), fields=[field("workers")])
    city_youth = HubFactory(system=system("youth_league"), recognized_on=date(2009, 3, 20))
    revoked = HubFactory(system=system("science"), recognized_until=date(2013, 12, 31))
    district_hub = HubFactory(
        level=HubLevel.DISTRICT, area=chaoyang, system=system("womens_federation"), recognized_on=date(2011, 5, 1)
    )
    street_hub = HubFactory(
        level=HubLevel.STREET, area=wangjing, system=system("social_organizations"), recognized_on=date(2012, 1, 1)
    )
    orgs = []
    kinds = [
        OrganizationKind.SOCIAL_GROUP,
        OrganizationKind.PRIVATE_NON_ENTERPRISE,
        OrganizationKind.FOUNDATION,
        OrganizationKind.COMMUNITY,
        OrganizationKind.GRASSROOTS,
        OrganizationKind.UNIVERSITY_CLUB,
    ]
    for i in range(18):
        district = chaoyang if i % 3 else haidian
        street = wangjing if district == chaoyang and i % 2 else (haidian_street if district == haidian else None)
        orgs.append(
            OrganizationFactory(
                kind=kinds[i % len(kinds)],
                district=district,
                street=street,
                fields=[field("elderly")] if i % 2 else [field("education"), field("culture")],
                founded_on=date(2000 + i % 12, 1, 1),
            )
        )
    # covered several times over (two systems), by one, by a revoked hub only, by an ended link, none
    LinkFactory(hub=city_union, organization=orgs[0], role=LinkRole.MANAGE, start_date=date(2010, 1, 1))
    LinkFactory(hub=city_youth, organization=orgs[0], role=LinkRole.SERVE, start_date=date(2010, 1, 1))
    LinkFactory(hub=city_youth, organization=orgs[1], start_date=date(2009, 3, 20))
    LinkFactory(hub=revoked, organization=orgs[2], start_date=date(2010, 1, 1))
    ended = LinkFactory(hub=district_hub, organization=orgs[3], start_date=date(2012, 1, 1))
    link_end(link=ended, end_date=date(2015, 6, 29))
    LinkFactory(hub=district_hub, organization=orgs[4], start_date=date(2012, 1, 1))
    LinkFactory(hub=street_hub, organization=orgs[5], start_date=date(2013, 1, 1))
    LinkFactory(hub=street_hub, organization=orgs[7], start_date=date(2015, 6, 30))  # starts on the day
    LinkFactory(hub=street_hub, organization=orgs[9], start_date=date(2015, 7, 1))  # starts the day after
    future = OrganizationFactory(founded_on=date(2016, 1, 1), district=chaoyang)
    LinkFactory(hub=city_union, organization=future, start_date=date(2016, 2, 1))
    dissolved = OrganizationFactory(
        district=haidian, status=OrganizationStatus.DEREGISTERED, active_until=date(2015, 6, 29)
    )
    LinkFactory(hub=city_union, organization=dissolved, start_date=date(2011, 1, 1))
    return {"orgs": orgs, "hubs": [city_union, city_youth, revoked, district_hub, street_hub]}
