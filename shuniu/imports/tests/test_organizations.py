"""Importing organizations end to end through `import_file`: checks, upsert, idempotence, the files given back."""

from datetime import date

import pytest
from python_calamine import CalamineWorkbook

from shuniu.core.tabular import Sheet, write_csv, write_xlsx
from shuniu.imports.choices import ImportStatus
from shuniu.imports.exports import rejected_rows_xlsx, template_xlsx
from shuniu.imports.services import import_file, import_outcomes
from shuniu.organizations.choices import OrganizationKind
from shuniu.organizations.models import Organization
from shuniu.organizations.tests.factories import OrganizationFactory, make_uscc

pytestmark = pytest.mark.django_db

HEADERS = ["名称", "统一社会信用代码", "社会组织类型", "成立登记日期", "所属区", "所属街道", "领域"]


def xlsx(rows, headers=HEADERS) -> bytes:
    return write_xlsx([Sheet(name="名录", headers=headers, rows=rows)])


def run(data: bytes, filename="orgs.xlsx", **kwargs):
    return import_file(data=data, filename=filename, kind="organizations", **kwargs)


def read_back(data: bytes) -> list[list]:
    return CalamineWorkbook.from_filelike(__import__("io").BytesIO(data)).get_sheet_by_index(0).to_python()


def test_new_rows_are_written_with_clean_values_and_bad_rows_are_refused_with_reasons():
    good_code = make_uscc(OrganizationKind.SOCIAL_GROUP)
    bad_code = good_code[:17] + ("0" if good_code[17] != "0" else "1")
    full_width = "　" + good_code.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    rows = [
        ["北京市朝阳区阳光志愿者协会", full_width, "社团",
         "2015年12月1日", "北京市朝阳区", "三里屯", "志愿服务、社区服务"],
        ["朝阳区夕阳红合唱团", "", "社区社会组织", "2016.3", "朝阳", "三里屯街道", ""],
        ["代码错的协会", bad_code, "社会团体", "2015-01-01", "朝阳区", "", ""],
        ["日期错的协会", "", "草根组织", "2015-02-30", "海淀区", "三里屯", ""],
        ["", "", "社会团体", "2015-01-01", "火星区", "", ""],
    ]  # fmt: skip
    job = run(xlsx(rows))
    assert job.status == ImportStatus.DONE, job.error
    assert job.counts == {"new": 2, "updated": 0, "unchanged": 0, "rejected": 3}
    sunshine = Organization.objects.get(name="北京市朝阳区阳光志愿者协会")
    assert sunshine.uscc == good_code and sunshine.kind == OrganizationKind.SOCIAL_GROUP
    assert sunshine.founded_on == date(2015, 12, 1) and sunshine.street.name == "三里屯街道"
    assert sorted(f.name for f in sunshine.fields.all()) == ["志愿服务", "社区服务"]
    choir = Organization.objects.get(name="朝阳区夕阳红合唱团")
    assert choir.uscc is None and choir.founded_on == date(2016, 3, 1) and choir.kind == OrganizationKind.COMMUNITY
    outcomes = {number: (outcome, reasons) for number, outcome, reasons, _pk in import_outcomes(job)}
    assert set(outcomes) == {2, 3, 4, 5, 6}  # every input row is accounted for
    assert "第18位校验码" in outcomes[4][1][0]
    reasons_5 = "".join(outcomes[5][1])
    assert "2015年2月30日" in reasons_5 and "三里屯" in reasons_5
    reasons_6 = "".join(outcomes[6][1])
    assert "「名称」必填" in reasons_6 and "火星区" in reasons_6


def test_dry_run_writes_nothing_and_the_same_file_twice_changes_nothing():
    rows = [
        [f"测试协会{i}", make_uscc(OrganizationKind.SOCIAL_GROUP), "社会团体", "2015-01-01", "朝阳区", "", ""]
        for i in range(5)
    ]
    data = xlsx(rows)
    planned = run(data, dry_run=True)
    assert planned.status == ImportStatus.PLANNED and planned.counts["new"] == 5
    assert not Organization.objects.exists()
    first = run(data)
    assert first.counts["new"] == 5
    before = list(Organization.objects.order_by("pk").values())
    second = run(data)
    assert second.counts == {"new": 0, "updated": 0, "unchanged": 5, "rejected": 0}
    assert list(Organization.objects.order_by("pk").values()) == before


def test_update_by_uscc_changes_only_filled_cells():
    organization = OrganizationFactory(name="旧名称协会", address="旧地址", legal_representative="李四")
    rows = [["新名称协会", organization.uscc, "", "", "", "", ""]]
    job = run(xlsx(rows))
    assert job.counts["updated"] == 1, job.examples
    organization.refresh_from_db()
    assert organization.name == "新名称协会"
    assert organization.address == "旧地址" and organization.legal_representative == "李四"  # empty cells keep values


def test_organizations_without_uscc_match_by_folded_name_within_the_district():
    existing = OrganizationFactory(name="北京市朝阳区彩虹（助老）服务队", kind=OrganizationKind.COMMUNITY, uscc=None)
    other_district = OrganizationFactory(
        name="彩虹(助老)服务队",
        kind=OrganizationKind.COMMUNITY,
        uscc=None,
        district=existing.district.__class__.objects.get(code="110108"),
    )
    rows = [["彩虹(助老)服务队", "", "社区社会组织", "2005-01-01", "朝阳区", "", "养老服务"]]
    job = run(xlsx(rows))
    assert job.counts["updated"] == 1 and job.counts["new"] == 0
    assert list(existing.fields.values_list("name", flat=True)) == ["养老服务"]
    assert not other_district.fields.exists()


def test_duplicates_inside_the_file_are_refused_naming_the_first_row():
    code = make_uscc(OrganizationKind.FOUNDATION)
    rows = [
        ["甲基金会", code, "基金会", "2015-01-01", "朝阳区", "", ""],
        ["乙基金会", code, "基金会", "2016-01-01", "朝阳区", "", ""],
    ]
    job = run(xlsx(rows))
    assert job.counts["new"] == 1 and job.counts["rejected"] == 1
    assert "与第2行" in import_outcomes(job)[1][2][0]


def test_rejected_rows_come_back_with_the_original_columns_and_a_reason():
    rows = [
        ["好协会", make_uscc(OrganizationKind.SOCIAL_GROUP), "社会团体", "2015-01-01", "朝阳区", "", ""],
        ["坏协会", "", "社会团体", "2015-13-01", "朝阳区", "", ""],
    ]
    job = run(xlsx(rows))
    back = read_back(rejected_rows_xlsx(job, viewer=None))
    assert back[0] == ["错误原因", *HEADERS]
    assert len(back) == 2 and back[1][1] == "坏协会" and back[1][4] == "2015-13-01"
    assert back[1][0].startswith("第3行") and "日期" in back[1][0]


def test_a_failed_write_changes_nothing(monkeypatch):
    from shuniu.organizations.imports import OrganizationDefinition

    def explode(self, model, new, updated):
        from shuniu.core.importing.base import ImportAborted

        raise ImportAborted("测试：写入后检查失败")

    monkeypatch.setattr(OrganizationDefinition, "recheck_scope", explode)
    rows = [
        [f"协会{i}", make_uscc(OrganizationKind.SOCIAL_GROUP), "社会团体", "2015-01-01", "朝阳区", "", "教育"]
        for i in range(3)
    ]
    job = run(xlsx(rows))
    assert job.status == ImportStatus.FAILED and "写入后检查失败" in job.error
    assert not Organization.objects.exists() and not Organization.fields.through.objects.exists()


def test_the_template_maps_every_column_and_imports_what_is_filled_in():
    data = template_xlsx("organizations")
    sheet = read_back(data)
    from shuniu.imports.registry import definition

    labels = [column.label for column in definition("organizations").columns if column.in_template]
    assert sheet[0] == labels
    job = run(data)
    assert job.status == ImportStatus.FAILED and "没有数据行" in job.error


def test_gbk_csv_with_english_headers():
    headers = ["name", "uscc", "kind", "founded_on", "district"]
    body = write_csv(
        headers,
        [["西城区书法协会", make_uscc(OrganizationKind.SOCIAL_GROUP, "110102"), "社会团体", "2001/5/4", "西城"]],
    )
    gbk = body.decode("utf-8-sig").encode("gbk")
    job = run(gbk, filename="list.csv")
    assert job.status == ImportStatus.DONE and job.encoding in ("gb18030", "gbk"), job.encoding
    assert Organization.objects.get().district.name == "西城区"


def test_unknown_columns_are_reported_and_missing_required_columns_fail_clearly():
    job = run(xlsx([["某协会", "2015-01-01"]], headers=["名称", "成立登记日期"]))
    assert job.status == ImportStatus.FAILED
    assert "社会组织类型" in job.error and "所属区" in job.error


def test_columns_in_another_order_import_and_swapped_data_is_pointed_out():
    headers = ["所属区", "成立登记日期", "名称", "社会组织类型", "统一社会信用代码"]
    rows = [
        ["朝阳区", "2015-01-01", f"社团{i}", "社会团体", make_uscc(OrganizationKind.SOCIAL_GROUP)] for i in range(6)
    ]
    job = run(xlsx(rows, headers=headers))
    assert job.counts["new"] == 6 and not job.notes

    swapped = [
        [name, kind, day, district, code] for district, day, name, kind, code in rows
    ]  # data under wrong headers
    job = run(xlsx(swapped, headers=headers))
    assert job.counts["rejected"] == 6 and Organization.objects.count() == 6
    assert any("「所属区」列有6行" in note and "错位" in note for note in job.notes)


def test_a_row_with_a_code_and_a_row_without_one_naming_the_same_organization_are_one():
    rows = [
        ["朝阳区晨曦合唱团", make_uscc(OrganizationKind.SOCIAL_GROUP), "社会团体", "2015-01-01", "朝阳区", "", ""],
        ["北京市朝阳区晨曦合唱团", "暂无", "社会团体", "2015-01-01", "朝阳区", "", ""],
    ]
    job = run(xlsx(rows))
    assert job.counts["new"] == 1 and job.counts["rejected"] == 1
    assert "与第2行" in import_outcomes(job)[1][2][0]


def test_status_and_dissolution_follow_the_empty_cell_policy_on_updates():
    revoked = OrganizationFactory(status="revoked", active_until=date(2018, 12, 31))
    active = OrganizationFactory()
    # 注销/撤销日期 is the day of the event: the last active day is the day before
    headers = ["统一社会信用代码", "状态", "注销/撤销日期"]
    job = run(xlsx([[revoked.uscc, "已撤销登记", ""], [active.uscc, "", "2020-05-01"]], headers=headers))
    assert job.counts == {"new": 0, "updated": 1, "unchanged": 1, "rejected": 0}, job.examples
    active.refresh_from_db()
    assert active.status == "deregistered" and active.active_until == date(2020, 4, 30)
    run(xlsx([[revoked.uscc, "", "2019-06-01"]], headers=headers))
    revoked.refresh_from_db()
    assert revoked.status == "revoked" and revoked.active_until == date(2019, 5, 31)
