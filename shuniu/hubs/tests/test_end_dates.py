"""A hub recognition is a dated record (`shuniu.core.dated`): `recognized_until` is its last day. Offices'
spreadsheets carry the day of the revocation (撤销认定日期): the import stores the day before and says so."""

from datetime import date

import pytest

from shuniu.core.tabular import Sheet, write_xlsx
from shuniu.hubs.models import Hub
from shuniu.hubs.services import link_create
from shuniu.hubs.tests.factories import HubFactory
from shuniu.imports.services import import_file, import_outcomes
from shuniu.organizations.choices import OrganizationKind
from shuniu.organizations.tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

HEADERS = ["枢纽名称", "层级", "管辖区域", "条线", "认定日期"]
ROW = ["北京市朝阳区妇女联合会", "区级", "朝阳区", "妇联", "2012-06-30"]


def run(headers, rows):
    data = write_xlsx([Sheet(name="枢纽", headers=headers, rows=rows)])
    return import_file(data=data, filename="hubs.xlsx", kind="hubs")


@pytest.fixture
def federation():
    return OrganizationFactory(name="北京市朝阳区妇女联合会", kind=OrganizationKind.MASS_ORGANIZATION, uscc=None)


def test_the_last_recognised_day_is_imported_as_it_is(federation):
    job = run([*HEADERS, "认定截止日期"], [[*ROW, "2015-12-31"]])
    assert job.counts["new"] == 1, job.examples
    assert Hub.objects.get(organization=federation).recognized_until == date(2015, 12, 31)
    assert import_outcomes(job)[0][2] == []


@pytest.mark.parametrize("header", ["撤销认定日期", "撤销日期"])
def test_the_day_of_the_revocation_is_stored_as_the_day_before_with_a_note(federation, header):
    job = run([*HEADERS, header], [[*ROW, "2016-01-01"]])
    assert job.counts["new"] == 1, job.examples
    hub = Hub.objects.get(organization=federation)
    assert hub.recognized_until == date(2015, 12, 31)
    assert hub.is_on(date(2015, 12, 31)) and not hub.is_on(date(2016, 1, 1))
    [(_, _, notes, _)] = import_outcomes(job)
    assert notes == ["「撤销认定日期」2016-01-01 按认定截止日期 2015-12-31 导入（撤销认定之日的前一天）。"]


def test_a_revocation_on_the_day_after_the_recognition_leaves_it_one_day(federation):
    job = run([*HEADERS, "撤销认定日期"], [[*ROW, "2012-07-01"]])
    assert job.counts["new"] == 1, job.examples
    assert Hub.objects.get(organization=federation).period == (date(2012, 6, 30), date(2012, 6, 30))
    job = run([*HEADERS, "撤销认定日期"], [[*ROW, "2012-06-30"]])
    assert job.counts["rejected"] == 1
    assert import_outcomes(job)[0][2] == ["「认定截止日期」不能早于认定日期。"]


def test_no_link_starts_after_the_last_recognised_day():
    hub = HubFactory(recognized_on=date(2009, 3, 1), recognized_until=date(2013, 12, 31))
    link_create(hub=hub, organization=OrganizationFactory(), role="contact", start_date=date(2013, 12, 31))
    with pytest.raises(Exception, match="认定 2009-03-01，至 2013-12-31"):
        link_create(hub=hub, organization=OrganizationFactory(), role="contact", start_date=date(2014, 1, 1))
