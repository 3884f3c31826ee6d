"""The import pages as a user walks them: upload, mapping, preview, confirm, outcome files, history; bad files."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from python_calamine import CalamineWorkbook

from shuniu.core.tabular import Sheet, write_xlsx
from shuniu.imports.choices import ImportStatus
from shuniu.imports.models import ImportJob, ImportTemplate
from shuniu.organizations.choices import OrganizationKind
from shuniu.organizations.models import Organization
from shuniu.organizations.tests.factories import make_uscc

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def org_file(rows, headers=("名称", "统一社会信用代码", "社会组织类型", "成立登记日期", "所属区")) -> bytes:
    return write_xlsx([Sheet(name="Sheet1", headers=list(headers), rows=rows)])


def good_rows(n=3):
    return [
        [f"测试协会{i}", make_uscc(OrganizationKind.SOCIAL_GROUP), "社会团体", "2015-01-01", "朝阳区"] for i in range(n)
    ]


def upload(client, data: bytes, name="名录.xlsx", kind="organizations", **extra):
    return client.post(
        reverse("imports:importjob_add"), {"kind": kind, "file": SimpleUploadedFile(name, data), **extra}
    )


def test_upload_preview_confirm_and_the_rejected_rows_file(admin_client):
    rows = good_rows(3) + [["坏日期协会", "", "社会团体", "2015年2月30日", "朝阳区"]]
    response = upload(admin_client, org_file(rows))
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert job.status == ImportStatus.PLANNED and not Organization.objects.exists()  # the check wrote nothing
    page = admin_client.get(job.get_absolute_url()).content.decode()
    assert "确认导入（写入 3 行）" in page and "2015年2月30日" in page and "不存在" in page

    rejected = admin_client.get(reverse("imports:importjob_file", args=[job.pk, "rejected"]))
    assert rejected["Content-Type"] == XLSX
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(rejected.content)).get_sheet_by_index(0).to_python()
    assert sheet[0][0] == "错误原因" and sheet[1][1] == "坏日期协会" and len(sheet) == 2

    response = admin_client.post(reverse("imports:importjob_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.counts["new"] == 3 and job.counts["rejected"] == 1
    assert Organization.objects.count() == 3
    admin_client.post(reverse("imports:importjob_confirm", args=[job.pk]))  # a second click does nothing
    assert Organization.objects.count() == 3

    history = admin_client.get(reverse("imports:importjob_list")).content.decode()
    assert "名录.xlsx" in history and job.sha256[:12] in history


def test_unknown_headers_go_through_the_mapping_step_and_a_saved_template_is_reused(admin_client):
    headers = ("机构全称", "信用代码", "组织性质", "成立时间", "区县", "序号")
    data = org_file([[*row, i] for i, row in enumerate(good_rows(2))], headers=headers)
    response = upload(admin_client, data)
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.MAPPING
    assert response["Location"] == reverse("imports:importjob_mapping", args=[job.pk])
    page = admin_client.get(response["Location"]).content.decode()
    assert "机构全称" in page and "组织性质" in page
    mapping = {
        "column_0": "name",
        "column_1": "uscc",
        "column_2": "kind",
        "column_3": "founded_on",
        "column_4": "district",
    }
    response = admin_client.post(response["Location"], {**mapping, "column_5": "", "save_as": "区民政局名录"})
    job.refresh_from_db()
    assert job.status == ImportStatus.PLANNED and job.counts["new"] == 2, job.error
    assert ImportTemplate.objects.get().name == "区民政局名录"

    upload(admin_client, org_file([[*good_rows(1)[0], 1]], headers=headers))
    second = ImportJob.objects.order_by("-pk").first()
    assert second.status == ImportStatus.PLANNED and second.template.name == "区民政局名录"


def test_mapping_refuses_missing_required_columns_and_two_headers_on_one_field(admin_client):
    data = org_file(good_rows(1), headers=("机构全称", "信用代码", "组织性质", "成立时间", "区县"))
    upload(admin_client, data)
    job = ImportJob.objects.get()
    url = reverse("imports:importjob_mapping", args=[job.pk])
    page = admin_client.post(url, {"column_0": "name", "column_1": "name"}).content.decode()
    assert "对应了同一个字段" in page and "必填的列没有对应" in page
    job.refresh_from_db()
    assert job.status == ImportStatus.MAPPING


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (b"", "empty.xlsx", "空"),
        (docx_bytes(), "renamed.xlsx", "Word"),
        (org_file([]), "headers-only.xlsx", "没有数据行"),
        (b"%PDF-1.4 something", "scan.xlsx", "PDF"),
    ],
)
def test_bad_files_get_a_clear_message_and_write_nothing(admin_client, data, name, expected):
    response = upload(admin_client, data, name=name)
    assert response.status_code == 200
    assert expected in response.content.decode()
    if data:  # an empty upload is refused by the form itself; every other attempt stays in the history
        job = ImportJob.objects.get()
        assert job.status == ImportStatus.FAILED and expected in job.error
    assert not Organization.objects.exists()


@override_settings(SHUNIU_IMPORT_MAX_BYTES=1024)
def test_a_file_over_the_size_limit_is_refused(admin_client):
    response = upload(admin_client, org_file(good_rows(50)))
    assert "MB" in response.content.decode()
    assert not Organization.objects.exists()


def test_template_download_for_each_kind(admin_client):
    for kind in ("organizations", "hubs", "links"):
        response = admin_client.get(reverse("imports:template", args=[kind]))
        assert response.status_code == 200 and response["Content-Type"] == XLSX
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
        assert workbook.sheet_names[1] == "填写说明"


def test_importing_needs_the_add_permission(client, django_user_model):
    user = django_user_model.objects.create_user("clerk", password="x")
    client.force_login(user)
    response = upload(client, org_file(good_rows(1)))
    assert response.status_code == 403
    assert not ImportJob.objects.exists()


@pytest.mark.django_db(transaction=True)  # the worker closes its connection after each task
@pytest.mark.usefixtures("reference_data")
@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
def test_the_background_worker_checks_and_applies_a_queued_import(admin_client):
    upload(admin_client, org_file(good_rows(2)))
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.QUEUED  # waiting for the worker; the page polls
    progress = admin_client.get(job.get_absolute_url() + "?progress=1", HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 1s"' in progress.content.decode()
    call_command("db_worker", batch=True, startup_delay=False)
    job.refresh_from_db()
    assert job.status == ImportStatus.PLANNED and job.counts["new"] == 2, job.examples
    done = admin_client.get(job.get_absolute_url() + "?progress=1", HTTP_HX_REQUEST="true")
    assert done["HX-Refresh"] == "true"
    admin_client.post(reverse("imports:importjob_confirm", args=[job.pk]))
    call_command("db_worker", batch=True, startup_delay=False)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and Organization.objects.count() == 2


def test_history_list_query_count_does_not_grow(admin_client, django_assert_max_num_queries):
    for _ in range(3):
        upload(admin_client, org_file(good_rows(1)))
    with django_assert_max_num_queries(6):
        admin_client.get(reverse("imports:importjob_list"))


def test_a_district_clerk_sees_their_own_import_and_not_others(client, django_user_model, admin_client):
    from shuniu.accounts.models import Role, RoleAssignment
    from shuniu.areas.models import Area

    upload(admin_client, org_file(good_rows(1)), name="admin.xlsx")
    clerk = django_user_model.objects.create_user("clerk", password="x")
    district = Area.objects.get(name="朝阳区")
    RoleAssignment.objects.create(user=clerk, role=Role.objects.get(slug="district-office"), area=district)
    client.force_login(clerk)
    upload(client, org_file(good_rows(2)), name="clerk.xlsx")
    job = ImportJob.objects.get(filename="clerk.xlsx")
    page = client.get(job.get_absolute_url())
    assert page.status_code == 200 and "确认导入（写入 2 行）" in page.content.decode()
    client.post(reverse("imports:importjob_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and Organization.objects.count() == 2
    history = client.get(reverse("imports:importjob_list")).content.decode()
    assert "clerk.xlsx" in history and "admin.xlsx" not in history
    other = ImportJob.objects.get(filename="admin.xlsx")
    assert client.get(other.get_absolute_url()).status_code == 404
