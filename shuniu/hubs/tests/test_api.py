from datetime import date

import pytest
from django.urls import reverse

from shuniu.areas.models import Area
from shuniu.hubs import messages
from shuniu.hubs.choices import HubLevel, LinkRole
from shuniu.hubs.models import Hub, Link, System
from shuniu.hubs.tests.factories import HubFactory, LinkFactory, system
from shuniu.organizations.choices import OrganizationKind
from shuniu.organizations.models import Organization
from shuniu.organizations.tests.factories import OrganizationFactory, field

pytest_plugins = ["shuniu.core.api.testing"]  # api_client, anonymous_client, make_client
pytestmark = pytest.mark.django_db

SYSTEMS = reverse("hubs-api:system-list")
HUBS = reverse("hubs-api:hub-list")
LINKS = reverse("hubs-api:link-list")


def system_detail(pk) -> str:
    return reverse("hubs-api:system-detail", kwargs={"pk": pk})


def hub_detail(pk) -> str:
    return reverse("hubs-api:hub-detail", kwargs={"pk": pk})


def link_detail(pk) -> str:
    return reverse("hubs-api:link-detail", kwargs={"pk": pk})


def link_end(pk) -> str:
    return reverse("hubs-api:link-end", kwargs={"pk": pk})


#
# Systems
#


class TestSystemAPI:
    def test_list_create_update_delete(self, api_client, django_assert_num_queries):
        with django_assert_num_queries(2):
            body = api_client.get(SYSTEMS, {"page_size": 100}).json()
        assert body["count"] == System.objects.count() > 10
        response = api_client.post(SYSTEMS, {"code": "new_line", "name": "新条线", "sort": 99}, format="json")
        assert response.status_code == 201, response.content
        pk = response.json()["id"]
        assert api_client.patch(system_detail(pk), {"name": "改名条线"}, format="json").json()["name"] == "改名条线"
        assert api_client.delete(system_detail(pk)).status_code == 204
        assert not System.objects.filter(pk=pk).exists()

    def test_duplicate_code_answers_400(self, api_client):
        response = api_client.post(SYSTEMS, {"code": "union", "name": "另一个工会"}, format="json")
        assert response.status_code == 400
        assert "已存在" in response.json()["code"][0]

    def test_delete_of_a_system_with_hubs_answers_409(self, api_client):
        hub = HubFactory()
        response = api_client.delete(system_detail(hub.system_id))
        assert response.status_code == 409
        assert "枢纽型社会组织" in response.json()["detail"]
        assert System.objects.filter(pk=hub.system_id).exists()


#
# Hubs
#


@pytest.fixture
def hub_payload():
    organization = OrganizationFactory(kind=OrganizationKind.MASS_ORGANIZATION)
    return {
        "organization_id": organization.pk,
        "level": HubLevel.DISTRICT,
        "area_id": Area.objects.get(code="110105").pk,
        "system_id": system("youth_league").pk,
        "field_ids": [field("elderly").pk],
        "batch": "第一批",
        "recognized_on": "2010-06-01",
    }


class TestHubAPI:
    def test_list_and_detail_nest_related_records(self, api_client):
        parent = HubFactory()
        hub = HubFactory(
            level=HubLevel.DISTRICT, area=Area.objects.get(code="110105"), parent=parent, fields=[field("elderly")]
        )
        assert api_client.get(HUBS).json()["count"] == 2
        body = api_client.get(hub_detail(hub.pk)).json()
        assert body["display"] == hub.organization.name
        assert body["organization"]["id"] == hub.organization_id
        assert body["organization"]["name"] == hub.organization.name
        assert body["level_display"] == "区级"
        assert body["area"]["code"] == "110105"
        assert body["system"]["code"] == "union"
        assert body["parent"] == {
            "id": parent.pk,
            "url": body["parent"]["url"],
            "display": parent.organization.name,
            "level": "city",
        }
        assert [f["code"] for f in body["fields"]] == ["elderly"]

    def test_filters(self, api_client):
        district_hub = HubFactory(level=HubLevel.DISTRICT, area=Area.objects.get(code="110105"))
        HubFactory(recognized_on=date(2009, 3, 1), recognized_until=date(2011, 12, 31))
        assert [row["id"] for row in api_client.get(HUBS, {"level": "district"}).json()["results"]] == [district_hub.pk]
        assert api_client.get(HUBS, {"recognized_on": "2013-01-01"}).json()["count"] == 1
        assert api_client.get(HUBS, {"q": district_hub.organization.name}).json()["count"] == 1

    def test_create(self, api_client, hub_payload):
        response = api_client.post(HUBS, hub_payload, format="json")
        assert response.status_code == 201, response.content
        hub = Hub.objects.get(pk=response.json()["id"])
        assert hub.level == HubLevel.DISTRICT
        assert list(hub.fields.values_list("code", flat=True)) == ["elderly"]

    def test_create_refuses_an_area_of_another_level(self, api_client, hub_payload):
        hub_payload["area_id"] = Area.objects.get(code="110000").pk
        response = api_client.post(HUBS, hub_payload, format="json")
        assert response.status_code == 400
        assert response.json() == {"area_id": ["区级枢纽的管辖区域应为一个区。"]}
        assert not Hub.objects.exists()

    def test_create_refuses_a_revocation_before_recognition(self, api_client, hub_payload):
        hub_payload["recognized_until"] = "2010-01-01"
        response = api_client.post(HUBS, hub_payload, format="json")
        assert response.status_code == 400
        assert response.json() == {"non_field_errors": ["认定截止日期不能早于认定日期。"]}

    def test_update_and_delete(self, api_client):
        hub = HubFactory()
        response = api_client.patch(hub_detail(hub.pk), {"recognized_until": "2016-12-30"}, format="json")
        assert response.status_code == 200, response.content
        hub.refresh_from_db()
        assert hub.recognized_until == date(2016, 12, 30)
        response = api_client.patch(hub_detail(hub.pk), {"parent_id": hub.pk}, format="json")
        assert response.status_code == 400
        assert response.json() == {"parent_id": ["上级枢纽不能是自己。"]}
        assert api_client.delete(hub_detail(hub.pk)).status_code == 204

    def test_unknown_id_answers_404(self, api_client):
        assert api_client.get(hub_detail(999_999)).status_code == 404

    def test_anonymous_and_unpermitted(self, anonymous_client, make_client, hub_payload):
        assert anonymous_client.get(HUBS).status_code == 401
        assert make_client("hubs.view_hub").post(HUBS, hub_payload, format="json").status_code == 403
        assert not Hub.objects.exists()

    def test_list_query_count_is_constant(self, api_client, django_assert_num_queries):
        parent = HubFactory()
        chaoyang = Area.objects.get(code="110105")
        for _ in range(8):
            HubFactory(level=HubLevel.DISTRICT, area=chaoyang, parent=parent, fields=[field("elderly")])
        with django_assert_num_queries(3):  # count, page with organization, area, system and parent, fields
            response = api_client.get(HUBS)
        assert len(response.json()["results"]) == 9


#
# Links
#


@pytest.fixture
def hub():
    return HubFactory(recognized_on=date(2009, 3, 1))


@pytest.fixture
def link_payload(hub):
    return {
        "hub_id": hub.pk,
        "organization_id": OrganizationFactory().pk,
        "role": LinkRole.CONTACT,
        "start_date": "2010-01-01",
        "basis": "京社领发〔2009〕1号",
    }


class TestLinkAPI:
    def test_list_and_detail_nest_hub_and_organization(self, api_client):
        link = LinkFactory()
        assert api_client.get(LINKS).json()["count"] == 1
        body = api_client.get(link_detail(link.pk)).json()
        assert body["hub"]["id"] == link.hub_id
        assert body["hub"]["display"] == link.hub.organization.name
        assert body["organization"]["name"] == link.organization.name
        assert body["role"] == "contact"
        assert body["role_display"] == "联系"
        assert body["display"] == f"{link.hub} → {link.organization}"
        assert body["end_date"] is None

    def test_filters(self, api_client):
        ended = LinkFactory(start_date=date(2010, 1, 1), end_date=date(2011, 1, 1))
        current = LinkFactory(start_date=date(2012, 1, 1), role=LinkRole.SERVE)
        assert [r["id"] for r in api_client.get(LINKS, {"valid_on": "2010-06-01"}).json()["results"]] == [ended.pk]
        assert [r["id"] for r in api_client.get(LINKS, {"role": "serve"}).json()["results"]] == [current.pk]
        assert api_client.get(LINKS, {"organization": current.organization_id}).json()["count"] == 1

    def test_create_goes_through_the_service(self, api_client, link_payload):
        response = api_client.post(LINKS, link_payload, format="json")
        assert response.status_code == 201, response.content
        link = Link.objects.get(pk=response.json()["id"])
        assert link.basis == "京社领发〔2009〕1号"
        assert response.json()["hub"]["id"] == link_payload["hub_id"]

    def test_an_overlapping_link_is_refused_and_nothing_is_written(self, api_client, link_payload, hub):
        existing = LinkFactory(
            hub=hub,
            organization=Organization.objects.get(pk=link_payload["organization_id"]),
            start_date=date(2009, 6, 1),
            end_date=date(2010, 6, 30),
        )
        response = api_client.post(LINKS, link_payload, format="json")
        assert response.status_code == 400
        assert response.json() == {
            "start_date": [
                messages.LINK_OVERLAP
                % {
                    "organization": existing.organization,
                    "hub": hub,
                    "role": "联系",
                    "period": "2009-06-01 至 2010-06-30",
                }
            ]
        }
        assert list(Link.objects.all()) == [existing]

    def test_a_second_managing_hub_is_refused(self, api_client, link_payload):
        LinkFactory(organization=Organization.objects.get(pk=link_payload["organization_id"]), role=LinkRole.MANAGE)
        link_payload["role"] = LinkRole.MANAGE
        response = api_client.post(LINKS, link_payload, format="json")
        assert response.status_code == 400
        assert "一个组织同一天只能有一个管理枢纽" in response.json()["role"][0]
        assert Link.objects.count() == 1

    def test_service_messages_are_keyed_by_the_api_field(self, api_client, link_payload, hub):
        link_payload["organization_id"] = hub.organization_id
        response = api_client.post(LINKS, link_payload, format="json")
        assert response.status_code == 400
        assert response.json() == {"organization_id": [str(messages.LINK_SELF)]}

    def test_bad_input_answers_400_with_a_message_per_field(self, api_client, link_payload):
        link_payload.update(hub_id=999_999, role="owner", start_date="yesterday")
        body = api_client.post(LINKS, link_payload, format="json").json()
        assert body == {
            "hub_id": ["无效主键 “999999” － 对象不存在。"],
            "role": ["“owner” 不是合法选项。"],
            "start_date": ["日期格式错误。请从这些格式中选择：YYYY-MM-DD。"],
        }

    def test_a_body_that_cannot_be_parsed_answers_400(self, api_client):
        response = api_client.post(LINKS, data="{bad", content_type="application/json")
        assert response.status_code == 400
        assert response.json()["detail"].startswith("请求体无法解析（JSON parse error")
        assert not Link.objects.exists()

    def test_update_goes_through_the_service(self, api_client, hub):
        first = LinkFactory(hub=hub, start_date=date(2010, 1, 1), end_date=date(2010, 12, 31))
        second = LinkFactory(hub=hub, organization=first.organization, start_date=date(2012, 1, 1))
        response = api_client.patch(link_detail(second.pk), {"start_date": "2010-06-01"}, format="json")
        assert response.status_code == 400
        assert "时间重叠" in response.json()["start_date"][0]
        second.refresh_from_db()
        assert second.start_date == date(2012, 1, 1)
        response = api_client.patch(link_detail(second.pk), {"start_date": "2011-06-01"}, format="json")
        assert response.status_code == 200, response.content
        second.refresh_from_db()
        assert second.start_date == date(2011, 6, 1)

    def test_end(self, api_client):
        link = LinkFactory(start_date=date(2010, 1, 1))
        response = api_client.post(link_end(link.pk), {"end_date": "2015-06-30", "reason": "组织迁出"}, format="json")
        assert response.status_code == 200, response.content
        assert response.json()["end_date"] == "2015-06-30"
        link.refresh_from_db()
        assert link.end_date == date(2015, 6, 30)
        assert "结束原因：组织迁出" in link.note

    def test_end_twice_or_before_the_start_answers_400(self, api_client):
        link = LinkFactory(start_date=date(2010, 1, 1))
        response = api_client.post(link_end(link.pk), {"end_date": "2009-12-31"}, format="json")
        assert response.status_code == 400
        assert response.json() == {"end_date": ["结束日期 2009-12-31 早于开始日期 2010-01-01。"]}
        assert api_client.post(link_end(link.pk), {"end_date": "2012-12-31"}, format="json").status_code == 200
        response = api_client.post(link_end(link.pk), {"end_date": "2013-12-31"}, format="json")
        assert response.json() == {"end_date": ["该联系关系已于 2012-12-31 结束。"]}
        link.refresh_from_db()
        assert link.end_date == date(2012, 12, 31)

    def test_end_needs_a_date(self, api_client):
        link = LinkFactory()
        response = api_client.post(link_end(link.pk), {}, format="json")
        assert response.json() == {"end_date": ["该字段是必填项。"]}

    def test_end_needs_the_end_permission(self, make_client, anonymous_client):
        link = LinkFactory()
        assert anonymous_client.post(link_end(link.pk), {"end_date": "2015-01-01"}).status_code == 401
        assert make_client("hubs.view_link").post(link_end(link.pk), {"end_date": "2015-01-01"}).status_code == 403
        assert make_client("hubs.change_link").post(link_end(link.pk), {"end_date": "2015-01-01"}).status_code == 403
        assert make_client("hubs.end_link").post(link_end(link.pk), {"end_date": "2015-01-01"}).status_code == 200

    def test_unknown_id_answers_404(self, api_client):
        assert api_client.get(link_detail(999_999)).status_code == 404
        assert api_client.get(link_detail("abc")).json() == {"detail": "未找到。"}
        assert api_client.post(link_end(999_999), {"end_date": "2015-01-01"}).status_code == 404

    def test_delete(self, api_client):
        link = LinkFactory()
        assert api_client.delete(link_detail(link.pk)).status_code == 204
        assert not Link.objects.exists()

    def test_list_query_count_is_constant(self, api_client, django_assert_num_queries):
        hubs = HubFactory.create_batch(3)
        for i in range(9):
            LinkFactory(hub=hubs[i % 3])
        with django_assert_num_queries(2):  # count, page with hub organization and organization
            response = api_client.get(LINKS)
        assert len(response.json()["results"]) == 9
