"""Write rows to .xlsx (xlsxwriter) and .csv (UTF-8 with BOM), for exports and import templates.

Values may be str, int, float, Decimal, date, datetime, bool or None. Text always stays text: a code such as
"110105" or an 18-character USCC is never turned into a number, nor "=1+1" into a formula.

CSV formula injection: a text cell beginning with = + - @ (or a tab or carriage return) would be run as a formula
by Excel when the file is opened, so `write_csv` prefixes such a cell with an apostrophe ("'=1+1"), as OWASP
recommends. The apostrophe is visible in the cell; numbers are never prefixed. An .xlsx needs no such guard:
its text cells are typed as text and never evaluated.
"""

import csv
import io
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from itertools import chain, islice

import xlsxwriter
from django.utils import timezone

#: rows of an .xlsx sheet, header included (Excel's limit)
XLSX_MAX_ROWS = 1_048_576
#: a data-validation list written inline may hold at most 255 characters; longer lists go to a hidden sheet
INLINE_CHOICES_MAX = 255
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
#: rows read ahead to size the columns
WIDTH_SAMPLE_ROWS = 100
MIN_WIDTH, MAX_WIDTH = 6, 60


@dataclass
class Sheet:
    name: str
    headers: list[str]
    rows: Iterable[Sequence[object]]
    #: in characters; default: from the header and the first rows
    column_widths: list[int] | None = None
    #: column index -> note shown on the header cell
    header_comments: dict[int, str] | None = None
    #: column index -> dropdown list (data validation) for rows 2..N
    choices: dict[int, list[str]] | None = None
    #: column index -> Excel number format, e.g. "0.00%" for a rate given as a fraction
    number_formats: dict[int, str] | None = None


def display_width(text: str) -> int:
    """Width in Latin characters: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _local_naive(value: datetime) -> datetime:
    return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value


def _sheet_name(name: str, taken: set[str]) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\, unique regardless of case."""
    cleaned = "".join("_" if char in "[]:*?/\\" else char for char in name).strip("'")[:31] or "Sheet"
    candidate, n = cleaned, 1
    while candidate.lower() in taken:
        n += 1
        candidate = f"{cleaned[: 31 - len(str(n)) - 1]}_{n}"
    taken.add(candidate.lower())
    return candidate


def _widths(headers: list[str], sample: list[Sequence[object]]) -> list[int]:
    widths = [display_width(str(header)) + 2 for header in headers]
    for row in sample:
        for index, value in enumerate(row[: len(widths)]):
            if isinstance(value, datetime):
                length = 19
            elif isinstance(value, date):
                length = 10
            elif value is None:
                continue
            else:
                length = display_width(str(value))
            widths[index] = max(widths[index], length + 1)
    return [min(max(width, MIN_WIDTH), MAX_WIDTH) for width in widths]


class _SheetWriter:
    """Writes one sheet's cells by Python type; text always with write_string."""

    def __init__(self, workbook, worksheet, sheet: Sheet, formats: dict):
        self.worksheet = worksheet
        self.date, self.datetime = formats["date"], formats["datetime"]
        self.column_formats = {
            index: workbook.add_format({"num_format": number_format})
            for index, number_format in (sheet.number_formats or {}).items()
        }

    def write_row(self, row_index: int, values: Sequence[object]) -> None:
        worksheet, column_formats = self.worksheet, self.column_formats
        for col, value in enumerate(values):
            kind = type(value)
            if kind is str:
                if value:
                    worksheet.write_string(row_index, col, value)
            elif value is None:
                continue
            elif kind is bool:
                worksheet.write_boolean(row_index, col, value)
            elif kind is int or kind is float or kind is Decimal:
                worksheet.write_number(row_index, col, value, column_formats.get(col))
            elif kind is date:
                worksheet.write_datetime(row_index, col, value, column_formats.get(col, self.date))
            elif kind is datetime:
                worksheet.write_datetime(row_index, col, _local_naive(value), column_formats.get(col, self.datetime))
            else:
                self.write_other(row_index, col, value)

    def write_other(self, row_index, col, value):
        """Subclasses of the types above (e.g. IntEnum, lazy strings): by isinstance; anything else as its text."""
        if isinstance(value, bool):
            self.worksheet.write_boolean(row_index, col, value)
        elif isinstance(value, (int, float, Decimal)):
            self.worksheet.write_number(row_index, col, value, self.column_formats.get(col))
        elif isinstance(value, datetime):
            self.worksheet.write_datetime(row_index, col, _local_naive(value), self.datetime)
        elif isinstance(value, date):
            self.worksheet.write_datetime(row_index, col, value, self.date)
        else:
            self.worksheet.write_string(row_index, col, str(value))


def write_xlsx(sheets: list[Sheet]) -> bytes:
    """An .xlsx workbook, one worksheet per sheet: bold frozen header row with a filter, dates as date cells.

    Rows are streamed (xlsxwriter's constant_memory mode): memory stays flat however many rows."""
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        output,
        {
            "constant_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    formats = {
        "header": workbook.add_format({"bold": True, "valign": "top", "text_wrap": True, "bg_color": "#F2F2F2"}),
        "date": workbook.add_format({"num_format": DATE_FORMAT}),
        "datetime": workbook.add_format({"num_format": DATETIME_FORMAT}),
    }
    taken: set[str] = set()
    choice_lists: list[tuple[object, int, list[str]]] = []
    for sheet in sheets:
        worksheet = workbook.add_worksheet(_sheet_name(sheet.name, taken))
        rows = iter(sheet.rows)
        widths = sheet.column_widths
        if widths is None:
            sample = list(islice(rows, WIDTH_SAMPLE_ROWS))
            widths = _widths(sheet.headers, sample)
            rows = chain(sample, rows)
        for index, width in enumerate(widths):
            worksheet.set_column(index, index, width)
        worksheet.freeze_panes(1, 0)
        for col, header in enumerate(sheet.headers):
            worksheet.write_string(0, col, str(header), formats["header"])
            if sheet.header_comments and col in sheet.header_comments:
                worksheet.write_comment(0, col, str(sheet.header_comments[col]), {"x_scale": 2, "y_scale": 2})
        writer = _SheetWriter(workbook, worksheet, sheet, formats)
        last = 0
        for last, values in enumerate(rows, start=1):
            if last >= XLSX_MAX_ROWS:
                raise ValueError(f"More than {XLSX_MAX_ROWS - 1} rows do not fit in one .xlsx sheet.")
            writer.write_row(last, values)
        if sheet.headers:
            worksheet.autofilter(0, 0, max(last, 1), len(sheet.headers) - 1)
        for col, options in (sheet.choices or {}).items():
            choice_lists.append((worksheet, col, [str(option) for option in options]))
    _add_choices(workbook, choice_lists, taken)
    workbook.close()
    return output.getvalue()


def _add_choices(workbook, choice_lists, taken: set[str]) -> None:
    """Dropdowns on rows 2..N: short lists inline, long ones from a column of a hidden sheet."""
    hidden = None
    for worksheet, col, options in choice_lists:
        if len(",".join(options)) <= INLINE_CHOICES_MAX and not any("," in option for option in options):
            source = options
        else:
            if hidden is None:
                hidden_name = _sheet_name("选项", taken)
                hidden = workbook.add_worksheet(hidden_name)
                hidden.hide()
                hidden_col = 0
            for row, option in enumerate(options):
                hidden.write_string(row, hidden_col, option)
            letter = xlsxwriter.utility.xl_col_to_name(hidden_col)
            source = f"='{hidden_name}'!${letter}$1:${letter}${max(len(options), 1)}"
            hidden_col += 1
        worksheet.data_validation(
            1,
            col,
            XLSX_MAX_ROWS - 1,
            col,
            {"validate": "list", "source": source, "ignore_blank": True, "error_type": "warning"},
        )


def _csv_cell(value: object) -> str:
    kind = type(value)
    if kind is str:
        return "'" + value if value.startswith(FORMULA_PREFIXES) else value
    if value is None:
        return ""
    if kind is int or kind is float:
        return str(value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return _local_naive(value).isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (int, float)):
        return str(value)
    return _csv_cell(str(value))


def write_csv(headers: Sequence[object], rows: Iterable[Sequence[object]]) -> bytes:
    """CSV as Excel opens it: UTF-8 with a byte-order mark, CRLF line ends, minimal quoting, ISO dates; None is
    an empty cell, booleans TRUE/FALSE; text beginning with = + - @ is prefixed with an apostrophe (see above)."""
    output = io.StringIO()
    writer = csv.writer(output, lineterminator="\r\n")
    writer.writerow([_csv_cell(str(header)) for header in headers])
    writer.writerows([_csv_cell(value) for value in row] for row in rows)
    return b"\xef\xbb\xbf" + output.getvalue().encode("utf-8")
