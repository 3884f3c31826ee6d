from datetime import date

import pytest
from django.urls import reverse

from shuniu.areas.models import Area
from shuniu.hubs.tests.factories import LinkFactory
from shuniu.organizations.choices import OrganizationKind
from shuniu.organizations.models import Field, Organization
from shuniu.organizations.tests.factories import OrganizationFactory, field, make_uscc

pytest_plugins = ["shuniu.core.api.testing"]  # api_client, anonymous_client, make_client
pytestmark = pytest.mark.django_db

LIST = reverse("organizations-api:organization-list")
FIELDS = reverse("organizations-api:field-list")


def detail(pk) -> str:
    return reverse("organizations-api:organization-detail", kwargs={"pk": pk})


@pytest.fixture
def chaoyang():
    return Area.objects.get(code="110105")


@pytest.fixture
def payload(chaoyang):
    street = chaoyang.children.first()
    return {
        "name": "北京市朝阳区养老服务协会",
        "kind": OrganizationKind.SOCIAL_GROUP,
        "uscc": make_uscc(OrganizationKind.SOCIAL_GROUP),
        "district_id": chaoyang.pk,
        "street_id": street.pk,
        "founded_on": "2012-05-04",
        "field_ids": [field("elderly").pk, field("education").pk],
    }


def wrong_check_digit(code: str) -> str:
    return code[:17] + ("0" if code[17] != "0" else "1")


class TestOrganizationAPI:
    def test_list_and_detail_nest_related_records(self, api_client, chaoyang):
        organization = OrganizationFactory(fields=[field("elderly")], street=chaoyang.children.first())
        OrganizationFactory.create_batch(2)
        body = api_client.get(LIST).json()
        assert body["count"] == 3
        row = api_client.get(detail(organization.pk)).json()
        assert row["id"] == organization.pk
        assert row["url"].endswith(detail(organization.pk))
        assert row["display"] == organization.name
        assert row["kind_display"] == "社会团体"
        assert row["status_display"] == "正常"
        assert row["district"] == {
            "id": chaoyang.pk,
            "url": row["district"]["url"],
            "display": "朝阳区",
            "code": "110105",
            "name": "朝阳区",
            "level": "district",
        }
        assert row["street"]["id"] == organization.street_id
        assert [f["code"] for f in row["fields"]] == ["elderly"]
        assert row["code"] == organization.uscc
        assert "district_id" not in row and "field_ids" not in row

    def test_filters_are_those_of_the_list_page(self, api_client):
        elderly = OrganizationFactory(fields=[field("elderly")], kind=OrganizationKind.FOUNDATION)
        OrganizationFactory(kind=OrganizationKind.COMMUNITY)
        by_field = api_client.get(LIST, {"field": field("elderly").pk}).json()
        assert [row["id"] for row in by_field["results"]] == [elderly.pk]
        by_kind = api_client.get(LIST, {"kind": [OrganizationKind.FOUNDATION, OrganizationKind.SOCIAL_GROUP]}).json()
        assert [row["id"] for row in by_kind["results"]] == [elderly.pk]
        assert api_client.get(LIST, {"q": elderly.uscc[:10]}).json()["count"] == 1

    def test_covered_and_uncovered_on_a_date(self, api_client):
        link = LinkFactory(start_date=date(2010, 1, 1))
        other = OrganizationFactory()
        covered = api_client.get(LIST, {"covered_on": "2012-01-01"}).json()
        assert [row["id"] for row in covered["results"]] == [link.organization_id]
        uncovered = api_client.get(LIST, {"uncovered_on": "2012-01-01"}).json()
        assert [row["id"] for row in uncovered["results"]] == [other.pk]
        assert api_client.get(LIST, {"covered_on": "2009-12-31"}).json()["count"] == 0
        by_hub = api_client.get(LIST, {"covered_on": "2012-01-01", "covered_by_hub": link.hub_id}).json()
        assert by_hub["count"] == 1

    def test_create_normalizes_the_uscc_and_sets_fields(self, api_client, payload):
        code = payload["uscc"]
        payload["uscc"] = f" {code[:8].lower()}-{code[8:]} "
        response = api_client.post(LIST, payload, format="json")
        assert response.status_code == 201, response.content
        organization = Organization.objects.get(pk=response.json()["id"])
        assert organization.uscc == code
        assert response.json()["uscc"] == code
        assert sorted(organization.fields.values_list("code", flat=True)) == ["education", "elderly"]
        assert organization.street_id == payload["street_id"]

    def test_create_refuses_a_wrong_check_digit_naming_the_expected_one(self, api_client, payload):
        good = payload["uscc"]
        payload["uscc"] = wrong_check_digit(good)
        response = api_client.post(LIST, payload, format="json")
        assert response.status_code == 400
        assert response.json() == {
            "uscc": [f"第18位校验码应为「{good[17]}」，实际为「{payload['uscc'][17]}」：请核对代码是否抄错。"]
        }
        assert not Organization.objects.exists()

    def test_create_refuses_a_uscc_of_another_kind(self, api_client, payload):
        payload["uscc"] = make_uscc(OrganizationKind.FOUNDATION)
        response = api_client.post(LIST, payload, format="json")
        assert response.status_code == 400
        assert response.json()["uscc"] == ["第2位机构类别码为「3」，与类型「社会团体」不符，应为「1」。"]

    def test_create_refuses_a_duplicate_uscc(self, api_client, payload):
        existing = OrganizationFactory()
        payload["uscc"] = existing.uscc.lower()
        response = api_client.post(LIST, payload, format="json")
        assert response.status_code == 400
        assert "已存在" in response.json()["uscc"][0]

    def test_create_refuses_a_street_of_another_district(self, api_client, payload):
        dongcheng_street = Area.objects.filter(parent__code="110101").first()
        payload["street_id"] = dongcheng_street.pk
        response = api_client.post(LIST, payload, format="json")
        assert response.status_code == 400
        assert response.json() == {"street_id": [f"街道「{dongcheng_street.name}」不属于朝阳区。"]}

    def test_bad_input_answers_400_with_a_message_per_field(self, api_client, payload, chaoyang):
        payload.update(
            founded_on="2012-13-01", kind="company", district_id=chaoyang.children.first().pk, field_ids=[999_999]
        )
        response = api_client.post(LIST, payload, format="json")
        assert response.status_code == 400
        body = response.json()
        assert body["founded_on"] == ["日期格式错误。请从这些格式中选择：YYYY-MM-DD。"]
        assert body["kind"] == ["“company” 不是合法选项。"]
        assert body["district_id"] == [f"无效主键 “{payload['district_id']}” － 对象不存在。"]
        assert body["field_ids"] == ["无效主键 “999999” － 对象不存在。"]
        assert not Organization.objects.exists()

    def test_model_constraints_answer_400(self, api_client, payload):
        payload.update(status="deregistered")
        response = api_client.post(LIST, payload, format="json")
        assert response.status_code == 400
        assert response.json() == {"non_field_errors": ["注销或撤销的组织须有存续截止日期，正常存续的组织不能有。"]}

    def test_update(self, api_client):
        organization = OrganizationFactory(fields=[field("elderly")])
        response = api_client.patch(detail(organization.pk), {"name": "新名称", "field_ids": []}, format="json")
        assert response.status_code == 200, response.content
        organization.refresh_from_db()
        assert organization.name == "新名称"
        assert not organization.fields.exists()

    def test_update_runs_the_model_checks(self, api_client):
        organization = OrganizationFactory()
        response = api_client.patch(detail(organization.pk), {"registered_on": "2001-01-01"}, format="json")
        assert response.status_code == 400
        assert response.json() == {"registered_on": ["登记/备案日期不能早于成立日期。"]}

    def test_delete(self, api_client):
        organization = OrganizationFactory()
        assert api_client.delete(detail(organization.pk)).status_code == 204
        assert not Organization.objects.exists()

    def test_delete_of_a_linked_organization_answers_409_and_keeps_it(self, api_client):
        link = LinkFactory()
        response = api_client.delete(detail(link.organization_id))
        assert response.status_code == 409
        assert response.json() == {"detail": "仍有1条记录（联系关系）引用该记录，不能删除。"}
        assert Organization.objects.filter(pk=link.organization_id).exists()

    def test_unknown_id_answers_404(self, api_client):
        assert api_client.get(detail(999_999)).status_code == 404
        assert api_client.patch(detail(999_999), {"name": "x"}, format="json").status_code == 404

    def test_anonymous_answers_401(self, anonymous_client, payload):
        assert anonymous_client.get(LIST).status_code == 401
        assert anonymous_client.post(LIST, payload, format="json").status_code == 401
        assert not Organization.objects.exists()

    def test_permissions_are_per_action(self, make_client, payload):
        organization = OrganizationFactory()
        assert make_client().get(LIST).status_code == 403
        viewer = make_client("organizations.view_organization")
        assert viewer.get(detail(organization.pk)).status_code == 200
        response = viewer.post(LIST, payload, format="json")
        assert response.status_code == 403
        assert response.json() == {"detail": "您没有执行该操作的权限。"}
        assert viewer.delete(detail(organization.pk)).status_code == 403
        adder = make_client("organizations.add_organization", "areas.view_area", "organizations.view_field")
        assert adder.post(LIST, payload, format="json").status_code == 201

    def test_related_ids_are_limited_to_what_the_caller_may_view(self, make_client, payload):
        response = make_client("organizations.add_organization").post(LIST, payload, format="json")
        assert response.status_code == 400
        assert set(response.json()) == {"district_id", "street_id", "field_ids"}

    def test_list_query_count_is_constant(self, api_client, django_assert_num_queries, chaoyang):
        streets = list(chaoyang.children.all()[:3])
        for i in range(12):
            OrganizationFactory(street=streets[i % 3], fields=[field("elderly"), field("education")])
        with django_assert_num_queries(3):  # count, page with district and street, fields
            response = api_client.get(LIST)
        assert len(response.json()["results"]) == 12


class TestFieldAPI:
    def test_list_and_detail(self, api_client, django_assert_num_queries):
        with django_assert_num_queries(2):
            body = api_client.get(FIELDS, {"page_size": 100}).json()
        assert body["count"] == Field.objects.count() > 3
        first = body["results"][0]
        assert api_client.get(first["url"]).json()["code"] == first["code"]

    def test_read_only(self, api_client):
        assert api_client.post(FIELDS, {"code": "x", "name": "x"}).status_code == 405
