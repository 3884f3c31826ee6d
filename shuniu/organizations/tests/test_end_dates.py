"""An organization's lifetime is a dated record (`shuniu.core.dated`): `active_until` is its last active day. Offices'
spreadsheets carry the day of the event (注销日期, 撤销日期): the import stores the day before and says so."""

import io
from datetime import date

import pytest
from python_calamine import CalamineWorkbook

from shuniu.core.tabular import Sheet, write_xlsx
from shuniu.imports.exports import template_xlsx
from shuniu.imports.services import import_file, import_outcomes
from shuniu.organizations.choices import OrganizationStatus
from shuniu.organizations.models import Organization
from shuniu.organizations.tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def run(headers, rows):
    data = write_xlsx([Sheet(name="名录", headers=headers, rows=rows)])
    return import_file(data=data, filename="orgs.xlsx", kind="organizations")


def test_the_last_active_day_is_imported_as_it_is():
    organization = OrganizationFactory()
    job = run(["统一社会信用代码", "状态", "存续截止日期"], [[organization.uscc, "已注销", "2020-04-30"]])
    assert job.counts["updated"] == 1, job.examples
    organization.refresh_from_db()
    assert organization.active_until == date(2020, 4, 30) and organization.status == OrganizationStatus.DEREGISTERED
    assert not Organization.objects.on(date(2020, 5, 1)).filter(pk=organization.pk).exists()
    assert import_outcomes(job)[0][2] == []


@pytest.mark.parametrize("header", ["注销/撤销日期", "注销日期", "撤销日期"])
def test_the_day_of_the_dissolution_is_stored_as_the_day_before_with_a_note(header):
    organization = OrganizationFactory()
    job = run(["统一社会信用代码", header], [[organization.uscc, "2020-05-01"]])
    assert job.counts["updated"] == 1, job.examples
    organization.refresh_from_db()
    assert organization.active_until == date(2020, 4, 30) and organization.status == OrganizationStatus.DEREGISTERED
    assert organization.is_on(date(2020, 4, 30)) and not organization.is_on(date(2020, 5, 1))
    [(_, _, notes, _)] = import_outcomes(job)
    assert notes == ["「注销/撤销日期」2020-05-01 按存续截止日期 2020-04-30 导入（注销或撤销之日的前一天）。"]


def test_a_dissolution_day_disagreeing_with_the_last_active_day_is_refused():
    organization = OrganizationFactory()
    job = run(["统一社会信用代码", "存续截止日期", "注销日期"], [[organization.uscc, "2020-05-01", "2020-05-01"]])
    assert job.counts["rejected"] == 1
    [(_, _, reasons, _)] = import_outcomes(job)
    assert reasons[0] == (
        "「存续截止日期」2020-05-01 与「注销/撤销日期」2020-05-01 不符：存续截止日期是注销或撤销之日的前一天。"
    )
    organization.refresh_from_db()
    assert organization.active_until is None


def test_the_template_asks_for_the_last_active_day_only():
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(template_xlsx("organizations"))).get_sheet_by_index(0)
    headers = sheet.to_python()[0]
    assert "存续截止日期" in headers and "注销/撤销日期" not in headers
