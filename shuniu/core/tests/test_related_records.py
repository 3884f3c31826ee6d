"""Related records go through the user's scope like the page's own record: change logs, detail pages, forms, the
worklist's suggestions, refusal messages and the API's nested records name nothing outside it. Each test is one of
the leaks found when the site was tried as each role; `test_scope_leaks` then guards every page."""

from datetime import date

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from shuniu.audit.models import ObjectChange
from shuniu.hubs import messages
from shuniu.hubs.choices import HubLevel, LinkRole
from shuniu.hubs.models import Link
from shuniu.hubs.services import link_end, link_update
from shuniu.hubs.tests.factories import HubFactory, LinkFactory
from shuniu.organizations.choices import OrganizationKind
from shuniu.organizations.tests.factories import OrganizationFactory

from .access_cases import CITY_HUB_NAME, STREET_A1, add_city_hub, build_world, make_user
from .test_scope_leaks import related_world

pytestmark = pytest.mark.django_db


def signed_in(client, world, slug):
    user = make_user(world, slug)
    client.force_login(user)
    return user


#
# Change logs
#


def test_a_city_hubs_change_log_leaves_out_links_to_organizations_of_other_districts(client):
    world = add_city_hub(build_world())
    for link in (world.link_city_a, world.link_city_b):
        link.basis = "京社联〔2016〕1号"
        link_update(link=link)
    signed_in(client, world, "district-office")
    page = client.get(reverse("audit:objectchange_log", args=["hubs", "hub", world.hub_city.pk])).content.decode()
    assert world.a2.name in page
    assert world.b2.name not in page


def test_a_change_log_names_a_related_record_outside_the_scope_as_such(client):
    world = add_city_hub(build_world())
    signed_in(client, world, "hub-staff")  # the staff of hub_a, whose parent is the city hub
    assert ObjectChange.objects.filter(object_id=world.hub_a.pk, content_type__model="hub", action="update").exists()
    page = client.get(reverse("audit:objectchange_log", args=["hubs", "hub", world.hub_a.pk])).content.decode()
    assert "上级枢纽" in page and "（权限范围外）" in page
    assert CITY_HUB_NAME not in page


#
# Detail pages
#


def test_a_hubs_page_lists_only_the_child_hubs_in_the_users_scope(client):
    world = add_city_hub(build_world())
    signed_in(client, world, "district-office")
    page = client.get(world.hub_city.get_absolute_url()).content.decode()
    assert world.hub_a.organization.name in page
    assert world.hub_b.organization.name not in page


def test_an_organizations_page_shows_hub_staff_only_their_hubs_links_and_buttons(client):
    world = build_world()
    other = LinkFactory(hub=world.hub_b, organization=world.a, role=LinkRole.SERVE, start_date=date(2017, 1, 1))
    signed_in(client, world, "hub-staff")
    page = client.get(world.a.get_absolute_url()).content.decode()
    assert world.hub_a.organization.name in page
    assert world.hub_b.organization.name not in page
    assert reverse("hubs:link_end", args=[world.link_a.pk]) in page
    assert reverse("hubs:link_end", args=[other.pk]) not in page
    assert reverse("hubs:link_edit", args=[other.pk]) not in page


def test_a_read_only_role_gets_no_buttons_for_writes(client):
    world = build_world()
    signed_in(client, world, "leader")
    page = client.get(world.a.get_absolute_url()).content.decode()
    assert world.hub_a.organization.name in page
    for address in (
        reverse("hubs:link_end", args=[world.link_a.pk]),
        reverse("hubs:link_edit", args=[world.link_a.pk]),
        reverse("organizations:organization_edit", args=[world.a.pk]),
        reverse("hubs:link_add"),
    ):
        assert address not in page
    assert client.get(reverse("hubs:link_add")).status_code == 403
    assert reverse("imports:importjob_list") not in page  # the menu offers no page that answers 403
    assert client.get(reverse("imports:importjob_add")).status_code == 403


def test_the_import_page_offers_only_the_kinds_the_user_may_import(client):
    world = build_world()
    signed_in(client, world, "street-office")  # organizations and links, not hub recognitions
    page = client.get(reverse("imports:importjob_add")).content.decode()
    assert 'value="organizations"' in page and 'value="links"' in page and 'value="hubs"' not in page
    assert 'data-testid="import-new"' in client.get(reverse("imports:importjob_list")).content.decode()


def test_a_street_office_sees_the_hub_of_another_district_that_serves_its_organization(client):
    """The hub of a link in the user's scope is named, and can be opened: a hub is seen with its links."""
    world = build_world()
    LinkFactory(hub=world.hub_b, organization=world.a, role=LinkRole.SERVE, start_date=date(2017, 1, 1))
    signed_in(client, world, "street-office")
    assert world.hub_b.organization.name in client.get(world.a.get_absolute_url()).content.decode()
    page = client.get(world.hub_b.get_absolute_url())
    assert page.status_code == 200
    assert world.a.name in page.content.decode() and world.b.name not in page.content.decode()


#
# The worklist and the forms
#


def test_the_worklist_suggests_only_hubs_the_user_may_see(client):
    world = build_world()
    street_hub = HubFactory(
        organization=OrganizationFactory(name="街道枢纽甲", kind=OrganizationKind.MASS_ORGANIZATION),
        level=HubLevel.STREET,
        area=world.area[STREET_A1],
    )
    link_end(link=world.link_a, end_date=date(2018, 12, 31))  # a is no longer covered, and still hub_a's to see
    user = signed_in(client, world, "hub-staff")
    page = client.get(reverse("hubs:organization_uncovered")).content.decode()
    assert world.a.name in page
    assert street_hub.organization.name not in page
    assert world.hub_a.organization.name in page
    client.force_login(make_user(world, "street-office"))
    assert street_hub.organization.name in client.get(reverse("hubs:organization_uncovered")).content.decode()
    assert user.pk


def test_the_link_form_does_not_name_an_organization_outside_the_scope(client):
    world = build_world()
    signed_in(client, world, "hub-staff")
    page = client.get(reverse("hubs:link_add"), {"organization": world.b.pk}).content.decode()
    assert world.b.name not in page
    assert f'value="{world.b.pk}"' in page  # the number as given, to link it by


def test_the_suggested_link_refuses_a_hub_outside_the_scope(client):
    world = build_world()
    signed_in(client, world, "street-office")
    response = client.post(
        reverse("hubs:link_add_suggested"),
        {"organization": world.a2.pk, "hub": world.hub_b.pk, "start_date": "2020-01-01"},
    )
    assert response.status_code == 302
    assert not Link.objects.filter(organization=world.a2).exists()
    page = client.get(response["Location"]).content.decode()
    assert "无法建立联系" in page and world.hub_b.organization.name not in page


#
# Refusals
#


def test_a_refusal_does_not_name_the_managing_hub_outside_the_scope(client):
    """Hub staff see the organizations their hub links, not the other hubs' links to them."""
    world = build_world()
    LinkFactory(hub=world.hub_b, organization=world.a, role=LinkRole.MANAGE, start_date=date(2015, 1, 1))
    signed_in(client, world, "hub-staff")
    response = client.post(
        reverse("hubs:link_add"),
        {"hub": world.hub_a.pk, "organization": world.a.pk, "role": LinkRole.MANAGE, "start_date": "2016-01-01"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert f"「{world.a.name}」已由您权限范围外的枢纽管理" in page
    assert world.hub_b.organization.name not in page


def test_a_refusal_names_neither_the_organization_nor_its_hub_for_hub_staff():
    world = build_world()
    LinkFactory(hub=world.hub_b, organization=world.b2, role=LinkRole.MANAGE, start_date=date(2015, 1, 1))
    user = make_user(world, "hub-staff")
    api = APIClient()
    api.force_authenticate(user)
    response = api.post(
        reverse("hubs-api:link-list"),
        {"hub_id": world.hub_a.pk, "organization_id": world.b2.pk, "role": "manage", "start_date": "2016-01-01"},
        format="json",
    )
    text = response.content.decode()
    assert response.status_code == 400
    assert "该组织已由您权限范围外的枢纽管理" in text
    assert world.b2.name not in text and world.hub_b.organization.name not in text


def test_the_system_and_city_users_are_told_the_managing_hub():
    world = build_world()
    LinkFactory(hub=world.hub_b, organization=world.a2, role=LinkRole.MANAGE, start_date=date(2015, 1, 1))
    assert messages.second_manager(world.a2, world.hub_b, "2015-01-01 至 今") == messages.LINK_SECOND_MANAGER % {
        "organization": world.a2,
        "hub": world.hub_b,
        "period": "2015-01-01 至 今",
    }


#
# The API's nested records
#


def test_the_api_does_not_name_a_nested_record_outside_the_scope():
    world = related_world()
    api = APIClient()
    api.force_authenticate(make_user(world, "hub-staff"))
    hub = api.get(reverse("hubs-api:hub-detail", args=[world.hub_a.pk])).json()
    assert hub["parent"] == {"id": None, "url": None, "display": "（权限范围外）"}
    listed = api.get(reverse("hubs-api:hub-list")).json()["results"]
    assert [row["parent"]["display"] for row in listed] == ["（权限范围外）"]
    api.force_authenticate(make_user(world, "district-office"))
    hub = api.get(reverse("hubs-api:hub-detail", args=[world.hub_a.pk])).json()
    assert hub["parent"]["display"] == CITY_HUB_NAME and hub["parent"]["id"] == world.hub_city.pk
