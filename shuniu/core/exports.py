"""Exports: the rows a table shows, as plain values, to an .xlsx or a UTF-8 .csv file.

A cell's value is django-tables2's export value (`Table.as_values()`): the table's `value_<column>` method, else its
`render_<column>` method, else the column's own value, with choices shown by their label and empty values as None.
Link columns give their text. Date columns give the date itself (an .xlsx date cell, an ISO date in .csv), not the
page's formatted text. What a `render_` method returns as HTML is reduced to its text; tables add a `value_` method
where the text should differ.

The rows are read column by column with each column's function and arguments worked out once: `as_values()`
inspects a function's signature for every cell, and Django's `get_<field>_display()` translates every choice label
on every call, which at 100,000 rows cost more than the writing. Records are read in chunks of `CHUNK_SIZE`
(prefetches run per chunk). A table may define two hooks:

- `export_queryset(queryset)`: the queryset to read instead of the page's, e.g. without a prefetch that the next
  hook replaces with a lighter look-up (Django's prefetch of a many-to-many relation costs ~0.1 ms a record);
- `before_export(records)`: called with each chunk before its values are read, to look up what its rows need in one
  query.
"""

import html
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from itertools import islice
from urllib.parse import quote

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.hashable import make_hashable
from django.utils.html import strip_tags
from django.utils.safestring import SafeData
from django_tables2 import Column, DateColumn, DateTimeColumn
from django_tables2.rows import BoundRow
from django_tables2.utils import A, signature

from .tables import choice_labels
from .tabular.writers import Sheet, write_csv, write_xlsx

EXPORT_FORMATS = ("xlsx", "csv")
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
CHUNK_SIZE = 2000
#: columns read without django-tables2's per-cell machinery; any other column type goes through `BoundRow`
_FAST_COLUMNS = (Column, DateColumn, DateTimeColumn)
_PLAIN_TYPES = (str, int, float, Decimal, date, datetime, bool)
_CELL_ARGUMENTS = ("value", "record", "column", "bound_column", "bound_row", "table")


@dataclass
class ExportFile:
    filename: str
    content: bytes
    #: the ASCII file name offered to clients that do not read RFC 5987 `filename*`
    ascii_filename: str = "export"

    @property
    def format(self) -> str:
        return self.filename.rsplit(".", 1)[-1]

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.format]

    def response(self) -> HttpResponse:
        response = HttpResponse(self.content, content_type=self.content_type)
        response["Content-Disposition"] = content_disposition(self.filename, self.ascii_filename)
        return response


class CountedRows:
    """Rows passed through to a writer, counted on the way (what an export's audit record says it held)."""

    def __init__(self, rows: Iterable):
        self.rows, self.count = rows, 0

    def __iter__(self):
        for row in self.rows:
            self.count += 1
            yield row


def export_filename(title: str, export_format: str, day: date | None = None) -> str:
    """「社会组织_20261122.xlsx」: the title, today's date (or `day`) and the format."""
    day = day or timezone.localdate()
    stem = re.sub(r'[\\/:*?"<>|\s]+', "_", str(title)).strip("_.") or "export"
    return f"{stem}_{day:%Y%m%d}.{export_format}"


def content_disposition(filename: str, ascii_filename: str = "export") -> str:
    """An attachment with an ASCII `filename` for old clients and the real name as RFC 5987 `filename*`."""
    extension = filename.rsplit(".", 1)[-1] if "." in filename else ""
    fallback = re.sub(r"[^A-Za-z0-9._-]+", "_", ascii_filename).strip("_") or "export"
    if extension and not fallback.endswith(f".{extension}"):
        fallback = f"{fallback}.{extension}"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def build_file(
    *, title: str, headers: list[str], rows: Iterable, export_format: str, ascii_name: str = "export", **sheet
) -> ExportFile:
    """One sheet (or a CSV) of `rows` under `headers`, named after `title` and today."""
    if export_format == "xlsx":
        content = write_xlsx([Sheet(name=str(title), headers=headers, rows=rows, **sheet)])
    elif export_format == "csv":
        content = write_csv(headers, rows)
    else:
        raise ValueError(f"Unknown export format {export_format!r}")
    filename = export_filename(title, export_format)
    return ExportFile(filename=filename, content=content, ascii_filename=f"{ascii_name}_{filename.rsplit('_', 1)[-1]}")


# ---------------------------------------------------------------- columns


def column_choices(table) -> list[tuple[str, str]]:
    """(name, header) of each column a user may show and export, in the table's order."""
    return [
        (column.name, str(column.header)) for column in table.columns.iterall() if not column.column.exclude_from_export
    ]


def chosen_columns(table, requested: Iterable[str]) -> list[str]:
    """The requested columns (`columns=a&columns=b` or `columns=a,b`) in the table's order; unknown names are
    ignored, and no known name means every column but those marked `optional` (shown only when chosen)."""
    wanted = {name.strip() for value in requested for name in value.split(",")}
    available = [name for name, _header in column_choices(table)]
    chosen = [name for name in available if name in wanted]
    return chosen or [name for name in available if not getattr(table.columns[name].column, "optional", False)]


def table_headers(table, columns: list[str]) -> list[str]:
    return [str(table.columns[name].header) for name in columns]


def table_rows(table, columns: list[str]) -> Iterator[list]:
    """Every row of the table's data (all of it, not a page), in the table's order, as plain values."""
    readers = [_ColumnReader(table, table.columns[name]) for name in columns]
    before_export = getattr(table, "before_export", None)
    data = table.data.data
    if isinstance(data, QuerySet) and hasattr(table, "export_queryset"):
        data = table.export_queryset(data)
    for records in _chunks(data):
        if before_export is not None:
            before_export(records)
        for record in records:
            yield [reader(record) for reader in readers]


def _chunks(data) -> Iterator[list]:
    records = data.iterator(chunk_size=CHUNK_SIZE) if isinstance(data, QuerySet) else iter(data)
    while chunk := list(islice(records, CHUNK_SIZE)):
        yield chunk


def plain(value):
    """A value a spreadsheet cell holds: text, number, date, boolean or None."""
    if value is None or type(value) in _PLAIN_TYPES:
        return value
    if isinstance(value, SafeData):
        return html.unescape(strip_tags(value))
    if isinstance(value, _PLAIN_TYPES):
        return value if not isinstance(value, str) else str(value)
    if isinstance(value, (list, tuple, set)):
        return "、".join(str(plain(item)) for item in value if item is not None)
    return str(value)  # lazy text, model instances, anything else: its text


class _ColumnReader:
    """One column's export value for a record, as `BoundRow.get_cell_value()` gives it (dates kept as dates)."""

    def __init__(self, table, bound_column):
        self.table, self.bound_column, self.column = table, bound_column, bound_column.column
        self.name = bound_column.name
        self.function = getattr(table, f"value_{self.name}", None) or getattr(table, f"render_{self.name}", None)
        self.fast = type(self.column) in _FAST_COLUMNS or self.function is not None
        if self.function is not None:
            arguments, catch_all = signature(self.function)
            self.arguments = _CELL_ARGUMENTS if catch_all else arguments
            self.callable = all(argument in _CELL_ARGUMENTS for argument in self.arguments)
        self.bits = A(bound_column.accessor).bits
        #: a method reading only the record of a column without empty values needs no look-up (e.g. a relation)
        self.needs_value = self.function is None or "value" in self.arguments or bool(self.column.empty_values)
        model = getattr(table.data, "model", None)
        field = A(bound_column.accessor).get_field(model) if model is not None and self.bits else None
        #: a choice field's labels, translated once (what `get_<field>_display()` looks up for every call)
        self.labels = choice_labels(field) if getattr(field, "choices", None) else None

    def __call__(self, record):
        if not self.fast or isinstance(record, dict):
            return plain(BoundRow(record, table=self.table).get_cell_value(self.name))
        value = self._resolve(record) if self.needs_value else None
        if self.needs_value and value in self.column.empty_values:
            return None
        if self.function is None:
            return plain(value)
        if not self.callable:
            return None
        available = {
            "value": value,
            "record": record,
            "column": self.column,
            "bound_column": self.bound_column,
            "table": self.table,
        }
        if "bound_row" in self.arguments:
            available["bound_row"] = BoundRow(record, table=self.table)
        return plain(self.function(**{argument: available[argument] for argument in self.arguments}))

    def _resolve(self, record):
        """The accessor's value (a choice's label), as `Accessor.resolve()` finds it on a model instance."""
        current = record
        try:
            for bit in self.bits:
                current = self._step(current, bit)
                if current is None:
                    return None
        except Exception:  # as django-tables2: a failed lookup is an empty value
            return None
        if self.labels is not None:
            return self.labels.get(make_hashable(current), current)
        return current

    @staticmethod
    def _step(current, bit):
        current = getattr(current, bit)
        if callable(current) and not getattr(current, "do_not_call_in_templates", False):
            if getattr(current, "alters_data", False):
                raise ValueError(bit)
            current = current()
        return current
