from datetime import date

import pytest
from django.urls import reverse

from shuniu.hubs.models import Link
from shuniu.hubs.tests.factories import HubFactory, LinkFactory
from shuniu.organizations.tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def test_hub_list_pins_its_query_count(admin_client, django_assert_num_queries):
    for _ in range(12):
        LinkFactory(hub=HubFactory())
    # session, user, count, filter choices (system, field; the area is a picker), page of hubs with their
    # organization, system and area joined, the linked counts of the page's hubs
    with django_assert_num_queries(7):
        response = admin_client.get(reverse("hubs:hub_list"))
    assert response.status_code == 200 and "共 12 条" in response.content.decode()


def test_link_list_pins_its_query_count(admin_client, django_assert_num_queries):
    hub = HubFactory()
    for _ in range(15):
        LinkFactory(hub=hub)
    # session, user, count, page of links (hub organization and organization joined); the hub and organization
    # filters are pickers, which load no choices
    with django_assert_num_queries(4):
        response = admin_client.get(reverse("hubs:link_list"), {"valid_on": "2015-01-01"})
    assert response.status_code == 200 and "共 15 条" in response.content.decode()
    # a hub chosen: the filter reads it to validate it, and its picker to name it
    with django_assert_num_queries(6):
        response = admin_client.get(reverse("hubs:link_list"), {"valid_on": "2015-01-01", "hub": hub.pk})
    assert response.status_code == 200 and "共 15 条" in response.content.decode()


def test_hub_page_counts_linked_organizations_on_the_date(admin_client):
    hub = HubFactory(recognized_on=date(2009, 3, 1))
    LinkFactory(hub=hub, start_date=date(2010, 1, 1))
    LinkFactory(hub=hub, start_date=date(2016, 1, 1))
    page = admin_client.get(hub.get_absolute_url(), {"as_of": "2015-06-30"}).content.decode()
    assert 'data-testid="hub-linked-count">1<' in page
    page = admin_client.get(hub.get_absolute_url(), {"as_of": "2016-06-30"}).content.decode()
    assert 'data-testid="hub-linked-count">2<' in page


def test_link_form_refuses_an_overlap_and_writes_nothing(admin_client):
    link = LinkFactory(start_date=date(2012, 1, 1))
    data = {"hub": link.hub.pk, "organization": link.organization.pk, "role": link.role, "start_date": "2013-05-01"}
    response = admin_client.post(reverse("hubs:link_add"), data)
    assert response.status_code == 200
    assert "已有时间重叠的「联系」关系（2012-01-01 至 今）" in response.content.decode()
    assert Link.objects.count() == 1


def test_link_form_creates_through_the_service(admin_client):
    hub, organization = HubFactory(), OrganizationFactory()
    data = {
        "hub": hub.pk,
        "organization": organization.pk,
        "role": "serve",
        "start_date": "2013-05-01",
        "basis": "京社领发〔2013〕5号",
    }
    response = admin_client.post(reverse("hubs:link_add"), data)
    assert response.status_code == 302
    assert response["Location"].startswith(organization.get_absolute_url())
    assert Link.objects.get().basis == "京社领发〔2013〕5号"


def test_end_link_keeps_the_row(admin_client):
    link = LinkFactory(start_date=date(2012, 1, 1))
    response = admin_client.post(reverse("hubs:link_end", args=[link.pk]), {"end_date": "2011-12-31"})
    assert "早于开始日期" in response.content.decode()
    response = admin_client.post(reverse("hubs:link_end", args=[link.pk]), {"end_date": "2015-06-30", "reason": "合并"})
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.end_date == date(2015, 6, 30)


def test_ending_needs_the_end_permission(client, django_user_model):
    from django.contrib.auth.models import Permission

    link = LinkFactory()
    user = django_user_model.objects.create_user("staff", password="x-long-password-1")
    user.user_permissions.add(
        Permission.objects.get(codename="view_link"), Permission.objects.get(codename="change_link")
    )
    client.force_login(user)
    assert client.post(reverse("hubs:link_end", args=[link.pk]), {"end_date": "2015-06-30"}).status_code == 403
    user.user_permissions.add(Permission.objects.get(codename="end_link"))
    user = django_user_model.objects.get(pk=user.pk)
    client.force_login(user)
    assert client.post(reverse("hubs:link_end", args=[link.pk]), {"end_date": "2015-06-30"}).status_code == 302


def test_recognising_a_hub_checks_the_jurisdiction_level(admin_client):
    from shuniu.areas.models import Area
    from shuniu.hubs.models import Hub
    from shuniu.hubs.tests.factories import system

    organization = OrganizationFactory()
    data = {
        "organization": organization.pk,
        "level": "district",
        "area": Area.objects.get(code="110000").pk,
        "system": system().pk,
        "recognized_on": "2012-01-01",
    }
    response = admin_client.post(reverse("hubs:hub_add"), data)
    assert "区级枢纽的管辖区域应为一个区" in response.content.decode()
    assert not Hub.objects.exists()
    data["area"] = Area.objects.get(code="110105").pk
    assert admin_client.post(reverse("hubs:hub_add"), data).status_code == 302
    assert Hub.objects.get().organization == organization


def test_a_choice_filter_over_a_column_selects_no_distinct_rows(admin_client):
    """Several roles (or kinds, levels): each link matches once, so the list neither sorts nor counts DISTINCT rows
    (`core.filtersets.ChoicesFilter`; django-filter's default made the links' list 0.3 s at 1,000,000 links)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    hub = HubFactory()
    for role in ("manage", "contact", "serve"):
        LinkFactory(hub=hub, role=role)
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(reverse("hubs:link_list"), {"role": ["contact", "serve"]})
    assert "共 2 条" in response.content.decode()
    assert not [query for query in queries.captured_queries if "DISTINCT" in query["sql"].upper()]
    with CaptureQueriesContext(connection) as queries:
        admin_client.get(reverse("organizations:organization_list"), {"kind": ["social_group", "foundation"]})
    assert not [query for query in queries.captured_queries if "DISTINCT" in query["sql"].upper()]
