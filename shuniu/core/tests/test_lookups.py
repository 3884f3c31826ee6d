"""Picking a record by typing (shuniu/core/lookups.py): the look-up answers only what the user may see, by name or
USCC prefix, with what tells records apart; a list filter's picker writes only the chosen record into the page, and
a record outside the scope is refused like any invalid choice."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shuniu.accounts.testing import user_with_role
from shuniu.areas.models import Area
from shuniu.core.lookups import LIMIT
from shuniu.hubs.choices import HubLevel
from shuniu.hubs.tests.factories import HubFactory
from shuniu.organizations.tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def chaoyang_and_haidian():
    chaoyang, haidian = Area.objects.get(code="110105"), Area.objects.get(code="110108")
    mine = HubFactory(
        organization__name="朝阳区志愿服务联合会",
        organization__district=chaoyang,
        organization__uscc="51110105MJ0000001X",
        level=HubLevel.DISTRICT,
        area=chaoyang,
    )
    theirs = HubFactory(
        organization__name="海淀区志愿服务联合会", organization__district=haidian, level=HubLevel.DISTRICT, area=haidian
    )
    return chaoyang, haidian, mine, theirs


def ask(client, model, text=""):
    response = client.get(reverse("record_lookup", args=[model]), {"q": text})
    assert response.status_code == 200
    return response.json()["results"]


def test_a_district_office_finds_only_its_districts_hubs_by_name_and_uscc(client, chaoyang_and_haidian):
    chaoyang, _haidian, mine, _theirs = chaoyang_and_haidian
    client.force_login(user_with_role("district-office", area=chaoyang))
    answers = ask(client, "hubs.hub", "志愿服务")
    detail = f"区级 · {mine.system.name} · 朝阳区 · 认定于 {mine.recognized_on}"
    assert answers == [{"value": str(mine.pk), "text": "朝阳区志愿服务联合会", "detail": detail}]
    assert ask(client, "hubs.hub", "51110105mj") == answers  # USCC prefix, in either case
    assert ask(client, "hubs.hub", "海淀") == []
    assert [answer["value"] for answer in ask(client, "hubs.hub")] == [str(mine.pk)]  # nothing typed: the first ones


def test_the_city_finds_every_match_up_to_the_limit_in_name_order(client, chaoyang_and_haidian):
    client.force_login(user_with_role("city-admin"))
    assert [answer["text"] for answer in ask(client, "hubs.hub", "志愿服务联合会")] == [
        "朝阳区志愿服务联合会",
        "海淀区志愿服务联合会",
    ]
    OrganizationFactory.create_batch(LIMIT + 5, name="望京社区养老服务中心")
    found = ask(client, "organizations.organization", "养老")
    assert len(found) == LIMIT and {answer["text"] for answer in found} == {"望京社区养老服务中心"}


def test_organizations_are_told_apart_by_district_kind_and_uscc(client, chaoyang_and_haidian):
    chaoyang, *_ = chaoyang_and_haidian
    organization = OrganizationFactory(name="朝阳区书法协会", district=chaoyang, uscc="51110105MJ0000002Q")
    OrganizationFactory(name="海淀区书法协会", district=Area.objects.get(code="110108"))
    client.force_login(user_with_role("district-office", area=chaoyang))
    answers = ask(client, "organizations.organization", "书法")
    assert answers == [
        {
            "value": str(organization.pk),
            "text": "朝阳区书法协会",
            "detail": f"朝阳区 · {organization.get_kind_display()} · 51110105MJ0000002Q",
        }
    ]


def test_a_look_up_costs_the_same_few_queries_however_many_records_match(client, chaoyang_and_haidian):
    client.force_login(user_with_role("city-admin"))
    OrganizationFactory.create_batch(30, name="测试养老服务中心")
    ask(client, "organizations.organization", "养老")
    with CaptureQueriesContext(connection) as queries:
        assert len(ask(client, "organizations.organization", "养老")) == LIMIT
    assert len(queries) <= 5  # session, user, grants and the one search with its districts joined


def test_a_hub_recognised_again_is_told_apart_by_its_period(client, chaoyang_and_haidian):
    from datetime import date

    chaoyang, _haidian, mine, _theirs = chaoyang_and_haidian
    earlier = HubFactory(
        organization=mine.organization,
        level=mine.level,
        system=mine.system,
        area=chaoyang,
        recognized_on=date(2009, 1, 1),
        recognized_until=date(2011, 12, 31),
    )
    client.force_login(user_with_role("city-admin"))
    details = {answer["value"]: answer["detail"] for answer in ask(client, "hubs.hub", "朝阳区志愿服务")}
    assert details[str(earlier.pk)].endswith("认定 2009-01-01 至 2011-12-31")
    assert details[str(mine.pk)].endswith(f"认定于 {mine.recognized_on}")


def test_odd_values_are_answered_not_failed(client, chaoyang_and_haidian):
    """A NUL in the text, or a filter value that is a word or a number too large for the column: the look-up
    answers, the list says the choice is not valid (in Chinese), nothing fails."""
    client.force_login(user_with_role("city-admin"))
    assert ask(client, "hubs.hub", "志愿\x00服务") == ask(client, "hubs.hub", "志愿服务")  # the NUL dropped
    for value in ("abc", "99999999999999999999", "-1"):
        response = client.get(reverse("organizations:organization_list"), {"hub": value})
        assert response.status_code == 200
        assert "hub" in response.context["filterset"].form.errors


def test_unknown_models_and_anonymous_visitors_are_refused(client):
    assert client.get(reverse("record_lookup", args=["hubs.hub"]), {"q": "会"}).status_code == 403
    client.force_login(user_with_role("city-admin"))
    response = client.get(reverse("record_lookup", args=["auth.user"]))
    assert response.status_code == 404


def test_a_list_filter_offers_the_picker_and_writes_only_the_chosen_hub(client, chaoyang_and_haidian):
    chaoyang, _haidian, mine, theirs = chaoyang_and_haidian
    HubFactory.create_batch(3, area=chaoyang, organization__district=chaoyang)
    client.force_login(user_with_role("district-office", area=chaoyang))
    page = client.get(reverse("organizations:organization_list"), {"hub": mine.pk}).content.decode()
    start = page.index('<select name="hub"')
    picker = page[start : page.index("</select>", start)]
    assert f'data-sn-lookup="{reverse("record_lookup", args=["hubs.hub"])}"' in picker
    assert picker.count("<option") == 2 and f'value="{mine.pk}" selected' in picker  # the empty one and the chosen

    refused = client.get(reverse("organizations:organization_list"), {"hub": theirs.pk})
    assert "海淀区志愿服务联合会" not in refused.content.decode()
    assert "hub" in refused.context["filterset"].form.errors  # outside the scope: not a valid choice


def test_streets_are_picked_by_name_and_told_apart_by_their_district(client):
    """The street filter's own look-up (`areas.street`): streets and townships only, never a district, each with its
    district; the list writes only the chosen street instead of the city's few hundred."""
    client.force_login(user_with_role("district-office", area=Area.objects.get(code="110105")))
    streets = Area.objects.streets().select_related("parent")
    street = streets.first()
    answers = ask(client, "areas.street", street.name)
    assert {"value": str(street.pk), "text": street.name, "detail": street.parent.name} in answers
    assert all(Area.objects.get(pk=answer["value"]).level == "street" for answer in answers)
    chaoyang = Area.objects.get(code="110105")
    by_code = {answer["value"] for answer in ask(client, "areas.street", chaoyang.code)}  # the district's code prefix
    assert by_code and str(chaoyang.pk) not in by_code
    assert [answer["value"] for answer in ask(client, "areas.street", street.code)] == [str(street.pk)]

    page = client.get(reverse("organizations:organization_list"), {"street": street.pk}).content.decode()
    start = page.index('<select name="street"')
    picker = page[start : page.index("</select>", start)]
    assert f'data-sn-lookup="{reverse("record_lookup", args=["areas.street"])}"' in picker
    assert picker.count("<option") == 2 and f'value="{street.pk}" selected' in picker
    assert streets.count() > 2  # the page would otherwise have listed them all


def test_the_hubs_area_filter_picks_any_area_and_names_its_level(client):
    client.force_login(user_with_role("city-admin"))
    chaoyang = Area.objects.get(code="110105")
    answers = ask(client, "areas.area", chaoyang.code)
    assert answers[0] == {"value": str(chaoyang.pk), "text": "朝阳区", "detail": "区"}  # the district, then its streets
    street = Area.objects.streets().filter(parent=chaoyang).first()
    assert {"value": str(street.pk), "text": street.name, "detail": "街道/乡镇 · 朝阳区"} in answers
    assert ask(client, "areas.area", "朝阳")[0]["value"] == str(chaoyang.pk)  # the district before 朝阳门街道 (东城区)
    page = client.get(reverse("hubs:hub_list"), {"area": chaoyang.pk}).content.decode()
    start = page.index('<select name="area"')
    picker = page[start : page.index("</select>", start)]
    assert f'data-sn-lookup="{reverse("record_lookup", args=["areas.area"])}"' in picker
    assert picker.count("<option") == 2 and f'value="{chaoyang.pk}" selected' in picker
