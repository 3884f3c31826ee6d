"""Imports write with COPY and queryset updates, which send no signals: they record every row themselves, in bulk
and in the import's transaction, and one `import` event with the counts."""

from datetime import date

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.urls import reverse

from shuniu.audit.choices import AuditAction
from shuniu.audit.models import ObjectChange
from shuniu.core.tabular import Sheet, write_xlsx
from shuniu.hubs.choices import HubAuditAction
from shuniu.hubs.models import Hub, Link
from shuniu.hubs.tests.factories import HubFactory, LinkFactory
from shuniu.imports.choices import ImportStatus
from shuniu.imports.models import ImportJob
from shuniu.imports.services import import_confirm, import_create, import_file
from shuniu.imports.tasks import import_apply_task
from shuniu.organizations.choices import OrganizationKind
from shuniu.organizations.models import Organization
from shuniu.organizations.tests.factories import OrganizationFactory, make_uscc

pytestmark = pytest.mark.django_db

HEADERS = ["名称", "统一社会信用代码", "社会组织类型", "成立登记日期", "所属区", "住所", "领域"]


def xlsx(headers, rows) -> bytes:
    return write_xlsx([Sheet(name="Sheet1", headers=list(headers), rows=rows)])


def rows_of(model, **filters):
    content_type = ContentType.objects.get_for_model(model)
    return ObjectChange.objects.filter(content_type=content_type, **filters).order_by("pk")


def test_an_import_records_each_new_and_updated_record_and_the_import(admin_user):
    codes = [make_uscc(OrganizationKind.SOCIAL_GROUP) for _ in range(3)]
    rows = [[f"导入协会{i}", codes[i], "社会团体", "2015-01-01", "朝阳区", "朝阳路1号", "养老服务"] for i in range(3)]
    job = import_file(data=xlsx(HEADERS, rows), filename="名录.xlsx", kind="organizations", user=admin_user)
    assert job.status == ImportStatus.DONE, job.error
    created = list(rows_of(Organization))
    assert len(created) == 3 and {c.action for c in created} == {AuditAction.CREATE}
    first = Organization.objects.get(uscc=codes[0])
    record = next(c for c in created if c.object_id == first.pk)
    assert record.object_repr == "导入协会0" and record.user == admin_user and record.before is None
    assert record.after["uscc"] == codes[0] and record.after["district"] == first.district_id
    assert record.after["founded_on"] == "2015-01-01" and record.after["fields"] == list(
        first.fields.values_list("pk", flat=True)
    )
    [event] = rows_of(ImportJob, action=AuditAction.IMPORT)
    assert event.object_id == job.pk and event.message == "名录.xlsx" and event.user == admin_user
    assert event.after["counts"] == {"new": 3, "updated": 0, "unchanged": 0, "rejected": 0}
    assert event.request_id == record.request_id  # one import, one id

    rows[0][5] = "建国路2号"
    again = import_file(data=xlsx(HEADERS, rows), filename="名录.xlsx", kind="organizations", user=admin_user)
    assert again.counts["updated"] == 1
    [updated] = rows_of(Organization, action=AuditAction.UPDATE)
    assert updated.object_id == first.pk
    assert (updated.before, updated.after) == ({"address": "朝阳路1号"}, {"address": "建国路2号"})


def test_a_failed_import_leaves_no_audit_record(monkeypatch):
    from shuniu.organizations.imports import OrganizationDefinition

    def fail(self, model, new, updated):
        raise RuntimeError("the scope check fails at the end")

    monkeypatch.setattr(OrganizationDefinition, "recheck_scope", fail)
    rows = [["失败的协会", make_uscc(OrganizationKind.SOCIAL_GROUP), "社会团体", "2015-01-01", "朝阳区", "", ""]]
    job = import_file(data=xlsx(HEADERS, rows), filename="名录.xlsx", kind="organizations")
    assert job.status == ImportStatus.FAILED
    assert not Organization.objects.exists() and not ObjectChange.objects.exists()


def test_hub_and_link_imports_name_their_domain_actions():
    federation = OrganizationFactory(name="北京市朝阳区妇女联合会", kind=OrganizationKind.MASS_ORGANIZATION, uscc=None)
    headers = ["枢纽名称", "层级", "管辖区域", "条线", "认定日期", "撤销认定日期"]
    rows = [["北京市朝阳区妇女联合会", "区级", "朝阳区", "妇联", "2012-06-30", ""]]
    import_file(data=xlsx(headers, rows), filename="hubs.xlsx", kind="hubs")
    hub = Hub.objects.get(organization=federation)
    [recognized] = rows_of(Hub)
    assert recognized.action == HubAuditAction.HUB_RECOGNIZED and recognized.object_repr == federation.name
    assert recognized.related_object_id == federation.pk and recognized.related_object_repr == federation.name
    rows[0][5] = "2016-01-01"  # the day of the revocation: the recognition's last day is the day before
    import_file(data=xlsx(headers, rows), filename="hubs.xlsx", kind="hubs")
    [revoked] = rows_of(Hub, action=HubAuditAction.HUB_REVOKED)
    assert (revoked.before, revoked.after) == ({"recognized_until": None}, {"recognized_until": "2015-12-31"})
    hub.refresh_from_db()
    assert hub.recognized_until == date(2015, 12, 31)

    link = LinkFactory(hub=HubFactory(organization__name="北京市总工会"), organization__name="甲协会")
    headers = ["枢纽名称", "组织名称", "关系", "开始日期", "结束日期"]
    row = ["北京市总工会", "甲协会", "联系", link.start_date.isoformat(), "2016-06-30"]
    job = import_file(data=xlsx(headers, [row]), filename="links.xlsx", kind="links")
    assert job.counts["updated"] == 1, job.examples
    [ended] = rows_of(Link, action=HubAuditAction.LINK_ENDED)
    assert ended.object_id == link.pk and ended.object_repr == str(link)
    assert (ended.before, ended.after) == ({"end_date": None}, {"end_date": "2016-06-30"})
    assert ended.related_object_id == link.hub_id and ended.related_object_repr == "北京市总工会"


def test_the_import_command_records_its_user(tmp_path, admin_user):
    path = tmp_path / "名录.xlsx"
    rows = [["命令行协会", make_uscc(OrganizationKind.SOCIAL_GROUP), "社会团体", "2015-01-01", "朝阳区", "", ""]]
    path.write_bytes(xlsx(HEADERS, rows))
    call_command("import", str(path), "--kind", "organizations", "--user", "admin")
    [created] = rows_of(Organization)
    assert created.user == admin_user and created.message == "shuniu import 名录.xlsx"
    call_command("import", str(path), "--kind", "organizations", "--dry-run")
    assert rows_of(ImportJob).count() == 1  # a dry run writes no change and records no import


def test_the_background_job_records_the_uploaders_changes(admin_user):
    rows = [["后台协会", make_uscc(OrganizationKind.SOCIAL_GROUP), "社会团体", "2015-01-01", "朝阳区", "", ""]]
    job, _table = import_create(data=xlsx(HEADERS, rows), filename="名录.xlsx", kind="organizations", user=admin_user)
    job.status = ImportStatus.PLANNED  # checked; the user confirms
    job.save()
    assert import_confirm(job=job)
    job = ImportJob.objects.get(pk=job.pk)  # as the worker finds it: a fresh process, outside any request
    import_apply_task.call(job.pk)
    [created] = rows_of(Organization)
    assert created.user == admin_user and created.user_name == "admin" and created.request_id is not None


def test_the_web_import_records_the_request(admin_client, admin_user):
    rows = [["网页协会", make_uscc(OrganizationKind.SOCIAL_GROUP), "社会团体", "2015-01-01", "朝阳区", "", ""]]
    admin_client.post(
        reverse("imports:importjob_add"),
        {"kind": "organizations", "file": _upload("名录.xlsx", xlsx(HEADERS, rows))},
    )
    job = ImportJob.objects.get()
    response = admin_client.post(reverse("imports:importjob_confirm", args=[job.pk]))
    [created] = rows_of(Organization)
    assert created.user == admin_user and str(created.request_id) == response["X-Request-ID"]


def _upload(name, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)
