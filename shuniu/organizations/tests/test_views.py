from datetime import date

import pytest
from django.urls import reverse

from shuniu.hubs.models import Link
from shuniu.hubs.tests.factories import HubFactory, LinkFactory
from shuniu.indicators.tests.scenario import DAY, build_scenario
from shuniu.organizations.models import Organization
from shuniu.organizations.tests.factories import OrganizationFactory, district, field

pytestmark = pytest.mark.django_db


def test_list_requires_login(client):
    response = client.get(reverse("organizations:organization_list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_list_pins_its_query_count(admin_client, django_assert_num_queries):
    for i in range(30):
        organization = OrganizationFactory(fields=[field("elderly"), field("education")])
        LinkFactory(organization=organization) if i % 3 == 0 else None
    url = reverse("organizations:organization_list")
    # session, user, count, page of rows, their fields (prefetch), filter-form choices for district, field and system
    # (the street and hub filters are pickers, which load no choices)
    with django_assert_num_queries(8):
        response = admin_client.get(url, {"covered_on": "2015-01-01", "kind": "social_group"})
    assert response.status_code == 200
    assert "共 10 条" in response.content.decode()


def test_search_by_name_substring_and_uscc_prefix(admin_client):
    target = OrganizationFactory(name="北京市朝阳区望京街道老年协会")
    OrganizationFactory(name="北京市海淀区科技教育中心")
    response = admin_client.get(reverse("organizations:organization_list"), {"q": "望京"})
    assert target.name in response.content.decode() and "科技教育中心" not in response.content.decode()
    response = admin_client.get(reverse("organizations:organization_list"), {"q": target.uscc[:17].lower()})
    assert target.name in response.content.decode() and "科技教育中心" not in response.content.decode()


def test_bad_filter_date_says_so_and_lists_nothing(admin_client):
    OrganizationFactory()
    response = admin_client.get(reverse("organizations:organization_list"), {"covered_on": "2015-13-45"})
    content = response.content.decode()
    assert response.status_code == 200
    assert "筛选条件有误" in content and "共 0 条" in content


def test_create_refuses_bad_uscc_with_the_expected_character(admin_client):
    url = reverse("organizations:organization_add")
    data = {
        "name": "北京市朝阳区新社团",
        "kind": "social_group",
        "uscc": "51100000500000024G",
        "district": district().pk,
        "founded_on": "2015-01-01",
        "status": "active",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "第18位校验码应为「M」，实际为「G」" in response.content.decode()
    assert not Organization.objects.filter(name="北京市朝阳区新社团").exists()
    data["uscc"] = "51100000500000024M"
    response = admin_client.post(url, data)
    assert response.status_code == 302
    assert Organization.objects.get(name="北京市朝阳区新社团").uscc == "51100000500000024M"


def test_detail_shows_links_as_a_timeline(admin_client):
    link = LinkFactory(start_date=date(2012, 3, 1), basis="京社领发〔2012〕3号")
    response = admin_client.get(link.organization.get_absolute_url())
    content = response.content.decode()
    assert link.hub.organization.name in content and "2012-03-01" in content and "京社领发〔2012〕3号" in content


def test_unknown_organization_is_404(admin_client):
    assert admin_client.get(reverse("organizations:organization", kwargs={"pk": 999999})).status_code == 404


def test_worklist_suggests_and_links_in_one_step(admin_client):
    build_scenario()
    hub = HubFactory(
        level="district", area=district("110108"), fields=[field("elderly")], recognized_on=date(2010, 1, 1)
    )
    url = reverse("hubs:organization_uncovered")
    response = admin_client.get(url, {"uncovered_on": DAY.isoformat(), "district": district("110108").pk})
    content = response.content.decode()
    assert hub.organization.name in content and "建立联系" in content
    uncovered = (
        Organization.objects.filter(
            district__code="110108", fields__code="elderly", links__isnull=True, kind="social_group"
        ).first()
        or Organization.objects.filter(district__code="110108", fields__code="elderly", links__isnull=True).first()
    )
    response = admin_client.post(
        reverse("hubs:link_add_suggested"),
        {"organization": uncovered.pk, "hub": hub.pk, "start_date": DAY.isoformat(), "next": url},
    )
    assert response.status_code == 302
    link = Link.objects.get(organization=uncovered, hub=hub)
    assert link.start_date == DAY and link.role == "contact"
    page = admin_client.get(uncovered.get_absolute_url()).content.decode()
    assert hub.organization.name in page
    # linking again on the same day is refused with a reason, and nothing is written
    response = admin_client.post(
        reverse("hubs:link_add_suggested"),
        {"organization": uncovered.pk, "hub": hub.pk, "start_date": DAY.isoformat(), "next": url},
        follow=True,
    )
    assert "已有时间重叠的「联系」关系" in response.content.decode()
    assert Link.objects.filter(organization=uncovered, hub=hub).count() == 1
