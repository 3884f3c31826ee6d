"""The import of inspections and grades: built from the platform's parts, it refuses what the form and the API refuse
with the same message, finds organizations by USCC or name, updates a stored record on its key, and leaves audit
rows."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils.html import escape
from rest_framework.test import APIClient

from shuniu.assessments.choices import Grade, InspectionResult
from shuniu.assessments.models import AnnualInspection, GradeEvaluation
from shuniu.audit.models import ObjectChange
from shuniu.core.tabular import Sheet, write_xlsx
from shuniu.imports.choices import RowOutcome
from shuniu.imports.registry import definitions
from shuniu.imports.services import import_file, import_outcomes
from shuniu.organizations.tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

HEADERS = ["组织名称", "统一社会信用代码", "年度", "年检结论", "年检日期", "备注"]


def run(rows, kind="annual-inspections", headers=HEADERS, user=None):
    job = import_file(
        data=write_xlsx([Sheet(name="Sheet1", headers=headers, rows=rows)]), filename="年检.xlsx", kind=kind, user=user
    )
    return job, import_outcomes(job)


def test_the_kinds_are_declared_by_the_app():
    assert {"annual-inspections", "grade-evaluations"} <= set(definitions())


def test_new_then_updated_then_unchanged_with_audit_rows():
    organization = OrganizationFactory(name="北京市朝阳区年检导入协会")
    row = [organization.name, organization.uscc, 2015, "合格", "2016-04-30", ""]
    job, outcomes = run([row])
    assert [outcome for _n, outcome, _r, _pk in outcomes] == [RowOutcome.NEW], job.error
    inspection = AnnualInspection.objects.get()
    assert (inspection.organization, inspection.year, inspection.result) == (organization, 2015, "qualified")
    assert ObjectChange.objects.for_object(inspection).exists()

    _job, outcomes = run([[organization.name, "", 2015, "基本合格", "2016-04-30", "整改后通过"]])
    assert [outcome for _n, outcome, _r, _pk in outcomes] == [RowOutcome.UPDATED]
    inspection.refresh_from_db()
    assert (inspection.result, inspection.remarks) == (InspectionResult.BASICALLY_QUALIFIED, "整改后通过")
    _job, outcomes = run([[organization.name, "", 2015, "基本合格", "2016-04-30", "整改后通过"]])
    assert [outcome for _n, outcome, _r, _pk in outcomes] == [RowOutcome.UNCHANGED]


def test_an_unknown_organization_and_a_duplicate_row_are_refused():
    organization = OrganizationFactory()
    row = [organization.name, "", 2015, "合格", "2016-04-30", ""]
    _job, outcomes = run([["不存在的协会", "", 2015, "未参检", None, ""], row, row])
    reasons = [reasons for _n, _outcome, reasons, _pk in outcomes]
    assert reasons[0][0].startswith("「组织名称」") and "不存在的协会" in reasons[0][0]
    assert reasons[2] == ["与第3行是同一条记录，本行未导入。"]
    assert [outcome for _n, outcome, _r, _pk in outcomes] == [RowOutcome.REJECTED, RowOutcome.NEW, RowOutcome.REJECTED]
    assert AnnualInspection.objects.get().organization == organization  # only the valid row is written


def test_the_same_bad_value_is_refused_alike_by_form_api_and_import(admin_client, admin_user):
    """A qualified inspection without its date: the model's one message, on every way in."""
    organization = OrganizationFactory()
    message = "请填写年检日期。"

    page = admin_client.post(
        reverse("assessments:annualinspection_add"),
        {"organization": organization.pk, "year": 2015, "result": InspectionResult.QUALIFIED, "remarks": ""},
    )
    assert page.status_code == 200 and escape(message) in page.content.decode()

    api = APIClient()
    api.force_authenticate(admin_user)
    response = api.post(
        "/api/assessments/inspections/",
        {"organization_id": organization.pk, "year": 2015, "result": InspectionResult.QUALIFIED},
        format="json",
    )
    assert response.status_code == 400 and response.json() == {"inspected_on": [message]}

    _job, [(_n, outcome, reasons, _pk)] = run([[organization.name, "", 2015, "合格", None, ""]])
    assert outcome == RowOutcome.REJECTED and reasons == [f"「年检日期」{message}"]
    assert not AnnualInspection.objects.exists()


def test_a_grade_takes_five_years_unless_the_file_says_otherwise():
    organization = OrganizationFactory()
    headers = ["组织名称", "评估等级", "评定日期", "有效期至", "评估机构"]
    _job, outcomes = run(
        [[organization.name, "四级", "2020-07-01", None, "评估委员会"]], kind="grade-evaluations", headers=headers
    )
    assert [outcome for _n, outcome, _r, _pk in outcomes] == [RowOutcome.NEW]
    grade = GradeEvaluation.objects.get()
    assert (grade.grade, grade.valid_until) == (Grade.A4, date(2025, 6, 30))
