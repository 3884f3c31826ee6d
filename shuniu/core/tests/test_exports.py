import csv
import io
import re
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal
from urllib.parse import unquote

import pytest
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from django_tables2 import RequestConfig
from hypothesis import given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from shuniu.core.exports import (
    chosen_columns,
    column_choices,
    content_disposition,
    export_filename,
    table_headers,
    table_rows,
)
from shuniu.core.tabular.writers import Sheet, write_csv, write_xlsx
from shuniu.hubs.tests.factories import HubFactory, LinkFactory
from shuniu.organizations.choices import OrganizationKind
from shuniu.organizations.models import Organization
from shuniu.organizations.tables import OrganizationTable
from shuniu.organizations.tests.factories import OrganizationFactory, district, field
from shuniu.organizations.views import LIST_QUERYSET

ORGANIZATIONS = reverse("organizations:organization_list")


def read_xlsx(content: bytes, sheet: int = 0) -> list[list]:
    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(sheet).to_python()


def read_csv(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content[3:].decode("utf-8"), newline="")))


def sheet_xml(content: bytes, name: str = "xl/worksheets/sheet1.xml") -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return archive.read(name).decode()


# ---------------------------------------------------------------- writers


TRICKY_TEXT = ["110105", "51110105MA0000001X", "000123", "=1+1", "+8613800000000", "-5", "@SUM(A1)", "1e5", "朝阳区"]


def test_xlsx_keeps_text_as_text_and_types_the_rest():
    moment = datetime(2026, 11, 22, 9, 30, tzinfo=timezone.get_current_timezone())
    row = [*TRICKY_TEXT, 42, 2.5, Decimal("27.78"), date(2015, 6, 30), moment, True, None]
    headers = [f"列{i}" for i in range(len(row))]
    content = write_xlsx([Sheet(name="数据", headers=headers, rows=[row])])
    header, values = read_xlsx(content)
    assert header == headers
    assert values[: len(TRICKY_TEXT)] == TRICKY_TEXT
    assert values[len(TRICKY_TEXT) :] == [42, 2.5, 27.78, date(2015, 6, 30), datetime(2026, 11, 22, 9, 30), True, ""]
    xml = sheet_xml(content)
    assert "<f>" not in xml  # no formula anywhere
    assert 'ySplit="1"' in xml and "autoFilter" in xml  # frozen header row with a filter
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        styles = archive.read("xl/styles.xml").decode()
    assert "<b/>" in styles and "yyyy-mm-dd" in styles


def test_xlsx_sheets_comments_dropdowns_and_formats():
    long_choices = [f"北京市第{i}街道办事处" for i in range(60)]  # longer than Excel's 255-character inline list
    content = write_xlsx(
        [
            Sheet(
                name="组织",
                headers=["名称", "类型", "街道", "比例"],
                rows=[["甲", "基金会", "北京市第1街道办事处", 0.2778]],
                column_widths=[30, 12, 20, 8],
                header_comments={0: "必填，与登记证书一致"},
                choices={1: ["社会团体", "基金会"], 2: long_choices},
                number_formats={3: "0.00%"},
            ),
            Sheet(name="说明/注意?", headers=["项目"], rows=[]),
        ]
    )
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
    assert workbook.sheet_names[:2] == ["组织", "说明_注意_"]
    xml = sheet_xml(content)
    assert xml.count('type="list"') == 2 and '"社会团体,基金会"' in xml and "$A$1:$A$60" in xml
    assert '<col min="1" max="1" width="30.7109375"' in xml
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = archive.namelist()
        assert "必填，与登记证书一致" in archive.read("xl/comments1.xml").decode()
        assert "0.00%" in archive.read("xl/styles.xml").decode()
    assert len([name for name in names if name.startswith("xl/worksheets/sheet")]) == 3  # and the hidden list
    assert read_xlsx(content, 2)[59] == [long_choices[59]]


def test_xlsx_refuses_more_rows_than_a_sheet_holds(monkeypatch):
    from shuniu.core.tabular import writers

    monkeypatch.setattr(writers, "XLSX_MAX_ROWS", 3)
    with pytest.raises(ValueError, match="do not fit"):
        write_xlsx([Sheet(name="a", headers=["x"], rows=[[1], [2], [3]])])


def test_csv_is_utf8_with_bom_crlf_and_guards_formulas():
    moment = datetime(2026, 11, 22, 1, 30, tzinfo=UTC)
    content = write_csv(
        ["名称", "代码", "数", "日期", "时间", "是否", "空"],
        [
            ["北京市朝阳区“阳光”协会, 望京", "110105", -5, date(2015, 6, 30), moment, True, None],
            ['=HYPERLINK("x")', "+86138", Decimal("1E+2"), None, None, False, "@a"],
            ["多行\n文本", "-", 2.5, None, None, None, "\tx"],
        ],
    )
    assert content.startswith(b"\xef\xbb\xbf") and b"\r\n" in content
    rows = read_csv(content)
    assert rows[0] == ["名称", "代码", "数", "日期", "时间", "是否", "空"]
    assert rows[1] == ["北京市朝阳区“阳光”协会, 望京", "110105", "-5", "2015-06-30", "2026-11-22 09:30:00", "TRUE", ""]
    assert rows[2] == ['\'=HYPERLINK("x")', "'+86138", "100", "", "", "FALSE", "'@a"]
    assert rows[3] == ["多行\n文本", "'-", "2.5", "", "", "", "'\tx"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.text(st.characters(blacklist_categories=("Cs", "Cc"))), min_size=2, max_size=2)))
def test_text_round_trips_through_both_writers(cells):
    headers = ["#", "a", "b"]
    rows = [[str(i), *row] for i, row in enumerate(cells)]
    assert read_csv(write_csv(headers, rows))[1:] == [
        ["'" + value if value.startswith(("=", "+", "-", "@")) else value for value in row] for row in rows
    ]
    assert read_xlsx(write_xlsx([Sheet(name="s", headers=headers, rows=rows)]))[1:] == rows


def test_file_name_and_content_disposition():
    name = export_filename("社会组织", "xlsx", day=date(2026, 11, 22))
    assert name == "社会组织_20261122.xlsx"
    header = content_disposition(name, "organization_20261122")
    assert header.startswith('attachment; filename="organization_20261122.xlsx"; ')
    assert unquote(re.search(r"filename\*=UTF-8''(\S+)", header).group(1)) == name
    assert export_filename("按街道/乡镇", "csv", day=date(2026, 1, 2)) == "按街道_乡镇_20260102.csv"


# ---------------------------------------------------------------- list exports


@pytest.mark.django_db
def test_organization_export_gives_every_row_as_plain_values(admin_client):
    for i in range(55):  # more than a page
        OrganizationFactory(name=f"北京市朝阳区测试协会{i:02d}", fields=[field("elderly"), field("education")])
    target = Organization.objects.get(name="北京市朝阳区测试协会00")
    response = admin_client.get(ORGANIZATIONS, {"export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    filename = f"社会组织_{timezone.localdate():%Y%m%d}.xlsx"
    assert unquote(response["Content-Disposition"].split("filename*=UTF-8''")[1]) == filename
    rows = read_xlsx(response.content)
    assert rows[0] == ["名称", "统一社会信用代码", "类型", "所属区", "街道/乡镇", "领域", "状态", "成立日期"]
    assert len(rows) == 56
    first = rows[1]
    assert first == [target.name, target.uscc, "社会团体", "朝阳区", "", "教育、养老服务", "正常", date(2005, 1, 1)]
    assert isinstance(first[1], str) and len(first[1]) == 18


@pytest.mark.django_db
def test_export_honours_filters_and_equals_the_list_count(admin_client):
    for kind in (OrganizationKind.FOUNDATION, OrganizationKind.SOCIAL_GROUP, OrganizationKind.FOUNDATION):
        OrganizationFactory(kind=kind)
    OrganizationFactory(kind=OrganizationKind.FOUNDATION, district=district("110108"))
    page = admin_client.get(ORGANIZATIONS, {"kind": "foundation"})
    count = page.context["table"].paginator.count
    rows = read_xlsx(admin_client.get(ORGANIZATIONS, {"kind": "foundation", "export": "xlsx"}).content)
    assert count == 3 and len(rows) - 1 == count
    assert {row[2] for row in rows[1:]} == {"基金会"}
    rows = read_csv(admin_client.get(ORGANIZATIONS, {"kind": "foundation", "district": "", "export": "csv"}).content)
    assert len(rows) - 1 == count
    chaoyang = admin_client.get(ORGANIZATIONS, {"kind": "foundation", "district": district().pk, "export": "csv"})
    assert [row[3] for row in read_csv(chaoyang.content)[1:]] == ["朝阳区", "朝阳区"]


@pytest.mark.django_db
def test_export_keeps_the_page_sort(admin_client):
    for name in ("乙协会", "甲协会", "丙协会"):
        OrganizationFactory(name=name)
    ascending = [row[0] for row in read_csv(admin_client.get(ORGANIZATIONS, {"export": "csv"}).content)[1:]]
    descending = admin_client.get(ORGANIZATIONS, {"export": "csv", "sort": "-name"}).content
    assert [row[0] for row in read_csv(descending)[1:]] == list(reversed(ascending))


@pytest.mark.django_db
def test_chosen_columns_apply_to_the_file_and_the_page(admin_client):
    organization = OrganizationFactory(kind=OrganizationKind.FOUNDATION)
    query = {"kind": "foundation", "columns": ["uscc", "name", "nonsense"]}
    rows = read_csv(admin_client.get(ORGANIZATIONS, {**query, "export": "csv"}).content)
    assert rows == [["名称", "统一社会信用代码"], [organization.name, organization.uscc]]  # the table's order
    rows = read_xlsx(admin_client.get(ORGANIZATIONS, {"columns": "name,founded_on", "export": "xlsx"}).content)
    assert rows[0] == ["名称", "成立日期"]
    page = admin_client.get(ORGANIZATIONS, query).content.decode()
    head = page[page.index("<thead") : page.index("</thead>")]
    assert ">统一社会信用代码</a>" in head and ">名称</a>" in head and ">所属区</a>" not in head
    assert 'name="columns" value="uscc" id="column-uscc" checked' in page
    assert 'name="columns" value="district" id="column-district">' in page
    assert '<input type="hidden" name="columns" value="uscc">' in page  # the filter form keeps the choice


@pytest.mark.django_db
def test_list_page_offers_the_export_with_the_current_query(admin_client):
    page = admin_client.get(ORGANIZATIONS, {"kind": "foundation", "q": "协会", "page": "1"}).content.decode()
    form = page[page.index('data-testid="export-form"') :]
    form = form[: form.index("</form>")]
    assert '<input type="hidden" name="kind" value="foundation">' in form
    assert '<input type="hidden" name="q" value="协会">' in form and 'name="page"' not in form
    assert 'name="export" value="xlsx"' in form and 'name="export" value="csv"' in form
    assert "导出 Excel" in form and "导出 CSV" in form


@pytest.mark.django_db
def test_export_requires_login_and_permission(client, django_user_model):
    response = client.get(ORGANIZATIONS, {"export": "xlsx"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    OrganizationFactory()
    user = django_user_model.objects.create_user("clerk", password="x")
    client.force_login(user)
    assert client.get(ORGANIZATIONS, {"export": "csv"}).status_code == 403
    user.user_permissions.add(Permission.objects.get(codename="view_organization"))
    assert len(read_csv(client.get(ORGANIZATIONS, {"export": "csv"}).content)) == 2


@pytest.mark.django_db
def test_invalid_filters_show_the_page_instead_of_a_file(admin_client):
    response = admin_client.get(ORGANIZATIONS, {"covered_on": "2015-13-45", "export": "xlsx"})
    assert response["Content-Type"].startswith("text/html") and "筛选条件有误" in response.content.decode()


@pytest.mark.django_db
def test_export_query_count_does_not_grow_with_rows(admin_client, django_assert_num_queries):
    for i in range(30):
        organization = OrganizationFactory(fields=[field("elderly"), field("education")], street=None)
        LinkFactory(organization=organization) if i % 3 == 0 else None
    # session, user, the organizations (district and street joined), their fields (prefetch), the audit record
    with django_assert_num_queries(5):
        response = admin_client.get(ORGANIZATIONS, {"kind": "social_group", "export": "xlsx"})
    assert len(read_xlsx(response.content)) == 31
    with django_assert_num_queries(5):
        response = admin_client.get(ORGANIZATIONS, {"covered_on": "2015-01-01", "export": "csv"})
    assert len(read_csv(response.content)) == 11


@pytest.mark.django_db
def test_hub_and_link_exports_pin_their_query_counts(admin_client, django_assert_num_queries):
    for _ in range(20):
        LinkFactory(hub=HubFactory(fields=[field("elderly")]))
    # session, user, linked counts, the hubs (organization, system and area joined), the audit record
    with django_assert_num_queries(5):
        assert len(read_xlsx(admin_client.get(reverse("hubs:hub_list"), {"export": "xlsx"}).content)) == 21
    # session, user, the links (hub organization and organization joined), the audit record
    with django_assert_num_queries(4):
        assert len(read_csv(admin_client.get(reverse("hubs:link_list"), {"export": "csv"}).content)) == 21


@pytest.mark.django_db
def test_values_are_django_tables2_export_values(rf, admin_user):
    """The column-wise reader gives what `Table.as_values()` gives (dates kept as dates)."""
    OrganizationFactory(fields=[field("elderly")])
    OrganizationFactory(kind=OrganizationKind.COMMUNITY, uscc=None, street=district("110105").children.first())
    table = OrganizationTable(LIST_QUERYSET)
    request = rf.get("/")
    RequestConfig(request, paginate=False).configure(table)
    columns = chosen_columns(table, [])
    optional = [name for name, _header in column_choices(table) if name not in columns]  # shown only when chosen
    expected = list(table.as_values(exclude_columns=optional))
    ours = [table_headers(table, columns), *table_rows(table, columns)]
    as_text = [[value.isoformat() if isinstance(value, date) else value for value in row] for row in ours]
    assert as_text == expected


@pytest.mark.django_db
def test_hub_and_link_exports_give_text_and_numbers(admin_client):
    hub = HubFactory(recognized_on=date(2009, 3, 1))
    link = LinkFactory(hub=hub, start_date=date(2010, 1, 1))
    LinkFactory(hub=hub, start_date=date(2010, 1, 1))
    rows = read_xlsx(admin_client.get(reverse("hubs:hub_list"), {"export": "xlsx"}).content)
    assert rows[0][-1] == "当日联系组织数"
    assert rows[1] == [hub.organization.name, "市级", "工会", "北京市", "", date(2009, 3, 1), "", 2]
    rows = read_csv(admin_client.get(reverse("hubs:link_list"), {"export": "csv", "hub": hub.pk}).content)
    assert rows[0] == ["枢纽", "组织", "关系", "开始日期", "结束日期", "依据"]
    assert [hub.organization.name, link.organization.name, "联系", "2010-01-01", "", ""] in rows[1:]


@pytest.mark.django_db
def test_uncovered_worklist_exports_the_suggested_hub(admin_client, django_assert_num_queries):
    hub = HubFactory(fields=[field("elderly")])
    for _ in range(3):
        OrganizationFactory(fields=[field("elderly")])
    OrganizationFactory(fields=[field("education")])
    url = reverse("hubs:organization_uncovered")
    # session, user, the organizations, their fields, the hubs recognised that day, their fields, the audit record
    with django_assert_num_queries(7):
        response = admin_client.get(url, {"uncovered_on": "2015-06-30", "export": "xlsx"})
    assert unquote(response["Content-Disposition"]).endswith(f"未覆盖工作清单_{timezone.localdate():%Y%m%d}.xlsx")
    rows = read_xlsx(response.content)
    assert rows[0][-1] == "建议联系的枢纽"
    assert sorted(row[-1] for row in rows[1:]) == [
        "",
        hub.organization.name,
        hub.organization.name,
        hub.organization.name,
    ]


@pytest.mark.django_db
def test_area_list_exports_its_table(admin_client):
    OrganizationFactory()
    rows = read_xlsx(admin_client.get(reverse("areas:area_list"), {"export": "xlsx"}).content)
    chaoyang = next(row for row in rows if row[0] == "110105")
    assert chaoyang[1] == "朝阳区" and chaoyang[5] == 1 and chaoyang[6] == 0.0
    rows = read_csv(admin_client.get(reverse("areas:area_list"), {"export": "csv"}).content)
    assert len(rows) == 17 and rows[0][6] == "覆盖率（%）"


# ---------------------------------------------------------------- command line


@pytest.mark.django_db
def test_export_command_writes_the_filtered_list(tmp_path):
    foundation = OrganizationFactory(kind=OrganizationKind.FOUNDATION)
    OrganizationFactory(kind=OrganizationKind.SOCIAL_GROUP)
    path = tmp_path / "foundations.xlsx"
    out = io.StringIO()
    call_command(
        "export", "organizations", "--filter", "kind=foundation", "--columns", "name,uscc", "-o", str(path), stdout=out
    )
    assert str(path) in out.getvalue()
    assert read_xlsx(path.read_bytes()) == [["名称", "统一社会信用代码"], [foundation.name, foundation.uscc]]
    path = tmp_path / "all.csv"
    call_command("export", "organizations", "--format", "csv", "--output", str(path), stdout=out)
    assert len(read_csv(path.read_bytes())) == 3


@pytest.mark.django_db
def test_export_command_scopes_to_a_user_and_checks_its_input(tmp_path, django_user_model):
    OrganizationFactory()
    django_user_model.objects.create_user("clerk")
    with pytest.raises(CommandError, match="权限"):
        call_command("export", "organizations", "--user", "clerk", "-o", str(tmp_path / "x.xlsx"))
    with pytest.raises(CommandError, match="没有用户"):
        call_command("export", "organizations", "--user", "nobody", "-o", str(tmp_path / "x.xlsx"))
    with pytest.raises(CommandError, match="没有筛选条件「kinds」"):
        call_command("export", "organizations", "--filter", "kinds=foundation", "-o", str(tmp_path / "x.xlsx"))
    with pytest.raises(CommandError, match="筛选条件有误"):
        call_command("export", "organizations", "--filter", "kind=planet", "-o", str(tmp_path / "x.xlsx"))
    with pytest.raises(CommandError, match="只用于"):
        call_command("export", "hubs", "--as-of", "2015-06-30", "-o", str(tmp_path / "x.xlsx"))


@pytest.mark.django_db
def test_export_command_for_hubs_links_and_the_worklist(tmp_path):
    hub = HubFactory(fields=[field("elderly")])
    LinkFactory(hub=hub)
    OrganizationFactory(fields=[field("elderly")])
    for what, extra in (("hubs", []), ("links", []), ("uncovered", ["--as-of", "2015-06-30"])):
        path = tmp_path / f"{what}.csv"
        call_command("export", what, "--format", "csv", "-o", str(path), *extra)
        assert len(read_csv(path.read_bytes())) == 2, what
    assert read_csv((tmp_path / "uncovered.csv").read_bytes())[1][-1] == hub.organization.name
