"""Declared actions (`core.actions`) and the one "save within scope" re-check (`core.writes`).

Every declared action with an `example` runs through its page and through the API, and must leave the audit action it
declares, refuse a user without its permission, and change nothing then. The machinery is tested on the real
declarations (ending a link, revoking a recognition, merging a duplicate)."""

from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils.module_loading import import_string
from rest_framework.test import APIClient

from shuniu.accounts.testing import user_with_role
from shuniu.areas.models import Area
from shuniu.audit.models import ObjectChange
from shuniu.core import actions as core_actions
from shuniu.core.actions import Action, all_actions, bind_actions, get_action, perform
from shuniu.core.writes import OutsideScope, ensure_within_scope, outside_scope
from shuniu.hubs.forms import LinkEndForm
from shuniu.hubs.models import Hub, Link
from shuniu.hubs.services import link_end
from shuniu.hubs.tests.factories import HubFactory, LinkFactory
from shuniu.organizations.models import Organization
from shuniu.organizations.tests.actions import organization_merge_example
from shuniu.organizations.tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db
pytest_plugins = ["shuniu.core.api.testing"]

DECLARED = [action for action in all_actions() if action.example]


def action_id(action: Action) -> str:
    return f"{action.model._meta.label_lower}.{action.name}"


def api_url(action: Action, record) -> str:
    return reverse(f"{action.app_label}-api:{action.model._meta.model_name}-{action.name}", args=[record.pk])


def recorded(action: Action, record) -> bool:
    """Whether the audit log holds the action's audit action for `record`."""
    content_type = ContentType.objects.get_for_model(action.model)
    return ObjectChange.objects.filter(
        content_type=content_type, object_id=record.pk, action=action.audit_action
    ).exists()


def test_the_conversions_are_declared():
    assert {action_id(action) for action in DECLARED} >= {
        "hubs.link.end",
        "hubs.hub.revoke",
        "organizations.organization.merge",
    }
    for action in DECLARED:
        assert action.audit_action, action_id(action)


@pytest.mark.parametrize("action", DECLARED, ids=action_id)
def test_a_declared_action_through_its_page(admin_client, action):
    record, data = import_string(action.example)()
    url = action.url(record)
    assert admin_client.get(url.split("?")[0], {action.record_param: record.pk, **data}).status_code == 200
    response = admin_client.post(url, {action.record_param: record.pk, **data})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert recorded(action, record)


@pytest.mark.parametrize("action", DECLARED, ids=action_id)
def test_a_declared_action_through_the_api(api_client, action):
    record, data = import_string(action.example)()
    response = api_client.post(api_url(action, record), data, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["id"] == record.pk
    assert recorded(action, record)


@pytest.mark.parametrize("action", DECLARED, ids=action_id)
def test_a_declared_action_needs_its_permission_and_changes_nothing_without_it(client, make_client, action):
    record, data = import_string(action.example)()
    view = f"{action.app_label}.view_{action.model._meta.model_name}"
    viewer = make_client(view)
    assert viewer.post(api_url(action, record), data, format="json").status_code == 403
    user = viewer.handler._force_user
    client.force_login(user)
    assert client.post(action.url(record), {action.record_param: record.pk, **data}).status_code == 403
    assert not recorded(action, record)
    assert type(record)._default_manager.filter(pk=record.pk).exists()


@pytest.mark.parametrize("action", DECLARED, ids=action_id)
def test_a_declared_action_answers_404_outside_the_scope(action):
    """A district office of 海淀区 does not reach a record of 朝阳区 (the examples' records are in 朝阳区, or the
    city's)."""
    record, data = import_string(action.example)()
    user = user_with_role("district-office", area=Area.objects.get(code="110108"))
    if not action.allowed(user):
        pytest.skip("the role lacks the permission: the test above covers it")
    api = APIClient()
    api.force_authenticate(user)
    assert api.post(api_url(action, record), data, format="json").status_code in (403, 404)
    assert not recorded(action, record)


def test_the_permission_names_the_scope_action():
    end = get_action(Link, "end")
    assert end.scope_actions == ("end",) and end.permissions == ("hubs.end_link",)
    merge = get_action(Organization, "merge")
    assert merge.scope_actions == ("change", "delete")
    assert Action(name="x", model=Hub, service=print, form=LinkEndForm, permission="change", label="x").permissions == (
        "hubs.change_hub",
    )


def test_the_api_takes_the_forms_fields():
    fields = get_action(Link, "end").input_serializer().fields
    assert set(fields) == {"end_date", "reason"}
    assert fields["end_date"].required and not fields["reason"].required
    assert fields["reason"].max_length == LinkEndForm.base_fields["reason"].max_length


def test_the_api_refuses_what_the_page_refuses_with_the_same_message(api_client, admin_client):
    link = LinkFactory(start_date=date(2012, 1, 1))
    too_long = "长" * 300
    response = api_client.post(api_url(get_action(Link, "end"), link), {"end_date": "2015-06-30", "reason": too_long})
    assert response.status_code == 400 and list(response.json()) == ["reason"]
    [message] = response.json()["reason"]
    page = admin_client.post(reverse("hubs:link_end", args=[link.pk]), {"end_date": "2015-06-30", "reason": too_long})
    assert page.status_code == 200 and message in page.content.decode()
    response = api_client.post(api_url(get_action(Link, "end"), link), {"reason": "x"}, format="json")
    assert response.json() == {"end_date": ["该字段是必填项。"]}  # a missing value: DRF's own message
    assert Link.objects.get(pk=link.pk).end_date is None


def test_the_service_judges_and_both_paths_show_its_reason(api_client, admin_client):
    link = LinkFactory(start_date=date(2012, 1, 1), end_date=date(2012, 12, 31))
    page = admin_client.post(reverse("hubs:link_end", args=[link.pk]), {"end_date": "2013-06-30"})
    assert "该联系关系已于 2012-12-31 结束。" in page.content.decode()
    response = api_client.post(api_url(get_action(Link, "end"), link), {"end_date": "2013-06-30"}, format="json")
    assert response.json() == {"end_date": ["该联系关系已于 2012-12-31 结束。"]}


# --- the scope re-check: one function, the same on every path --------------------------------------------------------


def test_ending_a_link_through_the_page_and_the_api_rechecks_the_same_way(monkeypatch, api_client, admin_client):
    calls = []

    def spy(user, model, pks, action, **kwargs):
        calls.append((user.pk, model, list(pks), tuple(action)))
        return ensure_within_scope(user, model, pks, action, **kwargs)

    monkeypatch.setattr(core_actions, "ensure_within_scope", spy)
    first, second = LinkFactory(), LinkFactory()
    assert admin_client.post(reverse("hubs:link_end", args=[first.pk]), {"end_date": "2015-06-30"}).status_code == 302
    response = api_client.post(reverse("hubs-api:link-end", args=[second.pk]), {"end_date": "2015-06-30"})
    assert response.status_code == 200
    page_call, api_call = calls
    assert page_call == (page_call[0], Link, [first.pk], ("end",))
    assert api_call == (page_call[0], Link, [second.pk], ("end",))


def test_a_write_that_leaves_the_scope_is_undone_on_the_page_and_in_the_api(monkeypatch, api_client, admin_client):
    def outside(user, model, pks, action, **kwargs):
        raise OutsideScope(model, pks)

    monkeypatch.setattr(core_actions, "ensure_within_scope", outside)
    link = LinkFactory(start_date=date(2012, 1, 1))
    page = admin_client.post(reverse("hubs:link_end", args=[link.pk]), {"end_date": "2015-06-30"})
    assert page.status_code == 200 and "保存后的记录超出了您的权限范围，未保存。" in page.content.decode()
    assert Link.objects.get(pk=link.pk).end_date is None
    response = api_client.post(reverse("hubs-api:link-end", args=[link.pk]), {"end_date": "2015-06-30"})
    assert response.status_code == 403 and response.json() == {"detail": "保存后的记录超出了您的权限范围，未保存。"}
    assert Link.objects.get(pk=link.pk).end_date is None
    assert not ObjectChange.objects.filter(object_id=link.pk, action="link_ended").exists()


def test_perform_undoes_a_service_that_moves_the_record_out_of_the_scope():
    chaoyang, haidian = Area.objects.get(code="110105"), Area.objects.get(code="110108")
    user = user_with_role("district-office", area=chaoyang)
    organization = OrganizationFactory(district=chaoyang, street=None)

    def move(*, organization, district):
        organization.district = district
        organization.save()
        return organization

    moving = Action(name="move", model=Organization, service=move, form=LinkEndForm, permission="change", label="move")
    with pytest.raises(OutsideScope):
        perform(moving, record=organization, user=user, data={"district": haidian})
    assert Organization.objects.get(pk=organization.pk).district == chaoyang
    perform(moving, record=organization, user=user, data={"district": chaoyang})  # still inside: kept


def test_the_batch_form_names_the_records_outside(django_assert_num_queries):
    chaoyang, haidian = Area.objects.get(code="110105"), Area.objects.get(code="110108")
    inside = OrganizationFactory.create_batch(3, district=chaoyang, street=None)
    outside = OrganizationFactory.create_batch(2, district=haidian, street=None)
    user = user_with_role("district-office", area=chaoyang)
    pks = [o.pk for o in inside + outside]
    assert outside_scope(user, Organization, pks, "change") == {o.pk for o in outside}
    assert outside_scope(user, Organization, [o.pk for o in inside], ("change", "delete")) == set()
    with pytest.raises(OutsideScope) as refused:
        ensure_within_scope(user, Organization, pks, "change")
    assert refused.value.pks == sorted(o.pk for o in outside)
    assert outside_scope(None, Organization, pks, "change") == set()  # the system
    city = user_with_role("city-admin")
    outside_scope(city, Organization, pks, "change")  # loads the grants once
    with django_assert_num_queries(0):  # a city-wide scope needs no look-up
        assert outside_scope(city, Organization, pks, "change") == set()


def test_the_edit_page_and_the_api_update_use_the_same_recheck(monkeypatch, api_client, admin_client):
    """The generic edit page and the API's create/update call `core.writes` too."""
    from shuniu.core import views as core_views
    from shuniu.core.api import viewsets

    seen = []

    def spy(user, record, action, **kwargs):
        seen.append((type(record), action))

    monkeypatch.setattr(core_views, "ensure_saved_within_scope", spy)
    monkeypatch.setattr(viewsets, "ensure_saved_within_scope", spy)
    link = LinkFactory(start_date=date(2012, 1, 1))
    data = {"hub": link.hub.pk, "organization": link.organization.pk, "role": link.role, "start_date": "2012-01-01"}
    assert admin_client.post(reverse("hubs:link_edit", args=[link.pk]), {**data, "note": "页面"}).status_code == 302
    response = api_client.patch(reverse("hubs-api:link-detail", args=[link.pk]), {"note": "接口"}, format="json")
    assert response.status_code == 200
    assert seen == [(Link, "change"), (Link, "change")]


# --- the buttons -------------------------------------------------------------------------------------------------


def test_the_buttons_follow_availability_and_permission(admin_client, client, django_user_model):
    hub = HubFactory()
    open_link = LinkFactory(hub=hub, start_date=date(2012, 1, 1))
    page = admin_client.get(open_link.organization.get_absolute_url()).content.decode()
    assert 'data-testid="action-link-end"' in page and reverse("hubs:link_end", args=[open_link.pk]) in page
    link_end(link=open_link, end_date=date(2014, 12, 31))
    page = admin_client.get(open_link.organization.get_absolute_url()).content.decode()
    assert 'data-testid="action-link-end"' not in page  # ended: not available
    page = admin_client.get(hub.get_absolute_url()).content.decode()
    assert 'data-testid="action-hub-revoke"' in page and reverse("hubs:hub_revoke", args=[hub.pk]) in page

    viewer = django_user_model.objects.create_user("viewer", password="x")
    viewer.user_permissions.add(*Permission.objects.filter(codename__in=["view_hub", "view_link", "view_organization"]))
    client.force_login(viewer)
    assert 'data-testid="action-hub-revoke"' not in client.get(hub.get_absolute_url()).content.decode()


def test_binding_a_lists_actions_costs_one_query_per_action_whatever_its_length(django_assert_num_queries):
    chaoyang = Area.objects.get(code="110105")
    user = user_with_role("district-office", area=chaoyang)
    links = [LinkFactory(organization__district=chaoyang, organization__street=None) for _ in range(5)]
    links.append(LinkFactory(organization__district=Area.objects.get(code="110108"), organization__street=None))
    bind_actions(user, links[:1])  # the grants, once
    user.__dict__.pop("_shuniu_visible", None)
    records = list(Link.objects.filter(pk__in=[link.pk for link in links]))
    with django_assert_num_queries(1):
        bind_actions(user, records)
    offered = {record.pk: [bound.action.name for bound in record.bound_actions] for record in records}
    assert offered == {**{link.pk: ["end"] for link in links[:5]}, links[5].pk: []}


def test_revoking_keeps_the_row_and_refuses_twice(api_client):
    hub = HubFactory(recognized_on=date(2009, 3, 1))
    url = api_url(get_action(Hub, "revoke"), hub)
    response = api_client.post(url, {"recognized_until": "2009-01-01"}, format="json")
    assert response.status_code == 400 and "早于认定日期" in response.json()["recognized_until"][0]
    assert api_client.post(url, {"recognized_until": "2016-12-31", "reason": "复核"}, format="json").status_code == 200
    assert Hub.objects.get(pk=hub.pk).recognized_until == date(2016, 12, 31)
    response = api_client.post(url, {"recognized_until": "2017-12-31"}, format="json")
    assert response.json() == {"recognized_until": ["该枢纽的认定已截止于 2016-12-31。"]}


def test_merging_through_the_api(api_client):
    keep, data = organization_merge_example()
    merge = Organization.objects.get(pk=data["merge"])
    link = merge.links.get()
    url = api_url(get_action(Organization, "merge"), keep)
    response = api_client.post(url, {"merge": keep.pk}, format="json")
    assert response.status_code == 400  # itself: the service refuses
    response = api_client.post(url, {"merge": merge.pk, "note": "核实"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["id"] == keep.pk
    assert not Organization.objects.filter(pk=merge.pk).exists() and Link.objects.get(pk=link.pk).organization == keep
    assert api_client.post(url, {"merge": 999_999}, format="json").status_code == 400
