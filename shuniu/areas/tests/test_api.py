import pytest
from django.urls import reverse

from shuniu.areas.models import Area

pytest_plugins = ["shuniu.core.api.testing"]  # api_client, anonymous_client, make_client
pytestmark = pytest.mark.django_db

LIST = reverse("areas-api:area-list")


def detail(pk) -> str:
    return reverse("areas-api:area-detail", kwargs={"pk": pk})


class TestAreaAPI:
    def test_list_pages_through_every_area(self, api_client):
        response = api_client.get(LIST, {"page_size": 20})
        assert response.status_code == 200
        body = response.json()
        assert body["count"] == Area.objects.count()
        assert len(body["results"]) == 20
        assert body["next"]

    def test_filters_by_level_parent_code_and_name(self, api_client):
        chaoyang = Area.objects.get(code="110105")
        districts = api_client.get(LIST, {"level": "district", "page_size": 100}).json()
        assert districts["count"] == 16
        assert {row["level"] for row in districts["results"]} == {"district"}
        streets = api_client.get(LIST, {"parent": chaoyang.pk, "page_size": 100}).json()
        assert streets["count"] == chaoyang.children.count() > 0
        assert {row["parent"]["id"] for row in streets["results"]} == {chaoyang.pk}
        assert [row["name"] for row in api_client.get(LIST, {"code": "110105"}).json()["results"]] == ["朝阳区"]
        assert "朝阳区" in [row["name"] for row in api_client.get(LIST, {"q": "朝阳"}).json()["results"]]

    def test_detail_has_labels_and_a_brief_parent(self, api_client):
        street = Area.objects.filter(parent__code="110105").first()
        body = api_client.get(detail(street.pk)).json()
        assert body["level"] == "street"
        assert body["level_display"] == "街道/乡镇"
        assert body["parent"]["name"] == "朝阳区"
        assert body["parent"]["url"].endswith(detail(street.parent_id))
        assert body["path"] == f"/110000/110105/{street.code}/"

    def test_unknown_filter_value_answers_400_in_chinese(self, api_client):
        response = api_client.get(LIST, {"level": "province", "parent": "abc"})
        assert response.status_code == 400
        body = response.json()
        assert "province" in body["level"][0] and "选择一个有效的选项" in body["level"][0]
        assert "选择一个有效的选项" in body["parent"][0]

    def test_unknown_id_answers_404(self, api_client):
        response = api_client.get(detail(999_999))
        assert response.status_code == 404
        assert response.json() == {"detail": "未找到。"}

    def test_read_only(self, api_client):
        assert api_client.post(LIST, {"code": "110199", "name": "新区"}).status_code == 405

    def test_anonymous_answers_401(self, anonymous_client):
        response = anonymous_client.get(LIST)
        assert response.status_code == 401
        assert response.json() == {"detail": "身份认证信息未提供。"}
        assert response["WWW-Authenticate"].startswith("Basic")

    def test_without_permission_answers_403(self, make_client):
        assert make_client().get(LIST).status_code == 403
        assert make_client("areas.view_area").get(LIST).status_code == 200

    def test_list_query_count_is_constant(self, api_client, django_assert_num_queries):
        with django_assert_num_queries(2):  # count, page with parents
            response = api_client.get(LIST, {"page_size": 200})
        assert len(response.json()["results"]) == 200
