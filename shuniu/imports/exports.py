"""Files an import gives back: the template of a kind (from its one definition), the uploaded file, the rejected rows
with the reason beside each (ready to correct and upload again), and every row with its outcome.

The last three hold the file's cells, personal numbers included, so each is made for one reader (`viewer`): a row's
personal cells are given in full only to a reader who may unmask that row's record (`restrict(viewer, "unmask")`),
or — for a row whose record the job does not know (a new row not yet written, a rejected row, a file not yet checked)
— to a reader who may unmask every record of the kind; other readers get them masked (110105********002X). Every
file that gives personal numbers in full is recorded as an unmasked read (`core.unmasking.record_unmask`). `viewer`
None is the system (the `import` command without `--user`): the file as uploaded, nothing recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from shuniu.core.access import is_city_wide, user_can
from shuniu.core.errors import PermissionDeniedWithReason
from shuniu.core.personal import mask_personal_number
from shuniu.core.tabular import Sheet, Table, TableReadError, read_table, write_csv, write_xlsx
from shuniu.core.unmasking import record_unmask, unmaskable_ids
from shuniu.organizations.models import Field

from .choices import RowOutcome
from .models import ImportJob
from .registry import definition as definition_class
from .registry import kind_label


def template_xlsx(kind: str) -> bytes:
    """An empty sheet with the kind's headers (drop-down lists where the values are fixed, a note on each header), and
    a second sheet explaining every column. Written from the import definition, so the two never disagree."""
    definition = definition_class(kind)
    dropdowns = definition.dropdowns()
    columns = [column for column in definition.columns if column.in_template]
    data = Sheet(
        name=kind_label(kind),
        headers=[column.label for column in columns],
        rows=[],
        header_comments={
            index: "\n".join(filter(None, [_("必填") if column.required else "", column.help]))
            for index, column in enumerate(columns)
            if column.required or column.help
        },
        choices={index: dropdowns[column.field] for index, column in enumerate(columns) if column.field in dropdowns},
        column_widths=[max(12, min(40, len(column.example) * 2 + 2)) for column in columns],
    )
    fields = "、".join(Field.objects.values_list("name", flat=True))
    guide = Sheet(
        name=_("填写说明"),
        headers=[_("列名"), _("必填"), _("说明"), _("示例"), _("也可用的表头")],
        rows=[
            [
                column.label,
                _("是") if column.required else "",
                column.help + (("；" + _("可选：") + fields) if column.field == "fields" else ""),
                column.example,
                "、".join((column.field, *column.aliases)),
            ]
            for column in columns
        ]
        + [
            [],
            [
                _("规则"),
                "",
                _(
                    "有统一社会信用代码的按代码匹配已有记录，没有的按名称（去掉北京市、区名前缀和括号差异）加所属区匹配。"
                ),
            ],
            ["", "", _("填了的单元格会更新已有记录；空单元格保留已有的值，不会清空。")],
            [
                "",
                "",
                _(
                    "先检查后导入：检查时不写入任何数据；确认后，有效的行一次写入，被拒绝的行连同原因可下载修改后重新导入。"
                ),
            ],
            ["", "", _("同一文件重复导入不会产生重复记录，第二次的结果为「无变化」。")],
            [
                "",
                "",
                _(
                    "身份证号和电话：无权查看完整号码的用户导入时，填了的号码直接写入，不与已登记的号码比较，"
                    "该行计为「更新」（重复导入也是如此）；脱敏显示的号码（含*）不能导入。"
                ),
            ],
        ],
        column_widths=[18, 6, 60, 28, 40],
    )
    return write_xlsx([data, guide])


@dataclass
class SourceCopy:
    """The uploaded file's table as one reader may see it (see the module docstring)."""

    table: Table
    personal: list[str] = field(default_factory=list)  # the personal fields among the file's mapped columns
    full: set[int] = field(default_factory=set)  # numbers of the rows whose filled personal cells are given in full
    masked: set[int] = field(default_factory=set)  # numbers of the rows whose personal cells are masked


def _masked(kind, value):
    """A personal cell masked the way the pages show it; a cell that is not a valid number is masked all the same."""
    if value is None or str(value).strip() == "":
        return value
    text = str(value).strip()
    try:
        return kind.mask(kind.normalize(text))
    except ValidationError:
        return kind.mask(text)


def _readable_rows(job: ImportJob, viewer, model, numbers: list[int]) -> set[int]:
    """Those of the row `numbers` whose personal cells `viewer` may read in full."""
    if viewer is None or is_city_wide(viewer, model, "unmask"):
        return set(numbers)
    if not user_can(viewer, model, "unmask") or not job.result:
        return set()
    from .services import import_outcomes

    records = {number: pk for number, _outcome, _notes, pk in import_outcomes(job) if pk is not None}
    allowed = unmaskable_ids(viewer, model, {records[number] for number in numbers if number in records})
    return {number for number in numbers if records.get(number) in allowed}


def source_copy(job: ImportJob, *, viewer, data: bytes | None = None) -> SourceCopy:
    """The stored file (or its contents `data`) read as a table, its personal cells masked in the rows `viewer` may
    not read in full. TableReadError if the file cannot be read (or unsealed)."""
    from .services import stored_file

    definition = definition_class(job.kind)
    data = stored_file(job) if data is None else data
    table = read_table(data, job.filename, known_headers=definition.known_headers())
    kinds = {name: definition.model._meta.get_field(name).kind for name in definition.personal_fields()}
    columns = [
        (index, kinds[job.mapping[header]])
        for index, header in enumerate(table.headers)
        if job.mapping.get(header) in kinds
    ]
    # columns not imported (unknown or ignored headers) may hold numbers too: a cell that is one is masked as well
    unmapped = [index for index, header in enumerate(table.headers) if not job.mapping.get(header)]
    copy = SourceCopy(table=table, personal=list(dict.fromkeys(job.mapping[table.headers[i]] for i, _k in columns)))
    holding = {
        index: number
        for index, (number, cells) in enumerate(zip(table.row_numbers, table.rows, strict=True))
        if any(str(cells[column] or "").strip() for column, _kind in columns)
        or any(_looks_personal(cells[column]) for column in unmapped)
    }
    copy.full = _readable_rows(job, viewer, definition.model, list(holding.values()))
    for index, number in holding.items():
        if number in copy.full:
            continue
        cells = list(table.rows[index])
        for column, kind in columns:
            cells[column] = _masked(kind, cells[column])
        for column in unmapped:
            if _looks_personal(cells[column]):
                cells[column] = mask_personal_number(str(cells[column]))
        table.rows[index] = cells
        copy.masked.add(number)
    return copy


def _looks_personal(value) -> bool:
    """Whether a cell of a column not imported holds an identity or phone number."""
    return value is not None and type(value) in (str, int) and mask_personal_number(str(value)) != str(value)


def _record_full_read(job: ImportJob, copy: SourceCopy, viewer, numbers: set[int], what: str) -> None:
    """The audit row of a file that gives `viewer` the personal numbers of the rows `numbers` in full."""
    full = copy.full & numbers
    if viewer is None or not full:
        return
    record_unmask(
        definition_class(job.kind).model,
        fields=copy.personal,
        where=_("导入记录 #%(pk)d「%(file)s」的%(what)s") % {"pk": job.pk, "file": job.filename, "what": what},
        count=len(full),
    )


def source_file(job: ImportJob, *, viewer) -> tuple[bytes, str]:
    """The uploaded file for `viewer`, and its download name: as uploaded where `viewer` may read every personal number
    in it, else a copy with those masked — a CSV as CSV (UTF-8), any workbook as .xlsx holding the imported sheet
    only — named 「…_已脱敏」. PermissionDenied if the file cannot be read as a table (its personal numbers cannot be
    found to mask) and `viewer` may not read every record's numbers; TableReadError if it cannot be unsealed."""
    from .services import stored_file

    definition = definition_class(job.kind)
    data = stored_file(job)
    if not definition.personal_fields():
        return data, job.filename
    try:
        copy = source_copy(job, viewer=viewer, data=data)
    except TableReadError:  # its personal numbers cannot be found: whole, to those who may read every record's
        if viewer is None or is_city_wide(viewer, definition.model, "unmask"):
            if viewer is not None:
                where = _("导入记录 #%(pk)d「%(file)s」的原文件") % {"pk": job.pk, "file": job.filename}
                record_unmask(definition.model, fields=definition.personal_fields(), where=where)
            return data, job.filename
        raise PermissionDeniedWithReason(
            _("这个文件无法读取为表格，其中的个人信息无法脱敏：只有可查看全部完整号码的用户可以下载原文件。")
        ) from None
    if not copy.masked:
        _record_full_read(job, copy, viewer, copy.full, _("原文件"))
        return data, job.filename
    table = copy.table
    stem = job.filename.rsplit(".", 1)[0]
    if table.file_format == "csv":
        data, extension = write_csv(table.headers, table.rows), "csv"
    else:
        sheet = Sheet(name=table.sheet_name or kind_label(job.kind), headers=table.headers, rows=table.rows)
        data, extension = write_xlsx([sheet]), "xlsx"
    _record_full_read(job, copy, viewer, copy.full, _("原文件"))
    return data, _("%(name)s_已脱敏.%(extension)s") % {"name": stem, "extension": extension}


def rejected_rows_xlsx(job: ImportJob, *, viewer) -> bytes:
    """The rejected rows as they were in the file (personal cells as `viewer` may read them), with an error column in
    front of the original columns."""
    from .services import import_outcomes

    reasons = {
        number: reasons for number, outcome, reasons, _pk in import_outcomes(job) if outcome == RowOutcome.REJECTED
    }
    copy = source_copy(job, viewer=viewer)
    table = copy.table
    rows = [
        [_("第%(row)d行：%(reasons)s") % {"row": number, "reasons": "；".join(reasons[number])}, *cells]
        for number, cells in zip(table.row_numbers, table.rows, strict=True)
        if number in reasons
    ]
    _record_full_read(job, copy, viewer, set(reasons), _("被拒绝的行"))
    return write_xlsx([Sheet(name=_("被拒绝的行"), headers=[_("错误原因"), *table.headers], rows=rows)])


def result_xlsx(job: ImportJob, *, viewer) -> bytes:
    """Every row of the file (personal cells as `viewer` may read them) with its outcome, the reasons or notes and the
    record it created, updated or matched."""
    from .services import import_outcomes

    outcomes = {number: (outcome, reasons, pk) for number, outcome, reasons, pk in import_outcomes(job)}
    copy = source_copy(job, viewer=viewer)
    table = copy.table
    labels = dict(RowOutcome.choices)
    rows = []
    for number, cells in zip(table.row_numbers, table.rows, strict=True):
        outcome, reasons, pk = outcomes.get(number, ("", [], None))
        rows.append([number, str(labels.get(outcome, "")), "；".join(reasons), pk, *cells])
    headers = [_("行号"), _("结果"), _("原因或说明"), _("记录编号"), *table.headers]
    _record_full_read(job, copy, viewer, set(table.row_numbers), _("逐行结果"))
    return write_xlsx([Sheet(name=_("逐行结果"), headers=headers, rows=rows)])
