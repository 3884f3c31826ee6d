from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from shuniu.areas.models import Area
from shuniu.hubs.choices import HubLevel, LinkRole
from shuniu.hubs.services import link_end
from shuniu.hubs.tests.factories import HubFactory, LinkFactory, system
from shuniu.indicators.selectors import DIMENSIONS
from shuniu.organizations.choices import OrganizationKind, OrganizationStatus
from shuniu.organizations.tests.factories import OrganizationFactory, field

pytest_plugins = ["shuniu.core.api.testing"]  # api_client, anonymous_client, make_client, list_count
pytestmark = pytest.mark.django_db

COVERAGE = reverse("indicators-api:coverage")
TREND = reverse("indicators-api:coverage_trend")
GROWTH = reverse("indicators-api:coverage_growth")
HUBS = reverse("indicators-api:coverage_hubs")
DAYS = ["2011-06-30", "2013-12-31", "2016-01-01"]


@pytest.fixture
def registry():
    """Organizations in two districts and several streets, kinds and fields; hubs of three levels and systems,
    one revoked; links current, ended and to the revoked hub; one organization dissolved."""
    chaoyang, haidian = Area.objects.get(code="110105"), Area.objects.get(code="110108")
    streets = list(chaoyang.children.all()[:2]) + list(haidian.children.all()[:1])
    city = HubFactory(system=system("union"), fields=[field("elderly")])
    district = HubFactory(
        level=HubLevel.DISTRICT, area=chaoyang, system=system("youth_league"), recognized_on=date(2011, 1, 1)
    )
    street = HubFactory(
        level=HubLevel.STREET, area=streets[0], system=system("womens_federation"), recognized_on=date(2012, 1, 1)
    )
    revoked = HubFactory(system=system("science"), recognized_on=date(2009, 1, 1), recognized_until=date(2012, 12, 31))
    kinds = [
        OrganizationKind.SOCIAL_GROUP,
        OrganizationKind.PRIVATE_NON_ENTERPRISE,
        OrganizationKind.COMMUNITY,
        OrganizationKind.FOUNDATION,
    ]
    fields = [[field("elderly")], [field("education")], [field("elderly"), field("culture")], []]
    organizations = []
    for i in range(14):
        area = streets[i % 3]
        organizations.append(
            OrganizationFactory(
                kind=kinds[i % 4],
                district=area.parent,
                street=area if i % 4 else None,
                fields=fields[i % 4],
                founded_on=date(2005 + i % 8, 3, 1),
            )
        )
    dissolved = OrganizationFactory(
        status=OrganizationStatus.DEREGISTERED,
        founded_on=date(2006, 1, 1),
        active_until=date(2014, 4, 30),
        district=haidian,
    )
    LinkFactory(hub=city, organization=organizations[0], start_date=date(2010, 1, 1))
    LinkFactory(hub=city, organization=organizations[1], start_date=date(2010, 1, 1), role=LinkRole.MANAGE)
    LinkFactory(hub=district, organization=organizations[1], start_date=date(2012, 1, 1))
    LinkFactory(hub=district, organization=organizations[2], start_date=date(2011, 6, 1))
    LinkFactory(hub=street, organization=organizations[4], start_date=date(2012, 1, 1))
    LinkFactory(hub=street, organization=organizations[8], start_date=date(2012, 3, 1), role=LinkRole.SERVE)
    LinkFactory(hub=revoked, organization=organizations[5], start_date=date(2010, 1, 1))
    LinkFactory(hub=revoked, organization=organizations[9], start_date=date(2010, 1, 1))
    LinkFactory(hub=city, organization=dissolved, start_date=date(2010, 1, 1))
    ended = LinkFactory(hub=city, organization=organizations[12], start_date=date(2010, 1, 1))
    link_end(link=ended, end_date=date(2013, 6, 30))
    return organizations


def more_of_everything():
    """More hubs, organizations (in another district and field) and links than the registry has."""
    daxing = Area.objects.get(code="110115")
    hubs = [HubFactory(system=system("science")), HubFactory(level=HubLevel.DISTRICT, area=daxing)]
    for i in range(6):
        organization = OrganizationFactory(district=daxing, fields=[field("sports")], founded_on=date(2008, 1, 1))
        LinkFactory(hub=hubs[i % 2], organization=organization, start_date=date(2012, 1, 1))
    HubFactory(level=HubLevel.STREET, area=daxing.children.first())


def queries_of(client, url, params) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params).status_code == 200
    return len(queries)


def assert_figures_match_their_lists(list_count, figures):
    for figure in figures:
        assert figure["gap"] == figure["denominator"] - figure["numerator"]
        assert list_count(figure["covered_url"]) == figure["numerator"], figure
        assert list_count(figure["uncovered_url"]) == figure["gap"], figure


class TestCoverageAPI:
    @pytest.mark.parametrize("by", ["total", *DIMENSIONS])
    def test_each_figure_equals_the_rows_of_its_lists(self, api_client, list_count, registry, by):
        for day in DAYS:
            response = api_client.get(COVERAGE, {"as_of": day, "by": by})
            assert response.status_code == 200, response.content
            body = response.json()
            assert body["day"] == day and body["by"] == by
            assert body["figures"]
            assert any(figure["numerator"] for figure in body["figures"])
            assert_figures_match_their_lists(list_count, body["figures"])

    def test_total_states_numerator_denominator_rate_and_links(self, api_client, registry):
        figure = api_client.get(COVERAGE, {"as_of": "2013-12-31"}).json()["figures"][0]
        # on 2013-12-31 all 15 are active (one is dissolved later); 6 are covered: by the city hub 2 and the one
        # dissolved later, by the district hub 2 (one also by the city hub), by the street hub 2; the revoked hub's
        # 2 and the ended link's 1 are not
        assert (figure["numerator"], figure["denominator"]) == (6, 15)
        assert figure["rate"] == 40.0
        assert figure["covered_url"] == "http://testserver/api/organizations/organizations/?covered_on=2013-12-31"
        assert figure["uncovered_url"].endswith("?uncovered_on=2013-12-31")

    def test_by_level_and_system_use_the_coverage_filters(self, api_client, registry):
        figures = api_client.get(COVERAGE, {"as_of": "2013-12-31", "by": "level"}).json()["figures"]
        assert [f["key"] for f in figures] == ["city", "district", "street"]
        assert "covered_by_level=city" in figures[0]["covered_url"]
        systems = api_client.get(COVERAGE, {"as_of": "2013-12-31", "by": "system"}).json()["figures"]
        union = next(f for f in systems if f["key"] == "union")
        assert union["numerator"] == 3
        assert f"covered_by_system={system('union').pk}" in union["covered_url"]

    def test_as_of_defaults_to_today(self, api_client, registry):
        body = api_client.get(COVERAGE).json()
        assert body["day"] == timezone.localdate().isoformat()
        assert body["by"] == "total"

    def test_bad_input_answers_400_in_chinese(self, api_client):
        response = api_client.get(COVERAGE, {"as_of": "2013-02-30", "by": "province"})
        assert response.status_code == 400
        assert response.json() == {
            "as_of": ["日期「2013-02-30」不存在：2013年2月只有 28 天。"],
            "by": [
                "参数 by 的值「province」无效。可选值：total（全市合计）、district（按区）、street（按街道/乡镇）、"
                "kind（按组织类型）、field（按领域）、level（按枢纽层级）、system（按条线）；不传则为 total。"
            ],
        }

    def test_needs_the_organization_view_permission(self, anonymous_client, make_client):
        assert anonymous_client.get(COVERAGE).status_code == 401
        response = make_client("hubs.view_hub").get(COVERAGE)
        assert response.status_code == 403
        assert response.json() == {"detail": "您没有查看社会组织数据的权限。"}
        assert make_client("organizations.view_organization").get(COVERAGE).status_code == 200

    @pytest.mark.parametrize("by", ["total", *DIMENSIONS])
    def test_query_count_does_not_grow_with_rows(self, api_client, registry, by):
        params = {"as_of": "2013-12-31", "by": by}
        before = queries_of(api_client, COVERAGE, params)
        more_of_everything()
        assert queries_of(api_client, COVERAGE, params) == before


class TestCoverageTrendAPI:
    def test_each_year_end_and_the_last_day_equal_the_rows_of_their_lists(self, api_client, list_count, registry):
        response = api_client.get(TREND, {"until": "2016-06-30"})
        assert response.status_code == 200, response.content
        figures = response.json()["figures"]
        assert [f["day"] for f in figures] == [f"{year}-12-31" for year in range(2008, 2016)] + ["2016-06-30"]
        assert_figures_match_their_lists(list_count, figures)

    def test_until_cannot_be_in_the_future(self, api_client):
        response = api_client.get(TREND, {"until": "2999-01-01"})
        assert response.status_code == 400
        today = timezone.localdate().isoformat()
        assert response.json() == {"until": [f"日期 2999-01-01 晚于今天（{today}）：只能查询今天及以前的情况。"]}


class TestCoverageGrowthAPI:
    def test_counts_equal_the_rows_of_their_lists(self, api_client, list_count, registry):
        for level in ("", "city", "district"):
            params = {"start": "2011-06-30", "end": "2013-12-31"} | ({"level": level} if level else {})
            response = api_client.get(GROWTH, params)
            assert response.status_code == 200, response.content
            body = response.json()
            parts = [body["total"], *(row["growth"] for row in body["systems"])]
            for part in parts:
                assert list_count(part["start_url"]) == part["start"]
                assert list_count(part["end_url"]) == part["end"]
        assert body["level"] == "district"

    def test_shares(self, api_client, registry):
        body = api_client.get(GROWTH, {"start": "2011-06-30", "end": "2013-12-31"}).json()
        # 2011-06-30: the city hub's 3 (one since dissolved, one link since ended), the district hub's 1 and the
        # revoked hub's 2 (revoked later); 2013-12-31: see the total above
        assert (body["total"]["start"], body["total"]["end"], body["total"]["increase"]) == (7, 6, -1)
        union = next(row for row in body["systems"] if row["system"]["code"] == "union")
        assert union["growth"]["end"] == 3
        assert union["share_of_total"] == pytest.approx(union["growth"]["end"] * 100 / body["total"]["end"], abs=0.01)

    def test_start_is_required_and_not_after_end(self, api_client):
        assert api_client.get(GROWTH).json() == {"start": ["请填写日期，例如 2015-06-30。"]}
        response = api_client.get(GROWTH, {"start": "2015-01-01", "end": "2014-01-01", "level": "county"})
        assert response.status_code == 400
        assert response.json() == {
            "level": ["参数 level 的值「county」无效。可选值：city（市级）、district（区级）、street（街道级）。"]
        }
        response = api_client.get(GROWTH, {"start": "2015-01-01", "end": "2014-01-01"})
        assert response.json() == {"start": ["起始日期不能晚于结束日期。"]}


class TestCoverageHubsAPI:
    def test_each_hubs_count_equals_the_rows_of_its_list(self, api_client, list_count, registry):
        for day in DAYS:
            body = api_client.get(HUBS, {"as_of": day}).json()
            assert body["day"] == day
            assert any(row["linked"] for row in body["hubs"])
            for row in body["hubs"]:
                assert list_count(row["linked_url"]) == row["linked"], row

    def test_only_hubs_recognised_that_day(self, api_client, registry):
        levels = [row["hub"]["level"] for row in api_client.get(HUBS, {"as_of": "2011-06-30"}).json()["hubs"]]
        assert sorted(levels) == ["city", "city", "district"]

    def test_query_count_is_constant(self, api_client, registry, django_assert_num_queries):
        HubFactory.create_batch(5)
        with django_assert_num_queries(2):  # hubs with organization, area and system; linked counts
            response = api_client.get(HUBS, {"as_of": "2016-01-01"})
        assert len(response.json()["hubs"]) == 8
        more_of_everything()
        with django_assert_num_queries(2):
            response = api_client.get(HUBS, {"as_of": "2016-01-01"})
        assert len(response.json()["hubs"]) == 11
