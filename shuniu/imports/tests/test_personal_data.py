"""Personal numbers in imports (issue 10): an import's check never tells a user who may not unmask whether a number
matches the stored one; the stored upload and result files are sealed at rest; downloads of the file, the rejected
rows and the per-row results mask the numbers of the records the user may not unmask, and record the reads of those
who may."""

import importlib
import io
import urllib.parse
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from python_calamine import CalamineWorkbook

from shuniu.accounts.testing import user_with_role
from shuniu.areas.models import Area
from shuniu.audit.choices import AuditAction
from shuniu.audit.models import ObjectChange
from shuniu.core.personal import ric_check_character
from shuniu.core.tabular import Sheet, write_csv, write_xlsx
from shuniu.imports.choices import ImportStatus, RowOutcome
from shuniu.imports.models import ImportJob
from shuniu.imports.services import import_file, import_outcomes
from shuniu.organizations.choices import OrganizationKind
from shuniu.organizations.models import Organization
from shuniu.organizations.tests.factories import OrganizationFactory, make_uscc

pytestmark = pytest.mark.django_db

STORED = "11010519491231002X"
MASKED = "110105********002X"
PHONE, MASKED_PHONE = "13812345678", "138****5678"
NEW_ID = "110105198001010016"  # a valid number of a new organization's representative


def same_mask_as(number: str) -> str:
    """Another valid identity number that masks like `number` (same first six and last four characters): the guess
    a user who sees only the masked form would try, differing in the hidden birth date."""
    born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    for days in range(1, 4000):
        first17 = number[:6] + (born - timedelta(days=days)).strftime("%Y%m%d") + number[14:17]
        if ric_check_character(first17) == number[17]:
            return first17 + number[17]
    raise AssertionError("no such number")


GUESS = same_mask_as(STORED)


def xlsx(headers, rows) -> bytes:
    return write_xlsx([Sheet(name="名录", headers=list(headers), rows=rows)])


def sheet_of(data: bytes) -> list[list]:
    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()


def on_disk(field_file) -> bytes:
    return Path(settings.MEDIA_ROOT, field_file.name).read_bytes()


@pytest.fixture
def chaoyang():
    return Area.objects.get(code="110105")


@pytest.fixture
def organization(chaoyang):
    return OrganizationFactory(name="朝阳区阳光协会", district=chaoyang, legal_representative_id_number=STORED)


@pytest.fixture
def clerk(chaoyang):
    """A district office: may change Chaoyang's organizations, may not see full numbers."""
    return user_with_role("district-office", area=chaoyang)


@pytest.fixture
def city_admin():
    return user_with_role("city-admin")


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- 1. the check does not compare what the user may not see ----------------------------------------------------------


def outcome_of(job: ImportJob) -> tuple:
    """What the user learns of a job: the counts, the preview's examples and every row's outcome and notes."""
    return job.status, job.counts, job.examples, import_outcomes(job)


def test_a_number_the_user_may_not_see_is_written_unseen_so_an_equal_and_an_unequal_one_look_alike(
    organization, clerk, city_admin
):
    assert (
        GUESS != STORED and str(organization.legal_representative_id_number) == MASKED == GUESS[:6] + "*" * 8 + "002X"
    )
    headers = ["统一社会信用代码", "法定代表人身份证号"]
    equal, guessed = xlsx(headers, [[organization.uscc, STORED]]), xlsx(headers, [[organization.uscc, GUESS]])

    # a city administrator may see the number: the check compares it, as before
    assert (
        import_file(data=equal, filename="a.xlsx", kind="organizations", user=city_admin, dry_run=True).counts[
            RowOutcome.UNCHANGED
        ]
        == 1
    )
    assert (
        import_file(data=guessed, filename="a.xlsx", kind="organizations", user=city_admin, dry_run=True).counts[
            RowOutcome.UPDATED
        ]
        == 1
    )

    # a district office may not: both files check alike, as an update with a note saying why
    checks = [
        import_file(data=data, filename="a.xlsx", kind="organizations", user=clerk, dry_run=True)
        for data in (equal, guessed)
    ]
    assert outcome_of(checks[0]) == outcome_of(checks[1])
    assert checks[0].counts == {"new": 0, "updated": 1, "unchanged": 0, "rejected": 0}
    [(_row, _outcome, notes, _pk)] = import_outcomes(checks[0])
    assert "「法定代表人身份证号」按写入处理" in notes[0]
    preview = client_of(clerk).get(checks[0].get_absolute_url()).content.decode()
    assert "按写入处理" in preview and MASKED in preview and STORED not in preview and GUESS not in preview

    # and so do the writes, their results and their audit rows
    written = [import_file(data=data, filename="a.xlsx", kind="organizations", user=clerk) for data in (equal, guessed)]
    assert outcome_of(written[0]) == outcome_of(written[1])
    assert written[0].status == ImportStatus.DONE and written[0].counts[RowOutcome.UPDATED] == 1
    content_type = ContentType.objects.get_for_model(Organization)
    audited = [
        list(
            ObjectChange.objects.filter(
                content_type=content_type, object_id=organization.pk, request_id=job_request_id(job)
            ).values("action", "before", "after", "message")
        )
        for job in written
    ]
    assert audited[0] == audited[1] and len(audited[0]) == 1
    organization.refresh_from_db()
    assert organization.legal_representative_id_number.reveal() == GUESS  # the second file's number was written


def job_request_id(job: ImportJob):
    return ObjectChange.objects.get(action=AuditAction.IMPORT, object_id=job.pk).request_id


def test_a_masked_number_copied_back_into_a_file_is_refused_with_the_reason(organization, clerk):
    headers = ["统一社会信用代码", "法定代表人身份证号"]
    job = import_file(data=xlsx(headers, [[organization.uscc, MASKED]]), filename="a.xlsx", kind="organizations")
    [(_row, outcome, reasons, _pk)] = import_outcomes(job)
    assert outcome == RowOutcome.REJECTED and "脱敏" in reasons[0]
    organization.refresh_from_db()
    assert organization.legal_representative_id_number.reveal() == STORED


# --- 2. files sealed at rest ------------------------------------------------------------------------------------------


def test_uploaded_and_result_files_are_sealed_on_disk_and_the_import_still_works(organization, clerk):
    headers = [
        "名称",
        "统一社会信用代码",
        "社会组织类型",
        "成立登记日期",
        "所属区",
        "法定代表人身份证号",
        "法定代表人电话",
    ]
    new_uscc = make_uscc(OrganizationKind.SOCIAL_GROUP)
    rows = [
        ["朝阳区新协会", new_uscc, "社会团体", "2015-01-01", "朝阳区", NEW_ID, PHONE],
        [organization.name, organization.uscc, "", "", "", GUESS, ""],
    ]
    for data, name in ((write_csv(headers, rows), "名录.csv"), (xlsx(headers, rows), "名录.xlsx")):
        client_of(clerk).post(
            reverse("imports:importjob_add"), {"kind": "organizations", "file": SimpleUploadedFile(name, data)}
        )
        job = ImportJob.objects.get(filename=name)
        assert job.status == ImportStatus.PLANNED and job.counts["new"] == 1 and job.counts["updated"] == 1
        client_of(clerk).post(reverse("imports:importjob_confirm", args=[job.pk]))
        job.refresh_from_db()
        assert job.status == ImportStatus.DONE, job.error
        for stored in (on_disk(job.file), on_disk(job.result)):
            for secret in (NEW_ID, GUESS, PHONE, new_uscc, "朝阳区新协会"):
                assert secret.encode() not in stored and secret.encode("gb18030") not in stored
            assert not stored.startswith((b"PK\x03\x04", b"\xef\xbb\xbf", b"\x1f\x8b"))  # xlsx, csv, gzip signatures
        assert on_disk(job.file) != data
        for _time in range(2):  # read back whole, and again once closed
            with job.file.open("rb") as handle:
                assert handle.read() == data
        assert job.file.size == len(data)
        Organization.objects.filter(uscc=new_uscc).delete()
    assert Organization.objects.get(pk=organization.pk).legal_representative_id_number.reveal() == GUESS


def test_files_stored_in_the_clear_before_sealing_are_sealed_by_the_migration(organization):
    data = write_csv(["统一社会信用代码", "法定代表人身份证号"], [[organization.uscc, STORED]])
    job = import_file(data=data, filename="old.csv", kind="organizations", dry_run=True)
    plain = FileSystemStorage()
    for field_file, content in ((job.file, data), (job.result, b"result")):  # as the files were stored before
        Path(plain.path(field_file.name)).write_bytes(content)
    migration = importlib.import_module("shuniu.imports.migrations.0002_sealed_files")
    migration.seal_stored_files(django_apps, None)
    migration.seal_stored_files(django_apps, None)  # sealed files are left as they are
    assert STORED.encode() not in on_disk(job.file) and on_disk(job.result) != b"result"
    job = ImportJob.objects.get(pk=job.pk)
    with job.file.open("rb") as handle:
        assert handle.read() == data
    with job.result.open("rb") as handle:
        assert handle.read() == b"result"


def test_a_damaged_stored_file_is_refused_with_a_clear_message(organization, city_admin):
    data = xlsx(["统一社会信用代码", "法定代表人身份证号"], [[organization.uscc, STORED]])
    job = import_file(data=data, filename="a.xlsx", kind="organizations", user=city_admin, dry_run=True)
    damaged = bytearray(on_disk(job.file))
    damaged[-1] ^= 1
    Path(settings.MEDIA_ROOT, job.file.name).write_bytes(bytes(damaged))
    client = client_of(city_admin)
    response = client.get(reverse("imports:importjob_file", args=[job.pk, "source"]), follow=True)
    assert response.redirect_chain[-1][0] == job.get_absolute_url()
    assert "无法下载" in response.content.decode() and "无法解密" in response.content.decode()


# --- 3. downloads masked for those who may not unmask -----------------------------------------------------------------


def download(client, job, what):
    response = client.get(reverse("imports:importjob_file", args=[job.pk, what]))
    assert response.status_code == 200, response
    name = urllib.parse.unquote(response["Content-Disposition"].split("filename*=UTF-8''", 1)[1])
    return response.content, name


def unmask_events(user):
    return ObjectChange.objects.filter(action=AuditAction.UNMASK, user=user)


@pytest.fixture
def clerks_job(organization, clerk):
    """A district office's import: a new organization with its representative's numbers, an update of a stored one
    and a rejected row, each with an identity number."""
    headers = ["名称", "统一社会信用代码", "社会组织类型", "成立登记日期", "所属区", "法定代表人身份证号", "联系电话"]
    rows = [
        ["朝阳区新协会", make_uscc(OrganizationKind.SOCIAL_GROUP), "社会团体", "2015-01-01", "朝阳区", NEW_ID, PHONE],
        [organization.name, organization.uscc, "", "", "", STORED, ""],
        ["日期错的协会", "", "社会团体", "2015-02-30", "朝阳区", GUESS, ""],
    ]
    data = xlsx(headers, rows)
    client_of(clerk).post(
        reverse("imports:importjob_add"), {"kind": "organizations", "file": SimpleUploadedFile("名录.xlsx", data)}
    )
    job = ImportJob.objects.get()
    client_of(clerk).post(reverse("imports:importjob_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.counts == {"new": 1, "updated": 1, "unchanged": 0, "rejected": 1}
    return job, data


def test_a_district_office_downloads_its_import_with_the_numbers_masked(clerks_job, clerk):
    job, _data = clerks_job
    client = client_of(clerk)
    source, name = download(client, job, "source")
    assert name == "名录_已脱敏.xlsx"
    result, _name = download(client, job, "result")
    rejected, _name = download(client, job, "rejected")
    for data in (source, result, rejected):
        text = str(sheet_of(data))
        assert STORED not in text and GUESS not in text and NEW_ID not in text and PHONE not in text
    source_rows = sheet_of(source)
    assert [row[5] for row in source_rows[1:]] == [NEW_ID[:6] + "********0016", MASKED, GUESS[:6] + "********002X"]
    assert source_rows[1][6] == MASKED_PHONE and source_rows[1][0] == "朝阳区新协会"  # other cells as uploaded
    assert MASKED in str(sheet_of(result)) and "第4行" in str(sheet_of(rejected))
    assert not unmask_events(clerk).exists()


def test_a_district_offices_csv_comes_back_as_a_masked_csv_numbers_in_columns_not_imported_too(organization, clerk):
    headers = ["统一社会信用代码", "法定代表人身份证号", "经办人证件", "经办人手机"]  # the last two are not imported
    data = write_csv(headers, [[organization.uscc, STORED, GUESS, "138 1234 5678"]])
    job = import_file(data=data, filename="名录.csv", kind="organizations", user=clerk, dry_run=True)
    assert job.status == ImportStatus.PLANNED and job.mapping["经办人证件"] == ""
    source, name = download(client_of(clerk), job, "source")
    assert name == "名录_已脱敏.csv"
    text = source.decode("utf-8-sig")
    assert text.splitlines()[1] == f"{organization.uscc},{MASKED},{MASKED},{MASKED_PHONE}"


def test_a_city_administrator_downloads_the_full_numbers_and_the_read_is_recorded(clerks_job, city_admin):
    job, data = clerks_job
    client = client_of(city_admin)
    source, name = download(client, job, "source")
    assert source == data and name == "名录.xlsx"  # the file as uploaded
    result, _name = download(client, job, "result")
    assert STORED in str(sheet_of(result)) and NEW_ID in str(sheet_of(result)) and PHONE in str(sheet_of(result))
    events = list(unmask_events(city_admin).order_by("pk"))
    assert len(events) == 2
    assert all(event.content_type.model_class() is Organization for event in events)
    assert f"导入记录 #{job.pk}" in events[0].message and "原文件" in events[0].message
    assert "法定代表人身份证号" in events[0].message and "共 3 条记录" in events[0].message
    assert "逐行结果" in events[1].message
    assert all(STORED not in event.message for event in events)


def test_an_upload_stays_in_memory_and_one_too_large_is_refused(client, settings, tmp_path):
    """Django writes an upload over FILE_UPLOAD_MAX_MEMORY_SIZE to a temporary file in the clear; the import's stays
    in memory until it is sealed, and one larger than an import may be is refused with the reason."""
    from django.core.files.uploadedfile import InMemoryUploadedFile
    from django.urls import reverse

    from shuniu.accounts.testing import user_with_role
    from shuniu.imports import views

    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10  # a 3 kB file would go to a temporary file by Django's default
    settings.SHUNIU_IMPORT_MAX_BYTES = 1024 * 1024
    client.force_login(user_with_role("city-admin"))
    seen = []
    original = views.ImportUploadForm.__init__

    def spy(self, *args, **kwargs):
        original(self, *args, **kwargs)
        if len(args) > 1:
            seen.extend(type(upload) for upload in args[1].values())

    views.ImportUploadForm.__init__ = spy
    try:
        body = "名称,统一社会信用代码\n" + "朝阳区某协会,\n" * 200
        path = tmp_path / "orgs.csv"
        path.write_text(body, encoding="utf-8")
        with path.open("rb") as upload:
            client.post(reverse("imports:importjob_add"), {"kind": "organizations", "file": upload})
        assert seen == [InMemoryUploadedFile]
        path.write_bytes(b"x" * (2 * 1024 * 1024))
        with path.open("rb") as upload:
            response = client.post(reverse("imports:importjob_add"), {"kind": "organizations", "file": upload})
        assert response.status_code == 200 and "文件超过 1 MB，未上传。" in response.content.decode()
    finally:
        views.ImportUploadForm.__init__ = original
