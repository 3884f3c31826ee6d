"""Row changes and domain actions are recorded with who, the request, before and after, in the change's transaction."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from shuniu import audit
from shuniu.audit.choices import AuditAction
from shuniu.audit.models import ObjectChange
from shuniu.hubs.choices import HubAuditAction, HubLevel
from shuniu.hubs.models import Hub, Link
from shuniu.hubs.services import link_end
from shuniu.hubs.tests.factories import LinkFactory, system
from shuniu.organizations.choices import OrganizationAuditAction
from shuniu.organizations.models import Organization
from shuniu.organizations.services import organization_merge
from shuniu.organizations.tests.factories import OrganizationFactory, district, field

pytest_plugins = ["shuniu.core.api.testing"]  # api_client
pytestmark = pytest.mark.django_db


def changes_of(instance, **filters):
    content_type = ContentType.objects.get_for_model(type(instance))
    return list(ObjectChange.objects.filter(content_type=content_type, object_id=instance.pk, **filters).order_by("pk"))


def organization_form(**changes) -> dict:
    data = {
        "name": "北京市朝阳区审计测试协会",
        "kind": "community",
        "district": district().pk,
        "founded_on": "2015-01-01",
        "status": "active",
        "address": "朝阳路1号",
    }
    return {**data, **changes}


#
# Through the UI and the API
#


def test_ui_create_update_delete_record_who_request_before_and_after(admin_client, admin_user):
    response = admin_client.post(reverse("organizations:organization_add"), organization_form())
    assert response.status_code == 302
    organization = Organization.objects.get(name="北京市朝阳区审计测试协会")
    [created] = changes_of(organization)
    assert created.action == AuditAction.CREATE and created.before is None
    assert created.user == admin_user and created.user_name == "admin"
    assert str(created.request_id) == response["X-Request-ID"]
    assert created.after["name"] == "北京市朝阳区审计测试协会" and created.after["district"] == district().pk
    assert created.after["founded_on"] == "2015-01-01"
    assert "created_at" not in created.after and "updated_at" not in created.after

    edit = reverse("organizations:organization_edit", kwargs={"pk": organization.pk})
    response = admin_client.post(edit, organization_form(address="建国路2号", fields=[field().pk]))
    assert response.status_code == 302
    updates = changes_of(organization, action=AuditAction.UPDATE)
    assert [(c.before, c.after) for c in updates] == [
        ({"address": "朝阳路1号"}, {"address": "建国路2号"}),  # only the changed field
        ({"fields": []}, {"fields": [field().pk]}),  # the many-to-many change, as its own row
    ]
    assert {str(c.request_id) for c in updates} == {response["X-Request-ID"]}


def test_saving_without_a_change_records_nothing(admin_client):
    organization = OrganizationFactory()
    before = ObjectChange.objects.count()
    organization.save()
    assert ObjectChange.objects.count() == before


def test_api_create_update_delete_are_recorded(api_client, admin_user):
    area = district()
    body = {"code": "audit_line", "name": "审计条线", "sort": 99}
    response = api_client.post(reverse("hubs-api:system-list"), body, format="json")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    detail = reverse("hubs-api:system-detail", kwargs={"pk": pk})
    assert api_client.patch(detail, {"name": "审计条线（改）"}, format="json").status_code == 200
    assert api_client.delete(detail).status_code == 204
    rows = list(
        ObjectChange.objects.filter(content_type__model="system", object_id=pk)
        .order_by("pk")
        .values_list("action", "user_id", "before", "after")
    )
    assert rows[0][:2] == (AuditAction.CREATE, admin_user.pk) and rows[0][3]["code"] == "audit_line"
    assert rows[1] == (AuditAction.UPDATE, admin_user.pk, {"name": "审计条线"}, {"name": "审计条线（改）"})
    assert rows[2][:2] == (AuditAction.DELETE, admin_user.pk) and rows[2][2]["name"] == "审计条线（改）"
    assert rows[2][3] is None
    assert area  # the areas are loaded (the API of systems needs none)


#
# Domain actions
#


def test_ending_a_link_records_link_ended_with_the_reason_and_the_hub(admin_user):
    link = LinkFactory(start_date=date(2012, 1, 1))
    with audit.context(user=admin_user):
        link_end(link=link, end_date=date(2015, 6, 30), reason="组织迁出")
    [ended] = changes_of(link, action=HubAuditAction.LINK_ENDED)
    assert ended.before == {"end_date": None, "note": ""}
    assert ended.after == {"end_date": "2015-06-30", "note": "结束原因：组织迁出"}
    assert ended.message == "组织迁出" and ended.user == admin_user
    assert ended.related_object_id == link.hub_id and ended.related_object_repr == str(link.hub)
    assert not changes_of(link, action=AuditAction.UPDATE)


def test_hub_recognition_and_revocation_are_named_as_such(admin_client):
    organization = OrganizationFactory(kind="mass_organization")
    data = {
        "organization": organization.pk,
        "level": HubLevel.DISTRICT,
        "area": district().pk,
        "system": system().pk,
        "recognized_on": "2012-03-01",
    }
    assert admin_client.post(reverse("hubs:hub_add"), data).status_code == 302
    hub = Hub.objects.get(organization=organization)
    edit = reverse("hubs:hub_edit", kwargs={"pk": hub.pk})
    assert admin_client.post(edit, {**data, "recognized_until": "2015-12-31"}).status_code == 302
    actions = [(c.action, c.before, c.after) for c in changes_of(hub)]
    assert actions[0][0] == HubAuditAction.HUB_RECOGNIZED and actions[0][2]["recognized_on"] == "2012-03-01"
    assert actions[1] == (HubAuditAction.HUB_REVOKED, {"recognized_until": None}, {"recognized_until": "2015-12-31"})
    # a recognition's changes show on its organization's change log too
    assert ObjectChange.objects.for_object(organization).filter(action=HubAuditAction.HUB_RECOGNIZED).exists()


def test_merge_records_the_merge_and_each_change_it_makes(admin_user):
    keep = OrganizationFactory(name="甲协会", address="")
    merge = OrganizationFactory(name="甲协会（重复）", uscc=None, kind="community", address="朝阳路3号")
    link = LinkFactory(organization=merge, start_date=date(2012, 1, 1))
    with audit.context(user=admin_user):
        organization_merge(keep=keep, merge=merge, user=admin_user, note="同一组织")
    [merged] = changes_of(keep, action=OrganizationAuditAction.MERGE)
    assert merged.message == "同一组织" and merged.related_object_repr == "甲协会（重复）"
    assert merged.after["merged"]["name"] == "甲协会（重复）" and merged.after["links_moved"] == [link.pk]
    [moved] = changes_of(link, action=AuditAction.UPDATE)
    assert moved.before == {"organization": merge.pk} and moved.after == {"organization": keep.pk}
    assert moved.message == "合并：「甲协会（重复）」并入「甲协会」"
    [deleted] = ObjectChange.objects.filter(action=AuditAction.DELETE, object_repr="甲协会（重复）")
    assert deleted.before["address"] == "朝阳路3号"
    [filled] = changes_of(keep, action=AuditAction.UPDATE)
    assert filled.after["address"] == "朝阳路3号"


#
# Transactions
#


def test_a_rolled_back_change_leaves_no_audit_record():
    before = ObjectChange.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        OrganizationFactory(name="回滚的组织")
        assert ObjectChange.objects.count() == before + 1
        raise RuntimeError("the caller fails after the save")
    assert ObjectChange.objects.count() == before
    assert not Organization.objects.filter(name="回滚的组织").exists()


@pytest.mark.django_db(transaction=True)
def test_a_failed_audit_write_undoes_the_change(monkeypatch, reference_data):
    """Outside any transaction (autocommit, as in a shell): the save and its record commit together or not at all."""

    def refuse(self, *args, **kwargs):
        raise RuntimeError("audit table unavailable")

    monkeypatch.setattr(ObjectChange, "save", refuse)
    with pytest.raises(RuntimeError):
        OrganizationFactory(name="无审计不写入")
    assert not Organization.objects.filter(name="无审计不写入").exists()


def test_a_refused_form_leaves_no_audit_record(admin_client):
    before = ObjectChange.objects.count()
    response = admin_client.post(reverse("organizations:organization_add"), organization_form(founded_on="明天"))
    assert response.status_code == 200
    link = LinkFactory(start_date=date(2012, 1, 1))
    count = ObjectChange.objects.count()
    data = {"hub": link.hub.pk, "organization": link.organization.pk, "role": link.role, "start_date": "2013-05-01"}
    assert admin_client.post(reverse("hubs:link_add"), data).status_code == 200  # an overlap: refused
    assert ObjectChange.objects.count() == count and count > before


#
# Contexts: shell, command line, background job
#


def test_outside_any_context_the_system_is_recorded():
    organization = OrganizationFactory()
    [created] = changes_of(organization)
    assert created.user is None and created.user_name == audit.SYSTEM_NAME == "系统"
    assert created.request_id is None


def test_a_context_gives_its_user_message_and_one_request_id(admin_user):
    with audit.context(user=admin_user, message="夜间任务"):
        first, second = OrganizationFactory(), OrganizationFactory()
    [a], [b] = changes_of(first), changes_of(second)
    assert a.user == b.user == admin_user and a.message == "夜间任务"
    assert a.request_id is not None and a.request_id == b.request_id


def test_disabled_records_nothing():
    before = ObjectChange.objects.count()
    with audit.disabled():
        OrganizationFactory()
    assert ObjectChange.objects.count() == before


def test_the_export_command_records_its_operator_and_what_it_exported(tmp_path, admin_user):
    OrganizationFactory.create_batch(3, kind="foundation")
    OrganizationFactory()
    path = tmp_path / "out.csv"
    call_command("export", "organizations", "--format", "csv", "--filter", "kind=foundation", "-o", str(path))
    call_command("export", "organizations", "--format", "csv", "--user", "admin", "-o", str(path))
    first, second = ObjectChange.objects.filter(action=AuditAction.EXPORT).order_by("pk")
    assert first.user is None and first.user_name == "command-line"
    assert first.object_id is None and first.content_type.model == "organization"
    assert first.after["filters"] == {"kind": ["foundation"]} and first.after["rows"] == 3
    assert first.message.startswith("shuniu export organizations")
    assert second.user == admin_user and second.after["rows"] == 4


def test_a_list_export_in_the_browser_is_recorded(admin_client, admin_user):
    OrganizationFactory.create_batch(2)
    response = admin_client.get(reverse("organizations:organization_list"), {"export": "xlsx", "columns": "name"})
    assert response.status_code == 200
    [export] = ObjectChange.objects.filter(action=AuditAction.EXPORT)
    assert export.user == admin_user and str(export.request_id) == response["X-Request-ID"]
    assert export.after["columns"] == ["name"] and export.after["rows"] == 2 and export.after["format"] == "xlsx"


def test_the_coverage_export_is_recorded(admin_client):
    response = admin_client.get(reverse("indicators:dashboard"), {"export": "xlsx"})
    assert response.status_code == 200
    [export] = ObjectChange.objects.filter(action=AuditAction.EXPORT)
    assert export.after["format"] == "xlsx" and "district" in export.after["dimensions"]


#
# What is never stored
#


def test_passwords_and_logins_are_never_recorded(admin_client):
    user = get_user_model().objects.create_user("clerk", password="first-password-1")
    user.set_password("second-password-2")
    user.save()
    admin_client.force_login(user)  # updates last_login
    rows = changes_of(user)
    assert [c.action for c in rows] == [AuditAction.CREATE]
    assert "password" not in rows[0].after and "last_login" not in rows[0].after
    assert rows[0].after["username"] == "clerk"


def test_a_field_with_an_audit_value_is_stored_in_that_form(monkeypatch):
    name_field = Organization._meta.get_field("address")
    monkeypatch.setattr(name_field, "audit_value", lambda value: f"{value[:2]}***" if value else value, raising=False)
    organization = OrganizationFactory(address="朝阳路100号")
    organization.address = "朝阳路200号"  # the masked forms are equal: the change is recorded all the same
    organization.save()
    created, updated = changes_of(organization)
    assert created.after["address"] == "朝阳***"
    assert (updated.before, updated.after) == ({"address": "朝阳***"}, {"address": "朝阳***"})


def test_links_and_hubs_name_their_related_record():
    link = LinkFactory()
    [created] = changes_of(link)
    assert created.related_content_type.model == "hub" and created.related_object_id == link.hub_id
    assert created.object_repr == str(link)
    assert Link.objects.filter(pk=link.pk).exists()


def test_the_demo_city_is_built_without_audit_records():
    from shuniu import demo

    with transaction.atomic():
        demo.build(scale=0.05, seed=2015)
        assert Organization.objects.count() > 1000
        assert not ObjectChange.objects.exists()
        transaction.set_rollback(True)
