"""Read an uploaded spreadsheet (xlsx, xls, ods or csv) into a Table the importer can map and check.

The format comes from the bytes, never from the file name. Spreadsheets are read with python-calamine; every
failure reaches the caller as a TableReadError whose text tells the user, in Chinese, what is wrong and what to do.

What the reader decides, so the importer does not have to:

- Sheet: the first visible worksheet that holds data; hidden and empty sheets skipped are named in ``notes``.
- Header row: among the first 10 non-empty rows, the one with the most cells matching ``known_headers``
  (NFKC, whitespace removed, case folded). With no match, the first row filled at least half as wide as the
  widest of those rows, so a title merged across the table (「2023年朝阳区社会组织名录」) is passed over.
- Header texts: whitespace runs become one space, and disappear next to Chinese text (「统一社会\\n信用代码」 →
  「统一社会信用代码」). A header cell inside a merged range takes the range's text: horizontally merged cells
  repeat it, vertically merged ones (two-level headers) carry it down. A text that repeats, by merge or by typing,
  gets a suffix from its second occurrence on: 「领域」, 「领域(2)」, 「领域(3)」. A column with data but no header
  is called 「第N列」, N being its 1-based column number in the sheet (C → 3). Columns with neither header nor
  data are dropped.
- Rows: rows above the header and empty rows are skipped; ``row_numbers`` keep the numbers the user sees.
- Cells: calamine's values. Numbers are int when whole (xlsx stores every number as a float), else float;
  date-formatted cells are date or datetime (time-only formats give datetime.time, durations timedelta);
  formula cells hold the value last calculated by the program that saved the file (a file written by a program
  that does not calculate holds whatever it cached, often 0); error cells (#DIV/0!) and empty or whitespace-only
  cells are None. Strings are otherwise left as read. Merged cells below the header keep their value in the
  top-left cell only. CSV cells are str or None.
- Limits: ``max_bytes`` and ``max_rows`` (data rows) refuse with a suggestion to split the file. An xlsx sheet
  whose filled rectangle exceeds MAX_CELLS is refused before calamine allocates it (a failed allocation in
  calamine aborts the process rather than raising). A damaged .xls can still abort it: calamine reserves memory
  from the file's DIMENSIONS record when it opens the workbook.
"""

import codecs
import csv
import io
import logging
import math
import re
import subprocess
import sys
import unicodedata
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import itemgetter

import python_calamine
from django.utils.translation import gettext as _

__all__ = ["Table", "TableReadError", "read_table"]

logger = logging.getLogger(__name__)
XLS_PROBE_TIMEOUT = 60  # seconds for the child process that opens an .xls first

HEADER_SEARCH_ROWS = 10
# calamine holds a sheet as the rectangle from its first to its last filled cell, 32 bytes a cell, and a failed
# allocation aborts the process; a stray value in XFD1048576 asks for 550 GB. Larger rectangles are refused.
MAX_CELLS = 20_000_000
SNIFF_CHARS = 64 * 1024
DELIMITERS = (",", "\t", ";")

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
ODS_MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"
# What zipfile raises on a damaged or encrypted archive (RuntimeError: "password required for extraction").
ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, OSError, EOFError, ValueError, RuntimeError)
IMAGE_MAGICS = (b"\x89PNG", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM")
ARCHIVE_MAGICS = (b"Rar!", b"7z\xbc\xaf\x27\x1c", b"\x1f\x8b")

_XLSX_DIMENSION = re.compile(rb'<(?:\w+:)?dimension ref="([A-Z]+)([0-9]+)(?::([A-Z]+)([0-9]+))?"')
_XLSX_FILLED_CELL = re.compile(rb'<(?:\w+:)?c r="([A-Z]+)([0-9]+)"[^>/]*>')
_SPACE_NEXT_TO_NON_ASCII = re.compile(r"(?<=[^\x00-\x7f]) | (?=[^\x00-\x7f])")
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_UNCOMMON_CHAR = re.compile(
    "[^\t\n\r\x20-\x7e"
    "\u00a0-\u00ff"  # Latin-1 symbols: · × ÷ ° §
    "\u2000-\u206f"  # general punctuation: “ ” — …
    "\u2100-\u24ff"  # letterlike ℃ №, Roman numerals, arrows, maths, ① ⑴
    "\u25a0-\u26ff"  # shapes and symbols: ■ □ ▲ ○ ★
    "\u3000-\u303f"  # CJK punctuation: 、。「」【】
    "\u3200-\u33ff"  # enclosed CJK ㈠, CJK compatibility ㎡
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff"  # CJK ideographs
    "\ufe30-\ufe4f\uff00-\uffef]"  # CJK compatibility forms, full-width forms: ，（）：；
)


class TableReadError(Exception):
    """The file cannot be read as a table; str(error) tells the user why, in their language."""


@dataclass
class Table:
    """One sheet's header and data rows; see the module docstring for how each field is decided."""

    headers: list[str]
    rows: list[list[object]]
    row_numbers: list[int]
    header_row: int
    file_format: str
    sheet_name: str | None
    encoding: str | None
    notes: list[str] = field(default_factory=list)


@dataclass
class _Grid:
    """Cleaned cells of one sheet, every row the same length, and where they sit in the sheet (1-based)."""

    cells: list[list[object]]
    first_row: int = 1
    first_column: int = 1
    merges: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)


def read_table(
    data: bytes,
    filename: str,
    *,
    known_headers: Iterable[str] = (),
    max_bytes: int | None = None,
    max_rows: int | None = None,
) -> Table:
    """Read the first visible sheet of a workbook, or a CSV file, into a Table; raise TableReadError if it can't."""
    if not data:
        raise TableReadError(_("文件「%(filename)s」是空的（0 字节），没有可读取的内容。") % {"filename": filename})
    if max_bytes is not None and len(data) > max_bytes:
        raise TableReadError(
            _("文件「%(filename)s」有 %(size)s MB，超过了 %(limit)s MB 的上限。请把数据拆分成几个较小的文件分别上传。")
            % {"filename": filename, "size": _megabytes(len(data), round_up=True), "limit": _megabytes(max_bytes)}
        )
    file_format = _detect_format(data, filename)
    if file_format == "csv":
        text, encoding = _decode_text(data, filename)
        grid = _csv_grid(text, filename)
        sheet_name, notes = None, []
    else:
        encoding = None
        grid, sheet_name, notes = _workbook_grid(data, filename, file_format)
    table = _build_table(grid, filename, known_headers, file_format, sheet_name, encoding, notes)
    if max_rows is not None and len(table.rows) > max_rows:
        raise TableReadError(
            _(
                "文件「%(filename)s」有 %(count)s 行数据，超过了一次最多导入 %(limit)s 行的上限。"
                "请把数据拆分成几个较小的文件分别上传。"
            )
            % {"filename": filename, "count": len(table.rows), "limit": max_rows}
        )
    return table


# --- format ---------------------------------------------------------------------------------------------------------


def _detect_format(data: bytes, filename: str) -> str:
    """'xlsx', 'xls', 'ods' or 'csv' from the content; anything else is refused with a message naming what it is."""
    if data.startswith(ZIP_MAGICS):
        return _detect_zip_format(data, filename)
    if data.startswith(OLE2_MAGIC):
        return "xls"
    if data.startswith(b"%PDF"):
        raise _refusal(
            _("「%(filename)s」是 PDF 文件，不是表格，无法读取其中的数据。请上传 .xlsx、.xls 或 .csv 文件。"), filename
        )
    if data.startswith(IMAGE_MAGICS):
        raise _refusal(_("「%(filename)s」是图片，不是表格。请上传 .xlsx、.xls 或 .csv 文件。"), filename)
    if data.startswith(ARCHIVE_MAGICS):
        raise _refusal(_("「%(filename)s」是压缩包，不是表格。请解压后上传其中的表格文件。"), filename)
    if not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and b"\x00" in data[:SNIFF_CHARS]:
        raise _refusal(
            _(
                "无法识别「%(filename)s」的格式：它既不是 Excel 表格，也不是文本格式的 CSV 文件。"
                "请上传 .xlsx、.xls 或 .csv 文件。"
            ),
            filename,
        )
    head = data[:SNIFF_CHARS].removeprefix(codecs.BOM_UTF8).lstrip().lower()
    if head.startswith(b"<") and (b"<html" in head or b"<table" in head or b"<!doctype html" in head):
        raise _refusal(
            _(
                "「%(filename)s」实际上是网页（HTML）格式，只是扩展名像表格（不少系统导出的 .xls 就是这样）。"
                "请用 Excel 打开它，“另存为” .xlsx 格式后再上传。"
            ),
            filename,
        )
    if head.startswith(b"<?xml"):
        if b"urn:schemas-microsoft-com:office:spreadsheet" in head:
            raise _refusal(
                _("「%(filename)s」是 Excel 2003 XML 表格，暂不支持。请用 Excel 打开它，“另存为” .xlsx 格式后再上传。"),
                filename,
            )
        raise _refusal(_("「%(filename)s」是 XML 文件，不是表格。请上传 .xlsx、.xls 或 .csv 文件。"), filename)
    return "csv"


def _detect_zip_format(data: bytes, filename: str) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            mimetype = ""
            if "mimetype" in names:
                with archive.open("mimetype") as member:
                    mimetype = member.read(100).decode("ascii", "replace")
    except ZIP_ERRORS as exc:
        raise _refusal(
            _("「%(filename)s」已损坏或不完整（可能没有上传完），无法打开。请在 Excel 中打开并重新保存后再上传。"),
            filename,
        ) from exc
    if "xl/workbook.xml" in names:
        return "xlsx"
    if mimetype.startswith(ODS_MIMETYPE):
        return "ods"
    if "xl/workbook.bin" in names:
        raise _refusal(
            _("「%(filename)s」是 Excel 二进制工作簿（.xlsb），暂不支持。请在 Excel 中“另存为” .xlsx 格式后再上传。"),
            filename,
        )
    if any(name.startswith("word/") for name in names):
        raise _refusal(
            _("「%(filename)s」是 Word 文档（.docx），不是表格。请上传 .xlsx、.xls 或 .csv 文件。"), filename
        )
    if any(name.startswith("ppt/") for name in names):
        raise _refusal(
            _("「%(filename)s」是 PowerPoint 演示文稿，不是表格。请上传 .xlsx、.xls 或 .csv 文件。"), filename
        )
    if mimetype.startswith("application/vnd.oasis.opendocument"):
        raise _refusal(
            _("「%(filename)s」是 OpenDocument 文档，但不是电子表格。请上传 .xlsx、.xls 或 .csv 文件。"), filename
        )
    raise _refusal(
        _("「%(filename)s」是 ZIP 压缩包，不是表格。请解压后上传其中的表格文件（.xlsx、.xls 或 .csv）。"), filename
    )


def _refusal(message: str, filename: str) -> TableReadError:
    return TableReadError(message % {"filename": filename})


# --- workbooks ------------------------------------------------------------------------------------------------------


def _workbook_grid(data: bytes, filename: str, file_format: str) -> tuple[_Grid, str, list[str]]:
    """The grid of the first visible worksheet with data, its name, and notes on the sheets passed over."""
    if file_format == "xlsx":
        _check_xlsx_extent(data, filename)
    if file_format == "xls":
        _check_xls_in_child(data, filename)
    with _calamine_errors(data, filename, file_format):
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        worksheets = [meta for meta in book.sheets_metadata if meta.typ == python_calamine.SheetTypeEnum.WorkSheet]
    hidden, empty, chosen = [], [], None
    for index, meta in enumerate(worksheets):
        if meta.visible != python_calamine.SheetVisibleEnum.Visible:
            hidden.append(meta.name)
            continue
        with _calamine_errors(data, filename, file_format):
            sheet = book.get_sheet_by_name(meta.name)
            values, start, merges = sheet.to_python(), sheet.start or (0, 0), sheet.merged_cell_ranges or []
        grid = _Grid(_clean_cells(values), start[0] + 1, start[1] + 1, merges)
        if any(row.count(None) != len(row) for row in grid.cells):
            chosen = index
            break
        empty.append(meta.name)
    if chosen is None:
        message = _("「%(filename)s」中没有含数据的可见工作表。") % {"filename": filename}
        if hidden:
            message += _("隐藏的工作表不会被读取（%(sheets)s），如需导入请先在 Excel 中取消隐藏。") % {
                "sheets": _quoted_list(hidden)
            }
        raise TableReadError(message)
    notes = []
    if hidden:
        notes.append(_("已跳过隐藏的工作表：%(sheets)s。") % {"sheets": _quoted_list(hidden)})
    if empty:
        notes.append(_("已跳过空白的工作表：%(sheets)s。") % {"sheets": _quoted_list(empty)})
    visible = python_calamine.SheetVisibleEnum.Visible
    others = [meta.name for meta in worksheets[chosen + 1 :] if meta.visible == visible]
    name = worksheets[chosen].name
    if others:
        notes.append(
            _("只读取了工作表「%(sheet)s」，其他工作表没有读取：%(sheets)s。")
            % {"sheet": name, "sheets": _quoted_list(others)}
        )
    return grid, name, notes


_XLS_PROBE = """
import io, sys, python_calamine
book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(sys.stdin.buffer.read()))
for meta in book.sheets_metadata:
    book.get_sheet_by_name(meta.name).to_python()
"""


def _check_xls_in_child(data: bytes, filename: str) -> None:
    """Open an .xls in a child process first: on some corrupted size records python-calamine aborts the whole process
    instead of raising (seen when fuzzing), which must not take a web server or worker down with it."""
    try:
        probe = subprocess.run(
            [sys.executable, "-c", _XLS_PROBE], input=data, capture_output=True, timeout=XLS_PROBE_TIMEOUT
        )
    except subprocess.TimeoutExpired:
        raise _refusal(
            _("「%(filename)s」读取超时，可能已损坏。请在 Excel 中打开并另存为 .xlsx 后再上传。"), filename
        ) from None
    if probe.returncode < 0:  # killed by a signal: the reader aborted
        logger.warning("calamine aborted reading %r (signal %d)", filename, -probe.returncode)
        raise TableReadError(_unreadable_message(data, filename, "xls"))


def _check_xlsx_extent(data: bytes, filename: str) -> None:
    """Refuse a worksheet whose filled rectangle is too large for calamine, before calamine tries to allocate it.

    The <dimension> element at the top of each sheet's XML is read first (Excel writes the used range there, often
    far larger than the filled cells because of formatting); only when it is too large are the cells scanned.
    A sheet without <dimension>, or whose <dimension> understates it, is not caught; a damaged archive is left
    for calamine to report.
    """
    for rows, columns in _xlsx_large_sheets(data):
        if rows and (max(rows) - min(rows) + 1) * (max(columns) - min(columns) + 1) > MAX_CELLS:
            raise TableReadError(
                _(
                    "「%(filename)s」里有内容的区域过大（一直到第 %(row)s 行、第 %(column)s 列），无法读取。"
                    "可能是远处的单元格误填了内容（哪怕只是一个空格）。"
                    "请在 Excel 中按 Ctrl+End 找到最后一个单元格，删除多余的行和列并保存后再上传。"
                )
                % {"filename": filename, "row": max(rows), "column": max(columns)}
            )


def _xlsx_large_sheets(data: bytes) -> Iterator[tuple[list[int], list[int]]]:
    """Each worksheet whose <dimension> exceeds MAX_CELLS, with the rows and columns of its filled cells."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for name in archive.namelist():
                if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                    continue
                with archive.open(name) as member:
                    dimension = _XLSX_DIMENSION.search(member.read(16 * 1024))
                if dimension is None:
                    continue
                first_col, first_row, last_col, last_row = dimension.groups()
                if _area(first_row, first_col, last_row or first_row, last_col or first_col) <= MAX_CELLS:
                    continue
                rows, columns = [], []
                for match in _XLSX_FILLED_CELL.finditer(archive.read(name)):
                    columns.append(_column_number(match[1]))
                    rows.append(int(match[2]))
                yield rows, columns
    except ZIP_ERRORS:
        return


def _area(first_row: bytes, first_col: bytes, last_row: bytes, last_col: bytes) -> int:
    return (int(last_row) - int(first_row) + 1) * (_column_number(last_col) - _column_number(first_col) + 1)


def _column_number(letters: bytes) -> int:
    """b'A' -> 1, b'Z' -> 26, b'AA' -> 27."""
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _clean_cells(values: list[list[object]]) -> list[list[object]]:
    """Calamine's cells with '' and whitespace-only strings as None and whole floats as int, in one pass."""
    str_, float_ = str, float
    return [
        [
            (value if value and not value.isspace() else None)
            if (kind := type(value)) is str_
            else (int(value) if kind is float_ and value.is_integer() else value)
            for value in row
        ]
        for row in values
    ]


@contextmanager
def _calamine_errors(data: bytes, filename: str, file_format: str):
    """Turn whatever python-calamine raises (its errors, or a Rust panic) into a TableReadError."""
    try:
        yield
    except python_calamine.PasswordError as exc:
        raise TableReadError(_encrypted_message(filename)) from exc
    except Exception as exc:
        logger.info("calamine could not read %r as %s", filename, file_format, exc_info=True)
        raise TableReadError(_unreadable_message(data, filename, file_format)) from exc
    except BaseException as exc:  # pyo3 turns a panic into PanicException, a BaseException
        if type(exc).__name__ != "PanicException":
            raise
        logger.warning("calamine panicked on %r as %s", filename, file_format, exc_info=True)
        raise TableReadError(_unreadable_message(data, filename, file_format)) from exc


def _encrypted_message(filename: str) -> str:
    return _(
        "「%(filename)s」设置了打开密码（文件已加密），无法读取。"
        "请在 Excel 中打开，“文件 → 信息 → 保护工作簿 → 用密码进行加密”，清空密码并保存后再上传。"
    ) % {"filename": filename}


def _unreadable_message(data: bytes, filename: str, file_format: str) -> str:
    """Say what an unreadable file most likely is; an OLE2 container's stream names tell Word and encryption apart."""
    params = {"filename": filename}
    if file_format == "xls":
        if "EncryptedPackage".encode("utf-16-le") in data:
            return _encrypted_message(filename)
        if "WordDocument".encode("utf-16-le") in data:
            return _("「%(filename)s」是 Word 文档（.doc），不是表格。请上传 .xlsx、.xls 或 .csv 文件。") % params
        return (
            _(
                "无法把「%(filename)s」作为 Excel 97-2003 表格（.xls）读取：它可能是 Word 文档（.doc）、"
                "设置了密码的加密文件，或者已经损坏。请在 Excel 中打开并“另存为” .xlsx 格式后再上传。"
            )
            % params
        )
    return _("「%(filename)s」已损坏或格式不正确，无法读取。请在 Excel 中打开并重新保存后再上传。") % params


def _quoted_list(names: list[str]) -> str:
    return "、".join(f"「{name}」" for name in names)


# --- csv ------------------------------------------------------------------------------------------------------------


def _decode_text(data: bytes, filename: str) -> tuple[str, str]:
    """Decode by BOM, else strict UTF-8, else strict GB18030 that reads as plausible Chinese; never guess silently."""
    if data.startswith(codecs.BOM_UTF8):
        encodings = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ["utf-16"]
    else:
        encodings = ["utf-8", "gb18030"]
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if encoding != "gb18030" or _plausible_chinese(text):
            return text, encoding
    raise TableReadError(
        _(
            "无法识别「%(filename)s」的文字编码，为避免读出乱码，没有导入。"
            "请用 Excel 打开该文件，“另存为”「CSV UTF-8（逗号分隔）」格式后重新上传。"
        )
        % {"filename": filename}
    )


def _plausible_chinese(text: str) -> bool:
    """True if text decoded as GB18030 reads like Chinese rather than mojibake (Big5, Latin-1, random bytes).

    No control characters; at most 1% of the non-ASCII characters outside what Chinese text uses (CJK ideographs,
    CJK and full-width punctuation, common symbols; kana, Cyrillic, Greek, private-use and the rest count against);
    at most 20% of them outside GB2312 (rare name characters such as 堃 are in GBK only; text in another
    encoding lands there far more often). Each test is one pass in C.
    """
    uncommon = "".join(_UNCOMMON_CHAR.findall(text))
    if _CONTROL_CHARS.search(uncommon):
        return False
    non_ascii = len(text) - len(text.encode("ascii", "ignore"))
    outside_gb2312 = text.encode("gb2312", "replace").count(b"?") - text.count("?")
    return len(uncommon) <= non_ascii * 0.01 and outside_gb2312 <= non_ascii * 0.2


def _csv_grid(text: str, filename: str) -> _Grid:
    delimiter = _sniff_delimiter(text)
    try:
        rows = [
            [value if value and not value.isspace() else None for value in row]
            for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        ]
    except csv.Error as exc:
        raise TableReadError(
            _("无法解析 CSV 文件「%(filename)s」。请用 Excel 打开，“另存为”「CSV UTF-8（逗号分隔）」格式后重新上传。")
            % {"filename": filename}
        ) from exc
    width = max(map(len, rows), default=0)
    for row in rows:
        if len(row) < width:
            row.extend([None] * (width - len(row)))
    return _Grid(rows)


def _sniff_delimiter(text: str) -> str:
    """The delimiter among , tab ; that splits the most of the first lines into the same number (> 1) of fields."""
    sample = text[:SNIFF_CHARS]
    if len(text) > SNIFF_CHARS and "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    best, best_score = DELIMITERS[0], 0
    for delimiter in DELIMITERS:
        try:
            widths = [len(row) for row in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter) if any(row)]
        except csv.Error:
            continue
        common = Counter(width for width in widths if width > 1).most_common(1)
        score = common[0][1] if common else 0
        if score > best_score:
            best, best_score = delimiter, score
    return best


# --- header and rows ------------------------------------------------------------------------------------------------


def _build_table(
    grid: _Grid,
    filename: str,
    known_headers: Iterable[str],
    file_format: str,
    sheet_name: str | None,
    encoding: str | None,
    notes: list[str],
) -> Table:
    cells = grid.cells
    filled = [index for index, row in enumerate(cells) if row.count(None) != len(row)]
    if not filled:
        raise TableReadError(_("「%(filename)s」里没有任何数据。") % {"filename": filename})
    candidates = filled[:HEADER_SEARCH_ROWS]
    texts = {index: _header_candidates(grid, index) for index in candidates}
    header_index = _choose_header_row(cells, candidates, texts, {_match_key(text) for text in known_headers})
    header_row = grid.first_row + header_index
    if header_row != 1:
        notes.append(
            _("表头在第 %(row)s 行（不是第 1 行），它上面的行（如标题）没有作为数据导入。") % {"row": header_row}
        )

    data_indexes = [index for index in filled if index > header_index]
    header_texts = texts[header_index]
    columns = [
        column
        for column, text in enumerate(header_texts)
        if text or any(cells[index][column] is not None for index in data_indexes)
    ]
    headers, unnamed, renamed = [], [], []
    seen = set()
    for column in columns:
        text = header_texts[column]
        if not text:
            text = _("第%(number)s列") % {"number": grid.first_column + column}
            unnamed.append(text)
        unique, count = text, 1
        while unique in seen:
            count += 1
            unique = f"{text}({count})"
        if count > 1:
            renamed.append(unique)
        seen.add(unique)
        headers.append(unique)
    if unnamed:
        notes.append(_("这些列没有表头，已暂时命名为：%(columns)s。") % {"columns": _quoted_list(unnamed)})
    if renamed:
        notes.append(
            _("这些表头重复（或是合并单元格），已加编号区分：%(columns)s。") % {"columns": _quoted_list(renamed)}
        )

    if len(columns) == len(header_texts):
        rows = [cells[index] for index in data_indexes]
    elif len(columns) == 1:
        rows = [[cells[index][columns[0]]] for index in data_indexes]
    else:
        pick = itemgetter(*columns)
        rows = [list(pick(cells[index])) for index in data_indexes]
    return Table(
        headers=headers,
        rows=rows,
        row_numbers=[grid.first_row + index for index in data_indexes],
        header_row=header_row,
        file_format=file_format,
        sheet_name=sheet_name,
        encoding=encoding,
        notes=notes,
    )


def _choose_header_row(
    cells: list[list[object]], candidates: list[int], texts: dict[int, list[str]], known: set[str]
) -> int:
    """The candidate with the most known headers (the first on a tie); without any, the first row half-filled."""
    scores = {index: sum(_match_key(text) in known for text in texts[index] if text) for index in candidates}
    best = max(candidates, key=lambda index: (scores[index], -index))
    if scores[best]:
        return best
    widths = {index: len(cells[index]) - cells[index].count(None) for index in candidates}
    needed = max(2, math.ceil(max(widths.values()) / 2))
    return next((index for index in candidates if widths[index] >= needed), candidates[0])


def _header_candidates(grid: _Grid, index: int) -> list[str]:
    """Header texts of grid row `index`, filling the cells a merged range covers with the range's text."""
    texts = [_header_text(value) for value in grid.cells[index]]
    row = grid.first_row - 1 + index
    for (top, left), (bottom, right) in grid.merges:
        if not top <= row <= bottom or (top == bottom and left == right):
            continue
        top_index, left_index = top - grid.first_row + 1, left - grid.first_column + 1
        if not 0 <= top_index < len(grid.cells) or not 0 <= left_index < len(texts):
            continue
        text = _header_text(grid.cells[top_index][left_index])
        for column in range(max(left_index, 0), min(right - grid.first_column + 2, len(texts))):
            if not texts[column]:
                texts[column] = text
    return texts


def _header_text(value: object) -> str:
    if value is None:
        return ""
    return _SPACE_NEXT_TO_NON_ASCII.sub("", " ".join(str(value).split()))


def _match_key(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", str(text)).split()).casefold()


def _megabytes(size: int, *, round_up: bool = False) -> str:
    """Size in MB with one decimal, '.0' dropped; rounded up for a file's size so it never shows as the limit."""
    tenths = size / 1024 / 1024 * 10
    return f"{(math.ceil(tenths) if round_up else round(tenths)) / 10:.1f}".removesuffix(".0")
