from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from shuniu.indicators import selectors, services
from shuniu.indicators.tests.scenario import DAY, build_scenario

pytestmark = pytest.mark.django_db


def test_dashboard_shows_the_headline_with_its_fraction(admin_client, admin_user):
    build_scenario()
    services.refresh(until=DAY)  # store the trend first (what the refresh after a write does): the page only reads it
    response = admin_client.get(reverse("indicators:dashboard"), {"as_of": DAY.isoformat()})
    content = response.content.decode()
    assert response.status_code == 200
    assert "27.78%" in content and 'data-testid="headline-numerator">5</a>' in content
    assert "全市枢纽型社会组织覆盖率（2015-06-30）" in content


def test_dashboard_pins_its_query_count(admin_client, admin_user, django_assert_max_num_queries):
    build_scenario()
    services.refresh(until=DAY)
    with django_assert_max_num_queries(30):
        assert admin_client.get(reverse("indicators:dashboard"), {"as_of": DAY.isoformat()}).status_code == 200


def test_dashboard_explains_a_bad_date(admin_client):
    response = admin_client.get(reverse("indicators:dashboard"), {"as_of": "2015-02-30"})
    assert response.status_code == 200
    assert "日期「2015-02-30」不存在：2015年2月只有 28 天。" in response.content.decode()
    assert 'data-testid="headline"' not in response.content.decode()  # no figures for another day


def test_dashboard_requires_login(client):
    assert client.get(reverse("indicators:dashboard")).status_code == 302


@pytest.mark.parametrize("dimension", selectors.DIMENSIONS)
def test_coverage_pages(admin_client, dimension):
    build_scenario()
    response = admin_client.get(reverse("indicators:coverage", args=[dimension]), {"as_of": DAY.isoformat()})
    assert response.status_code == 200
    assert "覆盖率" in response.content.decode()


def test_unknown_dimension_is_404(admin_client):
    assert admin_client.get(reverse("indicators:coverage", args=["planet"])).status_code == 404


def test_growth_page_states_both_shares(admin_client):
    build_scenario()
    response = admin_client.get(
        reverse("indicators:coverage_growth"), {"start": "2009-03-31", "end": DAY.isoformat(), "level": "city"}
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "占截止总数" in content and "占增量" in content and "共青团" in content


def test_coverage_command_prints_the_district_table():
    build_scenario()
    out = StringIO()
    call_command("coverage", "--as-of", DAY.isoformat(), "--by", "district", stdout=out)
    text = out.getvalue()
    assert "覆盖率 截至 2015-06-30" in text
    chaoyang = next(line for line in text.splitlines() if line.startswith("朝阳区"))
    figure = next(f for f in selectors.coverage_by_district(day=DAY, user=None) if f.label == "朝阳区")
    assert chaoyang.split()[1:] == [str(figure.numerator), str(figure.denominator), f"{figure.rate}%"]
    assert "全市" in text and "27.78%" in text


def test_coverage_command_refuses_a_bad_date():
    with pytest.raises(CommandError, match="无法识别"):
        call_command("coverage", "--as-of", "30/06/2015")


def test_dashboard_refuses_a_future_date(admin_client):
    response = admin_client.get(reverse("indicators:dashboard"), {"as_of": "9999-12-31"})
    assert response.status_code == 200
    assert "日期 9999-12-31 晚于今天" in response.content.decode()
    assert 'data-testid="headline"' not in response.content.decode()  # no figures for today instead
