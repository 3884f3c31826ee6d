"""read_table: formats from the bytes, the header row found under titles, typed cells, encodings never guessed."""

import csv
import datetime
import io
import random
import zipfile

import pytest
import python_calamine
import xlsxwriter
import xlwt
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shuniu.core.tabular import Table, TableReadError, read_table

KNOWN = ["名称", "统一社会信用代码", "成立日期", "注册资金", "领域"]


# --- fixtures built in memory ---------------------------------------------------------------------------------------


def xlsx_bytes(build) -> bytes:
    """An .xlsx written by xlsxwriter; build(workbook) adds the sheets."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    workbook.set_properties({"created": datetime.datetime(2026, 1, 1)})  # the same bytes every run
    build(workbook)
    workbook.close()
    return buffer.getvalue()


def directory_xlsx(workbook):
    """Title merged across the table, a blank row, the header, a merged header cell, typed cells."""
    sheet = workbook.add_worksheet("名录")
    sheet.merge_range(0, 0, 0, 5, "2023年朝阳区社会组织名录")
    sheet.write_row(2, 0, ["名称", "统一社会\n信用代码", "成立日期", "注册资金"])
    sheet.merge_range(2, 4, 2, 5, "领域")
    date = workbook.add_format({"num_format": "yyyy-mm-dd"})
    stamp = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    sheet.write_row(3, 0, ["朝阳区志愿者协会", "51110105MJ0000001X"])
    sheet.write_datetime(3, 2, datetime.date(2019, 5, 6), date)
    sheet.write_number(3, 3, 30000)
    sheet.write_row(3, 4, ["养老", "助残"])
    sheet.write_row(5, 0, ["朝阳区慈善协会", "   "])
    sheet.write_datetime(5, 2, datetime.datetime(2020, 1, 2, 8, 30), stamp)
    sheet.write_number(5, 3, 1.5)
    sheet.write_formula(5, 4, '="文"&"化"', None, "文化")


@pytest.fixture
def directory() -> Table:
    return read_table(xlsx_bytes(directory_xlsx), "名录.xlsx", known_headers=KNOWN)


def ods_bytes(rows_xml: str) -> bytes:
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="表一">{rows_xml}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content)
        archive.writestr("META-INF/manifest.xml", "<manifest/>")  # calamine recognises ODS by this file
    return buffer.getvalue()


def zip_bytes(members: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def csv_text(rows, delimiter=",") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def read_error(data: bytes, filename: str, **options) -> str:
    with pytest.raises(TableReadError) as caught:
        read_table(data, filename, **options)
    return str(caught.value)


# --- xlsx -----------------------------------------------------------------------------------------------------------


def test_header_row_is_found_under_the_title_and_the_blank_row(directory):
    assert directory.header_row == 3
    assert directory.headers == ["名称", "统一社会信用代码", "成立日期", "注册资金", "领域", "领域(2)"]
    assert directory.row_numbers == [4, 6]
    assert directory.file_format == "xlsx"
    assert directory.sheet_name == "名录"
    assert directory.encoding is None
    assert any("第 3 行" in note for note in directory.notes)


def test_title_row_is_passed_over_without_known_headers():
    table = read_table(xlsx_bytes(directory_xlsx), "名录.xlsx")
    assert table.header_row == 3
    assert table.headers[0] == "名称"


def test_cells_keep_their_types(directory):
    first, second = directory.rows
    assert first == ["朝阳区志愿者协会", "51110105MJ0000001X", datetime.date(2019, 5, 6), 30000, "养老", "助残"]
    assert type(first[3]) is int
    assert second[1] is None  # whitespace only
    assert second[2] == datetime.datetime(2020, 1, 2, 8, 30)
    assert second[3] == 1.5
    assert second[4] == "文化"  # the value cached with the formula
    assert second[5] is None
    assert all(len(row) == len(directory.headers) for row in directory.rows)


def test_merged_header_note_names_the_numbered_column(directory):
    assert any("领域(2)" in note for note in directory.notes)


def test_hidden_sheet_is_skipped_and_named():
    def build(workbook):
        hidden = workbook.add_worksheet("下拉选项")
        hidden.write_row(0, 0, ["名称", "代码"])
        hidden.write_row(1, 0, ["不应读取", "x"])
        visible = workbook.add_worksheet("名录")
        visible.write_row(0, 0, ["名称", "代码"])
        visible.write_row(1, 0, ["甲", "1"])
        visible.activate()
        hidden.hide()
        workbook.add_worksheet("备注").write(0, 0, "说明")

    table = read_table(xlsx_bytes(build), "a.xlsx")
    assert table.sheet_name == "名录"
    assert table.rows == [["甲", "1"]]
    assert any("隐藏" in note and "「下拉选项」" in note for note in table.notes)
    assert any("「备注」" in note for note in table.notes)


def test_no_visible_sheet_with_data_is_refused_and_the_hidden_one_named():
    def build(workbook):
        workbook.add_worksheet("空表").activate()
        hidden = workbook.add_worksheet("数据")
        hidden.write(0, 0, "名称")
        hidden.hide()

    message = read_error(xlsx_bytes(build), "a.xlsx")
    assert "没有含数据的可见工作表" in message
    assert "「数据」" in message and "取消隐藏" in message


def test_empty_first_sheet_is_skipped_with_a_note():
    def build(workbook):
        workbook.add_worksheet("Sheet1")
        workbook.add_worksheet("Sheet2").write_row(0, 0, ["名称", "代码"])

    table = read_table(xlsx_bytes(build), "a.xlsx")
    assert table.sheet_name == "Sheet2"
    assert table.rows == []
    assert any("空白" in note and "「Sheet1」" in note for note in table.notes)


def test_two_level_header_takes_vertically_merged_texts():
    def build(workbook):
        sheet = workbook.add_worksheet()
        sheet.merge_range(0, 0, 1, 0, "序号")
        sheet.merge_range(0, 1, 1, 1, "名称")
        sheet.merge_range(0, 2, 0, 3, "负责人")
        sheet.write_row(1, 2, ["姓名", "电话"])
        sheet.write_row(2, 0, [1, "甲", "张三", "13800000000"])

    table = read_table(xlsx_bytes(build), "a.xlsx", known_headers=["名称", "姓名", "电话"])
    assert table.header_row == 2
    assert table.headers == ["序号", "名称", "姓名", "电话"]
    assert table.rows == [[1, "甲", "张三", "13800000000"]]
    assert table.row_numbers == [3]


def test_columns_without_header_are_named_or_dropped():
    def build(workbook):
        sheet = workbook.add_worksheet()
        sheet.write_row(0, 1, ["名称", None, None, "名称", None])
        sheet.write_row(1, 1, ["甲", None, "无表头", "重名", None])
        sheet.write_blank(1, 7, None, workbook.add_format({"bold": True}))
        sheet.write_string(2, 9, "   ")

    table = read_table(xlsx_bytes(build), "a.xlsx")
    # Column B starts the data; C has neither header nor data; D has data and no header; trailing columns are empty.
    assert table.headers == ["名称", "第4列", "名称(2)"]
    assert table.rows == [["甲", "无表头", "重名"]]
    assert any("「第4列」" in note for note in table.notes)


def test_header_matching_ignores_width_spaces_and_case():
    def build(workbook):
        sheet = workbook.add_worksheet()
        sheet.write_row(0, 0, ["填报单位：朝阳区民政局", None, "2023-12-31"])
        sheet.write_row(1, 0, ["ＵＳＣＣ", "名\u3000称", "备注"])
        sheet.write_row(2, 0, ["x", "y", "z"])

    table = read_table(xlsx_bytes(build), "a.xlsx", known_headers=["uscc", "名称"])
    assert table.header_row == 2
    assert table.headers == ["ＵＳＣＣ", "名称", "备注"]


def test_headers_only_gives_a_table_without_rows():
    table = read_table(xlsx_bytes(lambda wb: wb.add_worksheet().write_row(0, 0, KNOWN)), "a.xlsx")
    assert table.headers == KNOWN
    assert table.rows == [] and table.row_numbers == []
    assert table.notes == []


def test_max_rows_refuses_with_the_count_and_the_limit():
    def build(workbook):
        sheet = workbook.add_worksheet()
        sheet.write_row(0, 0, ["名称"])
        for row in range(1, 6):
            sheet.write(row, 0, f"组织{row}")

    message = read_error(xlsx_bytes(build), "a.xlsx", max_rows=3)
    assert "5 行" in message and "3 行" in message and "拆分" in message
    assert len(read_table(xlsx_bytes(build), "a.xlsx", max_rows=5).rows) == 5


def test_stray_value_far_away_is_refused_before_calamine_allocates_it():
    def build(workbook):
        sheet = workbook.add_worksheet()
        sheet.write_row(0, 0, ["名称", "代码"])
        sheet.write_row(1, 0, ["甲", "1"])
        sheet.write_string(1048575, 16383, " ")  # XFD1048576: calamine would ask for 550 GB and abort

    message = read_error(xlsx_bytes(build), "a.xlsx")
    assert "1048576" in message and "16384" in message and "Ctrl+End" in message


def test_formatting_far_away_is_not_refused():
    def build(workbook):
        sheet = workbook.add_worksheet()
        sheet.write_row(0, 0, ["名称", "代码"])
        sheet.write_row(1, 0, ["甲", "1"])
        sheet.write_blank(1048575, 40, None, workbook.add_format({"border": 1}))

    assert read_table(xlsx_bytes(build), "a.xlsx").rows == [["甲", "1"]]


def test_broken_workbook_is_wrapped():
    broken = zip_bytes({"xl/workbook.xml": "<not xml", "[Content_Types].xml": "<also not"})
    with pytest.raises(TableReadError) as caught:
        read_table(broken, "a.xlsx")
    assert "损坏" in str(caught.value)
    assert isinstance(caught.value.__cause__, python_calamine.CalamineError)


def test_zip_level_encryption_is_refused():
    flagged = bytearray(xlsx_bytes(directory_xlsx))
    entry = flagged.index(b"PK\x01\x02")
    while entry != -1:  # mark every central directory entry encrypted: zipfile raises RuntimeError on opening it
        flagged[entry + 8] |= 1
        entry = flagged.find(b"PK\x01\x02", entry + 4)
    with pytest.raises(RuntimeError):
        zipfile.ZipFile(io.BytesIO(flagged)).read("xl/workbook.xml")
    assert "「a.xlsx」" in read_error(bytes(flagged), "a.xlsx")


def test_truncated_upload_is_refused():
    data = xlsx_bytes(directory_xlsx)
    assert "损坏" in read_error(data[: len(data) // 2], "a.xlsx")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_corrupted_workbooks_raise_only_table_read_errors(data):
    original = bytearray(xlsx_bytes(directory_xlsx))
    for _ in range(data.draw(st.integers(1, 8))):
        position = data.draw(st.integers(0, len(original) - 1))
        original[position] = data.draw(st.integers(0, 255))
    try:
        table = read_table(bytes(original), "a.xlsx")
    except TableReadError as error:
        assert str(error)
    else:
        assert all(len(row) == len(table.headers) for row in table.rows)


# --- xls and ods ----------------------------------------------------------------------------------------------------


def test_xls_from_xlwt():
    book = xlwt.Workbook()
    hidden = book.add_sheet("隐藏")
    hidden.write(0, 0, "名称")
    hidden.visibility = 1
    sheet = book.add_sheet("名录")
    sheet.write_merge(0, 0, 0, 3, "名录")
    sheet.write(2, 0, "名称")
    sheet.write(2, 1, "成立日期")
    sheet.write_merge(2, 2, 2, 3, "领域")
    sheet.write(3, 0, "甲")
    sheet.write(3, 1, datetime.date(2020, 1, 2), xlwt.easyxf(num_format_str="YYYY-MM-DD"))
    sheet.write(3, 2, 7)
    sheet.write(3, 3, 2.5)
    buffer = io.BytesIO()
    book.save(buffer)

    table = read_table(buffer.getvalue(), "名录.xls", known_headers=KNOWN)
    assert table.file_format == "xls"
    assert table.sheet_name == "名录"
    assert table.header_row == 3
    assert table.headers == ["名称", "成立日期", "领域", "领域(2)"]
    assert table.rows == [["甲", datetime.date(2020, 1, 2), 7, 2.5]]
    assert table.row_numbers == [4]
    assert any("「隐藏」" in note for note in table.notes)


def test_ods():
    rows = (
        "<table:table-row><table:table-cell/></table:table-row>"
        '<table:table-row><table:table-cell office:value-type="string"><text:p>名称</text:p></table:table-cell>'
        '<table:table-cell office:value-type="string"><text:p>成立日期</text:p></table:table-cell></table:table-row>'
        '<table:table-row><table:table-cell office:value-type="string"><text:p>甲</text:p></table:table-cell>'
        '<table:table-cell office:value-type="date" office:date-value="2020-01-02"><text:p>2020-01-02</text:p>'
        "</table:table-cell></table:table-row>"
    )
    table = read_table(ods_bytes(rows), "名录.ods")
    assert table.file_format == "ods"
    assert table.headers == ["名称", "成立日期"]
    assert table.rows == [["甲", datetime.date(2020, 1, 2)]]
    assert table.row_numbers == [3]


# --- csv ------------------------------------------------------------------------------------------------------------

ROWS = [["名称", "统一社会信用代码", "备注"], ["朝阳区志愿者协会", "51110105MJ0000001X", ""], ["垚森公益", " ", "堃"]]
EXPECTED = [["朝阳区志愿者协会", "51110105MJ0000001X", None], ["垚森公益", None, "堃"]]


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (csv_text(ROWS).encode("utf-8"), "utf-8"),
        (csv_text(ROWS).encode("utf-8-sig"), "utf-8-sig"),
        (csv_text(ROWS).encode("gbk"), "gb18030"),
        (csv_text(ROWS, delimiter="\t").encode("utf-16"), "utf-16"),
        (csv_text(ROWS, delimiter=";").encode("utf-8"), "utf-8"),
    ],
    ids=["utf-8", "utf-8-bom", "gbk", "utf-16-tabs", "semicolons"],
)
def test_csv_encodings_and_delimiters(data, encoding):
    table = read_table(data, "名录.csv")
    assert table.encoding == encoding
    assert table.file_format == "csv"
    assert table.sheet_name is None
    assert table.headers == ROWS[0]
    assert table.rows == EXPECTED
    assert table.row_numbers == [2, 3]


def test_csv_row_numbers_count_records_and_keep_blank_rows():
    text = '2023年名录,,\n\n名称,备注\n甲,"第一行\n第二行"\n,\n乙,x,多出一列\n'
    table = read_table(text.encode("utf-8"), "a.csv", known_headers=["名称"])
    assert table.header_row == 3
    assert table.headers == ["名称", "备注", "第3列"]
    assert table.rows == [["甲", "第一行\n第二行", None], ["乙", "x", "多出一列"]]
    assert table.row_numbers == [4, 6]


def test_csv_headers_only():
    table = read_table("名称,代码\r\n".encode(), "a.csv")
    assert table.headers == ["名称", "代码"]
    assert table.rows == []


def test_big5_text_is_refused_not_misread():
    data = csv_text([["名稱", "業務主管單位"], ["臺灣資訊網路協會", "無"]]).encode("big5")
    data.decode("gb18030")  # decodes without error, into mojibake
    assert "编码" in read_error(data, "a.csv")


def test_random_high_bytes_are_refused_not_misread():
    rng = random.Random(7)
    data = b",".join(bytes([rng.randint(0x81, 0xFE), rng.randint(0x80, 0xFE)]) for _ in range(400))
    data.decode("gb18030")
    message = read_error(data, "a.csv")
    assert "编码" in message and "CSV UTF-8" in message


def test_latin1_text_is_refused():
    data = "Name;Straße;Café;Müller\n".encode("latin-1")
    assert "编码" in read_error(data, "a.csv")


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(
            st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00")), min_size=3, max_size=3
        ),
        max_size=12,
    )
)
def test_utf8_csv_reads_back_what_was_written(rows):
    table = read_table(csv_text([["a", "b", "c"], *rows]).encode("utf-8"), "a.csv", known_headers=["a", "b", "c"])
    cleaned = [[value if value.strip() else None for value in row] for row in rows]
    assert table.headers == ["a", "b", "c"]
    assert table.rows == [row for row in cleaned if row != [None, None, None]]


# --- refusals -------------------------------------------------------------------------------------------------------


def test_empty_file():
    assert "空" in read_error(b"", "名录.xlsx")


def test_blank_csv_has_no_data():
    assert "没有任何数据" in read_error(b",,\r\n \r\n", "a.csv")


def test_word_document_renamed_xlsx():
    docx = zip_bytes({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"})
    message = read_error(docx, "名录.xlsx")
    assert "Word" in message and "名录.xlsx" in message


@pytest.mark.parametrize(
    ("members", "expected"),
    [
        ({"xl/workbook.bin": "", "[Content_Types].xml": "<Types/>"}, ".xlsb"),
        ({"ppt/presentation.xml": "<p/>"}, "PowerPoint"),
        ({"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<x/>"}, "OpenDocument"),
    ],
    ids=["xlsb", "pptx", "odt"],
)
def test_other_zip_documents_are_named(members, expected):
    assert expected in read_error(zip_bytes(members), "a.xlsx")


def test_excel_2003_xml_is_refused():
    data = b'<?xml version="1.0"?>\n<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"></Workbook>'
    assert "另存为" in read_error(data, "a.xls")


def test_old_word_document_and_encrypted_workbook_are_told_apart():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1000)
    assert "Word" in read_error(ole + "WordDocument".encode("utf-16-le"), "a.xls")
    assert "密码" in read_error(ole + "EncryptedPackage".encode("utf-16-le"), "a.xlsx")
    message = read_error(ole, "a.xls")
    assert "Word" in message and "加密" in message


def test_pdf():
    assert "PDF" in read_error(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "名录.xlsx")


def test_html_saved_as_xls():
    data = "<html><body><table><tr><td>名称</td></tr></table></body></html>".encode()
    assert "网页" in read_error(data, "export.xls")


def test_random_binary():
    data = random.Random(3).randbytes(4096)
    assert "无法识别" in read_error(data, "a.xlsx")


def test_plain_zip_archive():
    assert "压缩包" in read_error(zip_bytes({"a.txt": "x"}), "a.xlsx")


def test_over_max_bytes():
    data = csv_text([["名称"], ["甲" * 1000]]).encode()
    message = read_error(data * 800, "a.csv", max_bytes=2 * 1024 * 1024)
    assert "MB" in message and "2 MB" in message and "拆分" in message


@settings(max_examples=60, deadline=None)
@given(st.binary(min_size=1, max_size=2000))
def test_any_bytes_give_a_table_or_a_table_read_error(data):
    try:
        read_table(data, "a.xlsx")
    except TableReadError as error:
        assert str(error)


def test_an_xls_that_aborts_the_reader_is_refused_without_taking_the_process_down(monkeypatch):
    from shuniu.core.tabular import readers

    book = xlwt.Workbook()
    book.add_sheet("名录").write(0, 0, "名称")
    buffer = io.BytesIO()
    book.save(buffer)
    monkeypatch.setattr(readers, "_XLS_PROBE", "import os; os.abort()")  # what calamine does on some corrupt files
    with pytest.raises(TableReadError) as error:
        read_table(buffer.getvalue(), "坏.xls")
    assert "坏.xls" in str(error.value)
