"""Importing hub recognitions and links: the link rules hold against stored links and against other rows."""

from datetime import date

import pytest
from django.core.management import call_command

from shuniu.core.tabular import Sheet, write_xlsx
from shuniu.hubs.choices import HubLevel, LinkRole
from shuniu.hubs.models import Hub, Link
from shuniu.hubs.tests.factories import HubFactory, LinkFactory
from shuniu.imports.choices import ImportStatus
from shuniu.imports.services import import_file, import_outcomes
from shuniu.organizations.choices import OrganizationKind
from shuniu.organizations.tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def xlsx(headers, rows) -> bytes:
    return write_xlsx([Sheet(name="Sheet1", headers=headers, rows=rows)])


def reasons(job) -> dict[int, str]:
    return {number: "".join(found) for number, outcome, found, _pk in import_outcomes(job) if found}


def test_hub_recognitions_are_created_and_updated_by_their_key():
    federation = OrganizationFactory(name="北京市朝阳区妇女联合会", kind=OrganizationKind.MASS_ORGANIZATION, uscc=None)
    headers = ["枢纽名称", "层级", "管辖区域", "条线", "覆盖领域", "认定批次", "认定日期"]
    rows = [
        ["北京市朝阳区妇女联合会", "区级", "朝阳", "妇联", "妇女儿童与家庭", "第一批", "2012/6/30"],
        ["北京市朝阳区妇女联合会", "街道级", "朝阳区三里屯街道", "妇联", "", "", "2013-01-01"],
        ["不存在的联合会", "区级", "朝阳区", "妇联", "", "", "2012-06-30"],
        ["北京市朝阳区妇女联合会", "区级", "朝阳区", "不存在的条线", "", "", "2012-06-30"],
    ]
    job = import_file(data=xlsx(headers, rows), filename="hubs.xlsx", kind="hubs")
    assert job.status == ImportStatus.DONE, job.error
    assert job.counts == {"new": 2, "updated": 0, "unchanged": 0, "rejected": 2}
    district_hub = Hub.objects.get(level=HubLevel.DISTRICT)
    assert district_hub.organization == federation and district_hub.area.name == "朝阳区"
    assert district_hub.recognized_on == date(2012, 6, 30)
    assert [f.name for f in district_hub.fields.all()] == ["妇女儿童与家庭"]
    assert Hub.objects.get(level=HubLevel.STREET).area.name == "三里屯街道"
    found = reasons(job)
    assert "不存在的联合会" in found[4] and "不存在的条线" in found[5]

    rows[0][5] = "第二批"
    again = import_file(data=xlsx(headers, rows[:2]), filename="hubs.xlsx", kind="hubs")
    assert again.counts == {"new": 0, "updated": 1, "unchanged": 1, "rejected": 0}
    district_hub.refresh_from_db()
    assert district_hub.batch == "第二批"


def test_links_keep_the_rules_against_stored_links_and_other_rows():
    hub = HubFactory(organization__name="北京市总工会", recognized_on=date(2009, 3, 1))
    other_hub = HubFactory(organization__name="共青团北京市委员会", recognized_on=date(2009, 3, 1))
    late_hub = HubFactory(organization__name="晚认定的枢纽", recognized_on=date(2015, 1, 1))
    a = OrganizationFactory(name="甲协会")
    b = OrganizationFactory(name="乙协会")
    OrganizationFactory(name="丙协会", uscc=None, kind=OrganizationKind.COMMUNITY)
    LinkFactory(hub=hub, organization=a, role=LinkRole.MANAGE, start_date=date(2010, 1, 1))
    headers = ["枢纽名称", "组织名称", "统一社会信用代码", "关系", "开始日期", "结束日期", "依据"]
    rows = [
        ["北京市总工会", "甲协会", a.uscc, "管理", "2010-01-01", "", "京工发〔2010〕1号"],  # stored: basis updated
        ["共青团北京市委员会", "甲协会", "", "业务主管", "2012-01-01", "", ""],  # a second manager
        ["共青团北京市委员会", "乙协会", b.uscc, "联系", "2011-01-01", "2012-12-31", ""],  # new
        ["共青团北京市委员会", "乙协会", "", "联系", "2012-06-01", "", ""],  # overlaps the row above
        ["晚认定的枢纽", "丙协会", "", "服务", "2014-01-01", "", ""],  # hub not yet recognised
        ["北京市总工会", "丙协会", "", "联系", "2014-01-01", "2013-01-01", ""],  # ends before it starts
    ]
    job = import_file(data=xlsx(headers, rows), filename="links.xlsx", kind="links")
    assert job.status == ImportStatus.DONE, job.error
    assert job.counts == {"new": 1, "updated": 1, "unchanged": 0, "rejected": 4}, reasons(job)
    found = reasons(job)
    assert "管理" in found[3] or "业务主管" in found[3]
    assert "第4行" in found[5]
    assert "2015-01-01" in found[6]
    assert "结束日期" in found[7]
    assert Link.objects.get(hub=hub, organization=a).basis == "京工发〔2010〕1号"
    assert Link.objects.get(hub=other_hub, organization=b).end_date == date(2012, 12, 31)
    assert not Link.objects.filter(hub=late_hub).exists()

    again = import_file(data=xlsx(headers, rows), filename="links.xlsx", kind="links")
    assert again.counts["new"] == 0 and again.counts["updated"] == 0 and again.counts["unchanged"] == 2


def test_cli_import_prints_counts_and_writes_the_rejected_rows(tmp_path, capsys):
    path = tmp_path / "名录.xlsx"
    headers = ["名称", "社会组织类型", "成立登记日期", "所属区"]
    path.write_bytes(
        xlsx(
            headers, [["社区合唱团", "社区社会组织", "2019.5", "东城"], ["无区的团", "社区社会组织", "2019-05-01", ""]]
        )
    )
    call_command("import", str(path), kind="organizations", dry_run=True)
    out = capsys.readouterr().out
    assert "检查完成（未写入）" in out and "新增 1" in out and "拒绝 1" in out
    assert (tmp_path / "名录.rejected.xlsx").exists()
    call_command("import", str(path), kind="organizations")
    assert "导入完成" in capsys.readouterr().out


def test_closing_a_link_and_opening_the_next_in_one_file_is_accepted_and_idempotent():
    hub = HubFactory(organization__name="北京市总工会")
    member = OrganizationFactory(name="丁协会")
    LinkFactory(hub=hub, organization=member, role=LinkRole.CONTACT, start_date=date(2015, 1, 1))
    headers = ["枢纽名称", "组织名称", "关系", "开始日期", "结束日期"]
    rows = [
        ["北京市总工会", "丁协会", "联系", "2015-01-01", "2019-12-31"],
        ["北京市总工会", "丁协会", "联系", "2020-01-01", ""],
    ]
    job = import_file(data=xlsx(headers, rows), filename="links.xlsx", kind="links")
    assert job.counts == {"new": 1, "updated": 1, "unchanged": 0, "rejected": 0}, reasons(job)
    again = import_file(data=xlsx(headers, rows), filename="links.xlsx", kind="links")
    assert again.counts == {"new": 0, "updated": 0, "unchanged": 2, "rejected": 0}


def test_a_hub_named_with_its_district_never_matches_another_districts_hub():
    from shuniu.areas.models import Area

    haidian = Area.objects.get(code="110108")
    HubFactory(organization__name="海淀区妇女联合会", organization__district=haidian, recognized_on=date(2009, 3, 1))
    OrganizationFactory(name="戊协会")
    headers = ["枢纽名称", "组织名称", "关系", "开始日期"]
    job = import_file(
        data=xlsx(headers, [["北京市朝阳区妇女联合会", "戊协会", "联系", "2015-01-01"]]),
        filename="links.xlsx",
        kind="links",
    )
    assert job.counts["rejected"] == 1 and not Link.objects.exists()
    assert "北京市朝阳区妇女联合会" in reasons(job)[2]


def test_a_code_that_belongs_to_another_organization_than_the_name_is_refused():
    hub = HubFactory(organization__name="北京市总工会")
    other = OrganizationFactory(name="己协会")
    OrganizationFactory(name="庚协会")
    headers = ["枢纽名称", "组织名称", "统一社会信用代码", "关系", "开始日期"]
    job = import_file(
        data=xlsx(headers, [[hub.organization.name, "庚协会", other.uscc, "联系", "2015-01-01"]]),
        filename="links.xlsx",
        kind="links",
    )
    assert job.counts["rejected"] == 1 and "己协会" in reasons(job)[2]


def test_an_unexpected_error_fails_the_job_instead_of_leaving_it_running(monkeypatch):
    from shuniu.hubs.imports import HubDefinition

    def broken(self, rows):
        raise RuntimeError("测试")

    monkeypatch.setattr(HubDefinition, "plan", broken)
    OrganizationFactory(name="北京市朝阳区妇女联合会", kind=OrganizationKind.MASS_ORGANIZATION, uscc=None)
    headers = ["枢纽名称", "层级", "管辖区域", "条线", "认定日期"]
    data = xlsx(headers, [["北京市朝阳区妇女联合会", "区级", "朝阳区", "妇联", "2012-06-30"]])
    job = import_file(data=data, filename="hubs.xlsx", kind="hubs", dry_run=True)
    assert job.status == ImportStatus.FAILED and "测试" in job.error
    job = import_file(data=data, filename="hubs.xlsx", kind="hubs")
    assert job.status == ImportStatus.FAILED and not Hub.objects.exists()


def test_a_user_who_may_add_but_not_change_links_sees_updates_refused_in_the_preview(django_user_model):
    from django.contrib.auth.models import Permission

    hub = HubFactory(organization__name="北京市总工会")
    member = OrganizationFactory(name="辛协会")
    LinkFactory(hub=hub, organization=member, role=LinkRole.CONTACT, start_date=date(2015, 1, 1))
    OrganizationFactory(name="壬协会")
    clerk = django_user_model.objects.create_user("clerk")
    clerk.user_permissions.add(Permission.objects.get(codename="add_link"))
    headers = ["枢纽名称", "组织名称", "关系", "开始日期", "依据"]
    rows = [
        ["北京市总工会", "辛协会", "联系", "2015-01-01", "新依据"],
        ["北京市总工会", "壬协会", "联系", "2016-01-01", ""],
    ]
    job = import_file(data=xlsx(headers, rows), filename="links.xlsx", kind="links", user=clerk, dry_run=True)
    assert job.counts == {"new": 1, "updated": 0, "unchanged": 0, "rejected": 1}
    assert "权限" in reasons(job)[2]


def test_a_row_ending_a_link_keeps_its_reason_in_the_note_as_ending_it_on_the_page_does():
    link = LinkFactory(start_date=date(2010, 1, 1), note="首次建立")
    headers = ["枢纽名称", "组织名称", "统一社会信用代码", "关系", "开始日期", "结束日期", "结束原因"]
    row = [link.hub.organization.name, link.organization.name, link.organization.uscc, link.get_role_display()]
    data = xlsx(headers, [[*row, "2010-01-01", "2015-06-30", "组织迁出"]])
    job = import_file(data=data, filename="links.xlsx", kind="links")
    assert job.counts == {"new": 0, "updated": 1, "unchanged": 0, "rejected": 0}, reasons(job)
    link.refresh_from_db()
    assert link.end_date == date(2015, 6, 30) and link.note == "首次建立；结束原因：组织迁出"  # as `link_end` keeps it
    again = import_file(data=data, filename="links.xlsx", kind="links")
    assert again.counts == {"new": 0, "updated": 0, "unchanged": 1, "rejected": 0}, reasons(again)
    no_end = xlsx(headers, [[*row, "2010-01-01", "", "组织迁出"]])
    refused = import_file(data=no_end, filename="links.xlsx", kind="links")
    assert refused.counts["rejected"] == 1 and "「结束原因」只在填了结束日期时填写" in reasons(refused)[2]
