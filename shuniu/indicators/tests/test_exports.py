import csv
import io
import re
from datetime import datetime
from urllib.parse import unquote

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from python_calamine import CalamineWorkbook

from shuniu.indicators import selectors
from shuniu.indicators.tests.scenario import DAY, build_scenario

pytestmark = pytest.mark.django_db

FIGURE_HEADERS = ["维度", "项目", "覆盖数", "应覆盖数", "覆盖率", "未覆盖数"]
DEFINITION_HEADERS = ["维度", "项目", "统计日期", "分子", "分子口径", "分母", "分母口径"]


def sheets(content: bytes) -> dict[str, list[list]]:
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return {name: workbook.get_sheet_by_name(name).to_python() for name in workbook.sheet_names}


def expected_rows(label: str, figures) -> list[list]:
    """A figure as the page shows it: numerator, denominator, rate (a fraction in the cell), gap."""
    return [
        [label, f.label, f.numerator, f.denominator, float(f.rate / 100) if f.rate is not None else "", f.gap]
        for f in figures
    ]


@pytest.mark.parametrize("dimension", selectors.DIMENSIONS)
def test_coverage_page_export_equals_the_page(admin_client, dimension):
    build_scenario()
    url = reverse("indicators:coverage", args=[dimension])
    page = admin_client.get(url, {"as_of": DAY.isoformat()})
    assert f'href="?as_of={DAY.isoformat()}&amp;export=xlsx"' in page.content.decode()
    figures = page.context["figures"]
    response = admin_client.get(url, {"as_of": DAY.isoformat(), "export": "xlsx"})
    assert response.status_code == 200
    title = page.context["title"]
    assert unquote(response["Content-Disposition"]).endswith(f"覆盖率_{title.replace('/', '_')}_20150630.xlsx")
    book = sheets(response.content)
    assert list(book) == ["覆盖率", "指标说明"]
    assert book["覆盖率"][0] == FIGURE_HEADERS
    assert book["覆盖率"][1:] == expected_rows(title, figures)
    notes = book["指标说明"]
    assert notes[0] == DEFINITION_HEADERS
    for figure, row in zip(figures, notes[1:], strict=False):
        assert row[1:4] == [figure.label, DAY, figure.numerator] and row[5] == figure.denominator
        assert "统计日期存续" in row[4] and "有效联系关系" in row[4] and "统计日期存续" in row[6]
        assert str(figure.label) in row[4]
        assert (str(figure.label) in row[6]) == (dimension not in ("level", "system"))  # those share the city's
    info = {row[0]: row[1] for row in notes[len(figures) + 2 :]}
    assert info["统计日期"] == DAY and info["生成人"] == "admin" and isinstance(info["生成时间"], datetime)


def test_coverage_page_numbers_in_the_html_match_the_export(admin_client):
    build_scenario()
    url = reverse("indicators:coverage", args=["district"])
    content = admin_client.get(url, {"as_of": DAY.isoformat()}).content.decode()
    rows = sheets(admin_client.get(url, {"as_of": DAY.isoformat(), "export": "xlsx"}).content)["覆盖率"]
    for name in ("朝阳区", "海淀区", "东城区"):
        html_row = content[content.index(f"<td>{name}</td>") :]
        html_row = html_row[: html_row.index("</tr>")]
        shown = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", html_row)]
        _label, _item, numerator, denominator, rate, gap = next(row for row in rows if row[1] == name)
        rate_text = f"{rate * 100:.2f}%" if rate != "" else "—"
        assert shown == [name, f"{numerator:,.0f}", f"{denominator:,.0f}", rate_text, f"{gap:,.0f}"]
    assert any(row[2] for row in rows[1:])  # the scenario covers someone


def test_dimension_definitions_name_what_is_counted(admin_client):
    build_scenario()
    url = reverse("indicators:coverage", args=["system"])
    notes = sheets(admin_client.get(url, {"as_of": DAY.isoformat(), "export": "xlsx"}).content)["指标说明"]
    union = next(row for row in notes if row[1] == "工会")
    assert "工会条线的枢纽型社会组织" in union[4] and "与全市覆盖率的分母相同" in union[6]
    url = reverse("indicators:coverage", args=["field"])
    notes = sheets(admin_client.get(url, {"as_of": DAY.isoformat(), "export": "xlsx"}).content)["指标说明"]
    assert "在每个所属领域中各计一次" in notes[1][4]


def test_dashboard_export_equals_the_dashboard(admin_client, admin_user):
    build_scenario()
    selectors.coverage_trend(until=DAY, user=admin_user)
    url = reverse("indicators:dashboard")
    page = admin_client.get(url, {"as_of": DAY.isoformat()})
    assert f'href="?as_of={DAY.isoformat()}&amp;export=xlsx"' in page.content.decode()
    context = page.context
    book = sheets(admin_client.get(url, {"as_of": DAY.isoformat(), "export": "xlsx"}).content)
    expected = [FIGURE_HEADERS]
    for label, figures in (
        ("全市", [context["total"]]),
        ("按区", context["districts"]),
        ("按条线", context["systems"]),
        ("按枢纽层级", context["levels"]),
        ("按组织类型", context["kinds"]),
        ("按领域", context["fields"]),
    ):
        expected += expected_rows(label, figures)
    assert book["覆盖率"] == expected
    assert book["覆盖率"][1][:4] == ["全市", "全市", 5, 18]
    assert len(book["指标说明"]) == len(expected) + 6


def test_coverage_export_requires_login(client):
    response = client.get(reverse("indicators:coverage", args=["district"]), {"export": "xlsx"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_coverage_csv_gives_the_rate_in_per_cent(admin_client):
    build_scenario()
    url = reverse("indicators:coverage", args=["kind"])
    content = admin_client.get(url, {"as_of": DAY.isoformat(), "export": "csv"}).content
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content[3:].decode())))
    assert rows[0] == ["维度", "项目", "覆盖数", "应覆盖数", "覆盖率（%）", "未覆盖数"]
    figures = selectors.coverage_by_kind(day=DAY, user=None)
    assert rows[1:] == [
        ["按组织类型", f.label, str(f.numerator), str(f.denominator), str(f.rate), str(f.gap)] for f in figures
    ]


def test_export_command_writes_coverage(tmp_path):
    build_scenario()
    path = tmp_path / "coverage.xlsx"
    call_command("export", "coverage", "--as-of", DAY.isoformat(), "--by", "district", "-o", str(path))
    book = sheets(path.read_bytes())
    figures = selectors.coverage_by_district(day=DAY, user=None)
    assert book["覆盖率"][1:] == expected_rows("按区", figures)
    info = {row[0]: row[1] for row in book["指标说明"] if len(row) > 1}
    assert info["生成人"] == "命令行" and "不限权限范围" in info["统计范围"]
    path = tmp_path / "dashboard.csv"
    call_command("export", "coverage", "--as-of", DAY.isoformat(), "--format", "csv", "-o", str(path))
    rows = list(csv.reader(io.StringIO(path.read_bytes()[3:].decode())))
    assert rows[1] == ["全市", "全市", "5", "18", "27.78", "13"]


def test_export_command_default_file_name(tmp_path, monkeypatch):
    build_scenario()
    monkeypatch.chdir(tmp_path)
    call_command("export", "coverage", "--as-of", DAY.isoformat(), "--by", "level", stdout=io.StringIO())
    assert [path.name for path in tmp_path.iterdir()] == ["覆盖率_按枢纽层级_20150630.xlsx"]


def test_export_command_refuses_coverage_to_a_user_without_permission(tmp_path, django_user_model):
    django_user_model.objects.create_user("clerk")
    with pytest.raises(CommandError, match="权限"):
        call_command("export", "coverage", "--user", "clerk", "-o", str(tmp_path / "x.xlsx"))
