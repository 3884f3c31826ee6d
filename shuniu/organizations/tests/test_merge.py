from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.urls import reverse

from shuniu.hubs.choices import LinkRole
from shuniu.hubs.merging import LinksAndRecognitions
from shuniu.hubs.models import Hub, Link
from shuniu.hubs.selectors import organizations_covered_on
from shuniu.hubs.tests.factories import HubFactory, LinkFactory
from shuniu.indicators.models import IndicatorState
from shuniu.organizations.choices import OrganizationKind
from shuniu.organizations.models import Organization, OrganizationMerge
from shuniu.organizations.services import organization_merge, organization_merge_plan
from shuniu.organizations.tests.factories import OrganizationFactory, district, field

pytestmark = pytest.mark.django_db

MERGE_URL = reverse("organizations:duplicate_merge")


def community(name="阳光协会", **kwargs):
    return OrganizationFactory(name=name, kind=OrganizationKind.COMMUNITY, **kwargs)


def link_rows(*organizations):
    """Every link of the organizations, as plain values: to compare before and after."""
    return sorted(
        Link.objects.filter(organization__in=organizations).values_list(
            "pk", "hub_id", "organization_id", "role", "start_date", "end_date", "basis", "note"
        )
    )


def organization_rows(*organizations):
    return sorted(Organization.objects.filter(pk__in=[o.pk for o in organizations]).values_list())


def covered(organization, day) -> bool:
    return organizations_covered_on(day=day).filter(pk=organization.pk).exists()


def test_merge_moves_links_and_recognitions_and_records_the_merged_organization(admin_user):
    keep = community("北京市朝阳区阳光协会", address="", founded_on=date(2012, 5, 1), fields=[field("elderly")])
    merge = community(
        "朝阳区阳光协会（备案）",
        address="望京西园三区",
        legal_representative="张三",
        founded_on=date(2010, 3, 1),
        former_names="阳光老年协会",
        street=district().children.order_by("code").first(),
        fields=[field("education")],
    )
    kept_link = LinkFactory(organization=keep, start_date=date(2012, 6, 1))
    moved = LinkFactory(organization=merge, role=LinkRole.SERVE, start_date=date(2010, 4, 1), basis="京文〔2010〕1号")
    recognition = HubFactory(organization=merge, recognized_on=date(2011, 1, 1))

    record = organization_merge(keep=keep, merge=merge, user=admin_user, note="同一组织，名称写法不同")

    assert not Organization.objects.filter(pk=merge.pk).exists()
    moved.refresh_from_db()
    assert moved.organization == keep and moved.start_date == date(2010, 4, 1) and moved.basis == "京文〔2010〕1号"
    assert Link.objects.get(pk=kept_link.pk).organization == keep
    assert Hub.objects.get(pk=recognition.pk).organization == keep
    keep.refresh_from_db()
    assert keep.name == "北京市朝阳区阳光协会"
    assert keep.former_names == "朝阳区阳光协会（备案）；阳光老年协会"
    assert (keep.address, keep.legal_representative, keep.founded_on) == ("望京西园三区", "张三", date(2010, 3, 1))
    assert keep.street == merge.street
    assert set(keep.fields.values_list("code", flat=True)) == {"elderly", "education"}

    assert (record.kept, record.user, record.merged_pk, record.merged_name, record.merged_uscc, record.note) == (
        keep,
        admin_user,
        merge.pk,
        "朝阳区阳光协会（备案）",
        "",
        "同一组织，名称写法不同",
    )
    record.refresh_from_db()  # the snapshot as stored (JSON)
    snapshot = record.snapshot
    assert snapshot["organization"]["id"] == merge.pk and snapshot["organization"]["name"] == merge.name
    assert snapshot["organization"]["address"] == "望京西园三区"
    assert snapshot["organization"]["founded_on"] == "2010-03-01"
    assert snapshot["organization"]["fields"] == ["education"]
    assert [(m["id"], m["start_date"], m["end_date"]) for m in snapshot["links_moved"]] == [
        (moved.pk, "2010-04-01", None)
    ]
    assert [(r["id"], r["recognized_on"]) for r in snapshot["recognitions_moved"]] == [(recognition.pk, "2011-01-01")]
    assert snapshot["kept_before"]["founded_on"] == "2012-05-01" and snapshot["kept_before"]["address"] == ""
    assert snapshot["links_combined"] == []


def test_the_uscc_kind_and_registration_of_a_registered_duplicate_go_to_the_kept_record():
    keep = community("阳光志愿者协会", registration_level="street", registration_authority="望京街道办事处")
    merge = OrganizationFactory(
        name="北京市朝阳区阳光志愿者协会",
        kind=OrganizationKind.SOCIAL_GROUP,
        registration_level="district",
        registration_authority="北京市朝阳区民政局",
        founded_on=date(2011, 1, 1),
        registered_on=date(2011, 3, 1),
    )
    uscc = merge.uscc
    record = organization_merge(keep=keep, merge=merge)
    keep.refresh_from_db()
    assert (keep.uscc, keep.kind) == (uscc, OrganizationKind.SOCIAL_GROUP)
    assert (keep.registration_level, keep.registration_authority) == ("district", "北京市朝阳区民政局")
    assert (keep.founded_on, keep.registered_on) == (date(2005, 1, 1), date(2011, 3, 1))
    assert record.merged_uscc == uscc and record.user is None


def test_overlapping_links_of_the_same_hub_and_role_are_combined_into_one():
    keep, merge = community(), community("北京市朝阳区阳光协会")
    hub = HubFactory()
    kept = LinkFactory(hub=hub, organization=keep, start_date=date(2010, 1, 1), end_date=date(2012, 12, 31))
    later = LinkFactory(hub=hub, organization=keep, start_date=date(2016, 1, 1), end_date=date(2016, 12, 31))
    absorbed = LinkFactory(hub=hub, organization=merge, start_date=date(2012, 6, 1), end_date=date(2014, 5, 31))
    other_role = LinkFactory(hub=hub, organization=merge, role=LinkRole.SERVE, start_date=date(2011, 1, 1))
    days = [date(2009, 12, 31), date(2011, 6, 1), date(2013, 1, 1), date(2014, 6, 1), date(2015, 6, 1)]
    days.append(date(2016, 6, 1))
    before = {day: covered(keep, day) or covered(merge, day) for day in days}

    links = organization_merge_plan(keep=keep, merge=merge).step(LinksAndRecognitions)
    assert [(c.link, c.absorbed, c.start_date, c.end_date) for c in links.combinations] == [
        (kept, [absorbed], date(2010, 1, 1), date(2014, 5, 31))
    ]
    assert links.moved_links == [other_role]
    record = organization_merge(keep=keep, merge=merge)

    assert link_rows(keep) == sorted(
        [
            (kept.pk, hub.pk, keep.pk, "contact", date(2010, 1, 1), date(2014, 5, 31), "", ""),
            (later.pk, hub.pk, keep.pk, "contact", date(2016, 1, 1), date(2016, 12, 31), "", ""),
            (other_role.pk, hub.pk, keep.pk, "serve", date(2011, 1, 1), None, "", ""),
        ]
    )
    assert not Link.objects.filter(pk=absorbed.pk).exists()
    [combined] = OrganizationMerge.objects.get(pk=record.pk).snapshot["links_combined"]
    assert combined["link"]["id"] == kept.pk and (combined["start_date"], combined["end_date"]) == (
        "2010-01-01",
        "2014-05-31",
    )
    assert [(a["id"], a["organization_id"], a["start_date"]) for a in combined["absorbed"]] == [
        (absorbed.pk, merge.pk, "2012-06-01")
    ]
    assert {day: covered(keep, day) for day in days} == before


def test_a_chain_of_overlaps_with_an_open_end_becomes_one_open_link():
    keep, merge = community(), community("北京市朝阳区阳光协会")
    hub = HubFactory()
    first = LinkFactory(hub=hub, organization=keep, start_date=date(2010, 1, 1), end_date=date(2011, 12, 31))
    LinkFactory(hub=hub, organization=keep, start_date=date(2013, 1, 1), end_date=date(2013, 12, 31))
    LinkFactory(hub=hub, organization=merge, start_date=date(2011, 6, 1), end_date=date(2013, 3, 1))
    LinkFactory(hub=hub, organization=merge, start_date=date(2013, 6, 1))
    organization_merge(keep=keep, merge=merge)
    assert link_rows(keep) == [(first.pk, hub.pk, keep.pk, "contact", date(2010, 1, 1), None, "", "")]


def test_coverage_of_the_kept_organization_is_the_union():
    keep, merge = community(), community("北京市朝阳区阳光协会")
    LinkFactory(organization=keep, start_date=date(2010, 1, 1), end_date=date(2011, 12, 31))
    LinkFactory(organization=merge, role=LinkRole.MANAGE, start_date=date(2013, 1, 1), end_date=date(2014, 12, 31))
    LinkFactory(organization=merge, start_date=date(2016, 1, 1))
    days = [date(year, 6, 30) for year in range(2009, 2020)]
    before = {day: covered(keep, day) or covered(merge, day) for day in days}
    assert before != {day: covered(keep, day) for day in days}
    organization_merge(keep=keep, merge=merge)
    assert {day: covered(keep, day) for day in days} == before


def test_a_second_managing_hub_refuses_the_whole_merge_and_changes_nothing():
    keep, merge = community(), community("北京市朝阳区阳光协会", address="望京")
    managing = LinkFactory(organization=keep, role=LinkRole.MANAGE, start_date=date(2012, 1, 1))
    LinkFactory(organization=merge, start_date=date(2011, 1, 1))
    other = LinkFactory(
        organization=merge, role=LinkRole.MANAGE, start_date=date(2014, 3, 1), end_date=date(2015, 2, 28)
    )
    HubFactory(organization=merge)
    links, organizations = link_rows(keep, merge), organization_rows(keep, merge)
    hubs = sorted(Hub.objects.values_list("pk", "organization_id"))

    with pytest.raises(ValidationError) as refused:
        organization_merge(keep=keep, merge=merge)
    message = refused.value.messages[0]
    assert "只能有一个管理枢纽" in message and "2014-03-01 至 2015-02-28" in message
    assert managing.hub.organization.name in message and other.hub.organization.name in message
    assert link_rows(keep, merge) == links and organization_rows(keep, merge) == organizations
    assert sorted(Hub.objects.values_list("pk", "organization_id")) == hubs
    assert not OrganizationMerge.objects.exists()


def test_a_combined_managing_link_that_would_overlap_another_managing_hub_is_refused():
    keep, merge = community(), community("北京市朝阳区阳光协会")
    hub = HubFactory()
    LinkFactory(
        hub=hub, organization=keep, role=LinkRole.MANAGE, start_date=date(2010, 1, 1), end_date=date(2011, 12, 31)
    )
    LinkFactory(organization=keep, role=LinkRole.MANAGE, start_date=date(2014, 1, 1))
    LinkFactory(
        hub=hub, organization=merge, role=LinkRole.MANAGE, start_date=date(2011, 6, 1), end_date=date(2014, 6, 30)
    )
    links = link_rows(keep, merge)
    with pytest.raises(ValidationError, match="2014-01-01 至 2014-06-30 将同时由"):
        organization_merge(keep=keep, merge=merge)
    assert link_rows(keep, merge) == links


def test_the_same_managing_hub_on_both_is_combined_not_refused():
    keep, merge = community(), community("北京市朝阳区阳光协会")
    hub = HubFactory()
    LinkFactory(hub=hub, organization=keep, role=LinkRole.MANAGE, start_date=date(2012, 1, 1))
    LinkFactory(hub=hub, organization=merge, role=LinkRole.MANAGE, start_date=date(2010, 1, 1))
    organization_merge(keep=keep, merge=merge)
    assert [row[3:6] for row in link_rows(keep)] == [("manage", date(2010, 1, 1), None)]


def test_refusals_itself_different_usccs_and_a_hub_linked_to_its_duplicate():
    organization = OrganizationFactory()
    with pytest.raises(ValidationError, match="不能把组织与自身合并"):
        organization_merge(keep=organization, merge=organization)
    with pytest.raises(ValidationError, match="统一社会信用代码不同"):
        organization_merge(keep=organization, merge=OrganizationFactory())
    hub = HubFactory()
    link = LinkFactory(hub=hub)
    with pytest.raises(ValidationError, match="合并后枢纽将与自身联系"):
        organization_merge(keep=link.organization, merge=hub.organization)
    assert Organization.objects.filter(pk=hub.organization.pk).exists()


def test_a_link_starting_after_the_kept_organization_was_dissolved_refuses_the_merge():
    keep = community(status="deregistered", active_until=date(2013, 12, 30))
    merge = community("北京市朝阳区阳光协会")
    link = LinkFactory(organization=merge, start_date=date(2015, 1, 1))
    with pytest.raises(ValidationError, match=r"存续至 2013-12-30（此后已注销或撤销）"):
        organization_merge(keep=keep, merge=merge)
    assert Link.objects.get(pk=link.pk).organization == merge and Organization.objects.filter(pk=merge.pk).exists()


def test_merges_into_the_merged_organization_follow_it():
    a, b, c = community("阳光协会"), community("北京市朝阳区阳光协会"), community("朝阳区阳光协会")
    first = organization_merge(keep=b, merge=a)
    second = organization_merge(keep=c, merge=b)
    assert set(c.merges.all()) == {first, second}
    assert OrganizationMerge.objects.get(pk=second.pk).snapshot["merges_moved"] == [first.pk]


def test_different_districts_may_be_merged_and_the_kept_district_stays():
    keep = community()
    merge = community("北京市海淀区阳光协会", district=district("110108"))
    assert organization_merge_plan(keep=keep, merge=merge).district_differs
    record = organization_merge(keep=keep, merge=merge)
    keep.refresh_from_db()
    assert keep.district == district("110105") and record.snapshot["district_differs"] is True


def test_the_coverage_trend_is_marked_stale_from_the_earliest_day_affected():
    keep, merge = community(founded_on=date(2005, 1, 1)), community(founded_on=date(2008, 1, 1))  # keep: unchanged
    LinkFactory(organization=merge, start_date=date(2010, 1, 1))
    IndicatorState.objects.update_or_create(indicator="hubs.coverage", defaults={"stale_since": None})
    organization_merge(keep=keep, merge=merge)
    state = IndicatorState.objects.get(indicator="hubs.coverage")
    assert state.stale_since == date(2008, 1, 1)  # the deleted organization's founding


def test_the_organization_page_shows_the_merge_record(admin_client, admin_user):
    keep, merge = community(), community("北京市朝阳区阳光协会（备案）")
    organization_merge(keep=keep, merge=merge, user=admin_user, note="核实为同一组织")
    content = admin_client.get(keep.get_absolute_url()).content.decode()
    assert "合并记录" in content and "北京市朝阳区阳光协会（备案）" in content
    assert "admin" in content and "核实为同一组织" in content and "无统一社会信用代码" in content


# --- the confirmation page -----------------------------------------------------------------------------------------


@pytest.fixture
def pair():
    keep, merge = community(), community("北京市朝阳区阳光协会")
    link = LinkFactory(organization=merge, start_date=date(2012, 1, 1))
    return keep, merge, link


def test_the_confirmation_page_shows_what_will_happen_and_changes_nothing(admin_client, pair):
    keep, merge, link = pair
    response = admin_client.post(MERGE_URL, {"keep": keep.pk, "merge": merge.pk})
    content = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="keep-card"' in content and keep.name in content and merge.name in content
    assert link.hub.organization.name in content and "2012-01-01 至 今" in content and "确认合并" in content
    assert Organization.objects.filter(pk=merge.pk).exists() and Link.objects.get(pk=link.pk).organization == merge
    assert admin_client.get(MERGE_URL, {"keep": keep.pk, "merge": merge.pk}).status_code == 200


def test_confirming_merges_and_goes_to_the_kept_organization(admin_client, admin_user, pair):
    keep, merge, link = pair
    response = admin_client.post(MERGE_URL, {"keep": keep.pk, "merge": merge.pk, "confirm": "1", "note": "核实"})
    assert response.status_code == 302 and response["Location"] == keep.get_absolute_url()
    assert not Organization.objects.filter(pk=merge.pk).exists()
    assert Link.objects.get(pk=link.pk).organization == keep
    record = OrganizationMerge.objects.get()
    assert (record.kept, record.user, record.note) == (keep, admin_user, "核实")


def test_a_refused_merge_shows_why_on_the_confirmation_page(admin_client):
    keep, merge = community(), community("北京市朝阳区阳光协会")
    LinkFactory(organization=keep, role=LinkRole.MANAGE, start_date=date(2012, 1, 1))
    LinkFactory(organization=merge, role=LinkRole.MANAGE, start_date=date(2013, 1, 1))
    response = admin_client.post(MERGE_URL, {"keep": keep.pk, "merge": merge.pk})
    content = response.content.decode()
    assert "只能有一个管理枢纽" in content and 'data-testid="confirm-merge"' not in content
    response = admin_client.post(MERGE_URL, {"keep": keep.pk, "merge": merge.pk, "confirm": "1"})
    assert response.status_code == 200 and "只能有一个管理枢纽" in response.content.decode()
    assert Organization.objects.filter(pk=merge.pk).exists()


def test_merging_needs_change_and_delete_permissions(client, django_user_model, pair):
    keep, merge, link = pair
    user = django_user_model.objects.create_user("editor", password="x")
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_organization", "change_organization"]))
    client.force_login(user)
    data = {"keep": keep.pk, "merge": merge.pk, "confirm": "1"}
    assert client.post(MERGE_URL, data).status_code == 403
    client.force_login(django_user_model.objects.create_user("plain", password="x"))
    assert client.post(MERGE_URL, data).status_code == 403
    assert client.get(MERGE_URL, {"keep": keep.pk, "merge": merge.pk}).status_code == 403
    assert Organization.objects.filter(pk=merge.pk).exists() and Link.objects.get(pk=link.pk).organization == merge
    assert not OrganizationMerge.objects.exists()


def test_bad_or_unknown_ids_are_404(admin_client, pair):
    keep, _merge, _link = pair
    assert admin_client.post(MERGE_URL, {"keep": keep.pk, "merge": "x"}).status_code == 404
    assert admin_client.post(MERGE_URL, {"keep": keep.pk, "merge": 999999}).status_code == 404


def test_the_confirmation_page_lists_combined_links_and_filled_fields(admin_client):
    keep, merge = community(), community("北京市朝阳区阳光协会", founded_on=date(2003, 1, 1))
    hub = HubFactory()
    LinkFactory(hub=hub, organization=keep, start_date=date(2010, 1, 1), end_date=date(2012, 12, 31))
    LinkFactory(hub=hub, organization=merge, start_date=date(2012, 1, 1))
    content = admin_client.post(MERGE_URL, {"keep": keep.pk, "merge": merge.pk}).content.decode()
    assert "2010-01-01 至 2012-12-31、2012-01-01 至 今" in content and "<strong>2010-01-01 至 今</strong>" in content
    assert "「成立日期」：2005-01-01 → 2003-01-01" in content
