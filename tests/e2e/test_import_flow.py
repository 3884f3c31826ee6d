"""The import done-when flow in a real browser: download the template, fill 20 rows with a few mistakes, upload,
read the preview, correct the rejected rows from the returned file, import again, find every organization in the
list, export the filtered list and read it back with the Chinese intact."""

import io
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from shuniu.core.tabular import Sheet, write_xlsx
from shuniu.organizations.choices import OrganizationKind
from shuniu.organizations.models import Organization
from shuniu.organizations.tests.factories import make_uscc

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reference_data")]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results"


def read_sheet(path_or_bytes) -> list[list]:
    data = Path(path_or_bytes).read_bytes() if not isinstance(path_or_bytes, bytes) else path_or_bytes
    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()


def fill_template(headers: list[str]) -> list[list]:
    """20 rows as an office would type them, three with mistakes."""
    column = {header: index for index, header in enumerate(headers)}
    rows = []
    for i in range(20):
        row = [""] * len(headers)
        row[column["名称"]] = f"北京市西城区银杏读书会{i + 1}"
        row[column["统一社会信用代码"]] = make_uscc(OrganizationKind.SOCIAL_GROUP, "110102", serial=700000 + i)
        row[column["社会组织类型"]] = "社会团体"
        row[column["成立登记日期"]] = f"2018年{i % 12 + 1}月{i + 1}日"
        row[column["所属区"]] = "西城区"
        row[column["领域"]] = "文化艺术"
        rows.append(row)
    good = rows[4][column["统一社会信用代码"]]
    rows[4][column["统一社会信用代码"]] = good[:17] + ("0" if good[17] != "0" else "1")  # a wrong check digit
    rows[9][column["成立登记日期"]] = "2018年2月30日"  # no such day
    rows[14][column["所属区"]] = "西成区"  # a typo
    return rows


def test_template_to_import_to_corrected_reimport_to_export(page, live_server, django_user_model, tmp_path):
    django_user_model.objects.create_superuser("officer", "officer@example.com", "correct-horse-9")
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(live_server.url + "/imports/new/")
    page.get_by_label("用户名").fill("officer")
    page.get_by_label("密码").fill("correct-horse-9")
    page.get_by_role("button", name="登录").click()

    with page.expect_download() as download:
        page.get_by_test_id("template-organizations").click()
    template = read_sheet(download.value.path())
    headers = template[0]
    assert headers[:3] == ["名称", "统一社会信用代码", "社会组织类型"] and len(template) == 1

    first = tmp_path / "银杏读书会.xlsx"
    first.write_bytes(write_xlsx([Sheet(name="社会组织", headers=headers, rows=fill_template(headers))]))
    page.set_input_files("input[name=file]", str(first))
    page.get_by_test_id("import-upload").click()
    page.wait_for_selector("[data-testid=import-confirm]", timeout=30000)
    assert page.get_by_test_id("count-new").inner_text() == "17", page.inner_text("body")
    assert page.get_by_test_id("count-rejected").inner_text() == "3"
    preview = page.get_by_test_id("examples-rejected").inner_text()
    assert "第18位校验码" in preview and "2018年2月30日" in preview and "西成区" in preview
    assert Organization.objects.count() == 0  # the preview wrote nothing
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "import-preview.png", full_page=True)

    page.get_by_test_id("import-confirm").click()
    page.wait_for_function("document.querySelector('[data-testid=job-status]').textContent.includes('已完成')")
    assert Organization.objects.count() == 17
    with page.expect_download() as download:
        page.get_by_test_id("download-rejected").click()
    rejected = read_sheet(download.value.path())
    assert rejected[0] == ["错误原因", *headers] and len(rejected) == 4

    corrected = []
    for row in rejected[1:]:
        cells = dict(zip(headers, row[1:], strict=True))
        if "校验码" in row[0]:
            cells["统一社会信用代码"] = make_uscc(OrganizationKind.SOCIAL_GROUP, "110102", serial=700004)
        if "不存在" in row[0]:
            cells["成立登记日期"] = "2018年2月28日"
        if "西成区" in row[0]:
            cells["所属区"] = "西城区"
        corrected.append([cells[header] for header in headers])
    second = tmp_path / "银杏读书会_改.xlsx"
    second.write_bytes(write_xlsx([Sheet(name="社会组织", headers=headers, rows=corrected)]))
    page.get_by_role("link", name="再导入一个文件").click()
    page.set_input_files("input[name=file]", str(second))
    page.get_by_test_id("import-upload").click()
    page.wait_for_selector("[data-testid=import-confirm]", timeout=30000)
    assert page.get_by_test_id("count-new").inner_text() == "3"
    assert page.get_by_test_id("count-rejected").inner_text() == "0"
    page.get_by_test_id("import-confirm").click()
    page.wait_for_function("document.querySelector('[data-testid=job-status]').textContent.includes('已完成')")
    assert Organization.objects.filter(name__startswith="北京市西城区银杏读书会").count() == 20

    page.goto(live_server.url + "/organizations/?q=银杏读书会")
    assert "共 20 条" in page.inner_text("#object-table")
    page.get_by_test_id("columns-menu").click()
    with page.expect_download() as download:
        page.get_by_test_id("export-xlsx").click()
    exported = read_sheet(download.value.path())
    assert exported[0][0] == "名称" and len(exported) == 21
    assert sorted(row[0] for row in exported[1:]) == sorted(f"北京市西城区银杏读书会{i}" for i in range(1, 21))
    assert errors == []
