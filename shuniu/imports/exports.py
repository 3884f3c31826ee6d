"""Files an import gives back: the template of a kind (from its one definition), the rejected rows with the reason
beside each (ready to correct and upload again), and every row with its outcome."""

from __future__ import annotations

from django.utils.translation import gettext as _

from shuniu.core.tabular import Sheet, read_table, write_xlsx
from shuniu.hubs.choices import HubLevel, LinkRole
from shuniu.hubs.models import System
from shuniu.organizations.choices import OrganizationKind, OrganizationStatus, RegistrationLevel
from shuniu.organizations.models import Field

from .choices import ImportKind, RowOutcome
from .definitions import DEFINITIONS
from .models import ImportJob


def _dropdowns() -> dict[str, list[str]]:
    return {
        "kind": [str(label) for label in OrganizationKind.labels],
        "registration_level": [str(label) for label in RegistrationLevel.labels],
        "status": [str(label) for label in OrganizationStatus.labels],
        "level": [str(label) for label in HubLevel.labels],
        "hub_level": [str(label) for label in HubLevel.labels],
        "role": [str(label) for label in LinkRole.labels],
        "system": list(System.objects.values_list("name", flat=True)),
        "hub_system": list(System.objects.values_list("name", flat=True)),
    }


def template_xlsx(kind: str) -> bytes:
    """An empty sheet with the kind's headers (drop-down lists where the values are fixed, a note on each header), and
    a second sheet explaining every column. Written from the import definition, so the two never disagree."""
    definition = DEFINITIONS[kind]
    dropdowns = _dropdowns()
    columns = definition.columns
    data = Sheet(
        name=str(ImportKind(kind).label),
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
        ],
        column_widths=[18, 6, 60, 28, 40],
    )
    return write_xlsx([data, guide])


def _source_table(job: ImportJob):
    with job.file.open("rb") as handle:
        data = handle.read()
    return read_table(data, job.filename, known_headers=DEFINITIONS[job.kind].known_headers())


def rejected_rows_xlsx(job: ImportJob) -> bytes:
    """The rejected rows as they were in the file, with an error column in front of the original columns."""
    from .services import import_outcomes

    reasons = {
        number: reasons for number, outcome, reasons, _pk in import_outcomes(job) if outcome == RowOutcome.REJECTED
    }
    table = _source_table(job)
    rows = [
        [_("第%(row)d行：%(reasons)s") % {"row": number, "reasons": "；".join(reasons[number])}, *cells]
        for number, cells in zip(table.row_numbers, table.rows, strict=True)
        if number in reasons
    ]
    return write_xlsx([Sheet(name=_("被拒绝的行"), headers=[_("错误原因"), *table.headers], rows=rows)])


def result_xlsx(job: ImportJob) -> bytes:
    """Every row of the file with its outcome, the reasons and the record it created, updated or matched."""
    from .services import import_outcomes

    outcomes = {number: (outcome, reasons, pk) for number, outcome, reasons, pk in import_outcomes(job)}
    table = _source_table(job)
    labels = dict(RowOutcome.choices)
    rows = []
    for number, cells in zip(table.row_numbers, table.rows, strict=True):
        outcome, reasons, pk = outcomes.get(number, ("", [], None))
        rows.append([number, str(labels.get(outcome, "")), "；".join(reasons), pk, *cells])
    headers = [_("行号"), _("结果"), _("原因"), _("记录编号"), *table.headers]
    return write_xlsx([Sheet(name=_("逐行结果"), headers=headers, rows=rows)])
