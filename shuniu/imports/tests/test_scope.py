"""Imports within the user's scope: rows whose record would fall outside it are refused in the preview with the
reason, the rest are imported, and nothing outside is ever written."""

import pytest

from shuniu.accounts.testing import user_with_role
from shuniu.areas.models import Area
from shuniu.hubs.models import Link
from shuniu.hubs.tests.factories import HubFactory
from shuniu.imports.choices import RowOutcome
from shuniu.imports.services import import_file, import_outcomes
from shuniu.organizations.choices import OrganizationKind
from shuniu.organizations.models import Organization
from shuniu.organizations.tests.factories import OrganizationFactory, make_uscc

from .test_hubs_links import xlsx
from .test_views import org_file

pytestmark = pytest.mark.django_db

LINK_HEADERS = ["枢纽名称", "组织名称", "统一社会信用代码", "关系", "开始日期", "结束日期", "依据"]


def test_a_district_office_imports_its_district_and_the_other_rows_come_back():
    officer = user_with_role("district-office", area=Area.objects.get(code="110105"))
    elsewhere = OrganizationFactory(name="海淀区老协会", district=Area.objects.get(code="110108"))
    uscc = make_uscc(OrganizationKind.SOCIAL_GROUP)
    rows = [
        ["朝阳区新协会", uscc, "社会团体", "2015-01-01", "朝阳区"],
        ["海淀区新协会", make_uscc(OrganizationKind.SOCIAL_GROUP), "社会团体", "2015-01-01", "海淀区"],
        ["海淀区老协会", elsewhere.uscc, "社会团体", "2005-01-01", "海淀区"],
    ]
    job = import_file(data=org_file(rows), filename="organizations.xlsx", kind="organizations", user=officer)
    outcomes = {number: (outcome, reasons) for number, outcome, reasons, _pk in import_outcomes(job)}
    assert outcomes[2][0] == RowOutcome.NEW
    assert outcomes[3] == (RowOutcome.REJECTED, ["保存后的记录超出了您的权限范围，未保存。"])  # as the page and the API
    assert outcomes[4] == (RowOutcome.REJECTED, ["已有的同一组织不在您可修改的范围内。"])
    assert list(Organization.objects.exclude(pk=elsewhere.pk).values_list("uscc", flat=True)) == [uscc]


def test_hub_staff_import_links_only_for_their_hub():
    own, other = HubFactory(), HubFactory()
    staff = user_with_role("hub-staff", organization=own.organization)
    first, second = OrganizationFactory(), OrganizationFactory()
    rows = [
        [own.organization.name, first.name, first.uscc, "联系", "2016-01-01", "", ""],
        [other.organization.name, second.name, second.uscc, "联系", "2016-01-01", "", ""],
    ]
    job = import_file(data=xlsx(LINK_HEADERS, rows), filename="links.xlsx", kind="links", user=staff)
    outcomes = {number: outcome for number, outcome, _reasons, _pk in import_outcomes(job)}
    assert outcomes == {2: RowOutcome.NEW, 3: RowOutcome.REJECTED}
    assert list(Link.objects.values_list("hub_id", "organization_id")) == [(own.pk, first.pk)]
