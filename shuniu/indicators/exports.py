"""Coverage tables to .xlsx: sheet 1 the figures, sheet 2 what each one counts, its date, numerator and denominator.

The figures are the ones the page shows (the caller passes them); nothing is counted again here.
"""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from shuniu import audit
from shuniu.core.access import user_can
from shuniu.core.errors import PermissionDeniedWithReason
from shuniu.core.exports import ExportFile, export_filename
from shuniu.core.tabular.writers import Sheet, write_csv, write_xlsx
from shuniu.organizations.models import Organization

from . import registry, selectors
from .figures import Figure

PERCENT_FORMAT = "0.00%"
#: what `shuniu export coverage --by` takes: the dashboard's tables, or one dimension's page
COVERAGE_BY = ("all", *selectors.DIMENSIONS)


@dataclass
class FigureTable:
    """The figures of one dimension, e.g. ("district", [朝阳区, 海淀区, …])."""

    dimension: str
    figures: list[Figure]


def dimension_label(dimension: str, indicator=None) -> str:
    if dimension == "total":
        return _("全市")
    return str((indicator or registry.indicator()).dimension(dimension).label)


def dashboard_tables(overview: dict) -> list[FigureTable]:
    """The dashboard's tables from `selectors.coverage_overview()`, as the dashboard shows them."""
    return [
        FigureTable("total", [overview["total"]]),
        FigureTable("district", overview["districts"]),
        FigureTable("system", [figure for figure in overview["systems"] if figure.numerator]),
        FigureTable("level", overview["levels"]),
        FigureTable("kind", overview["kinds"]),
        FigureTable("field", overview["fields"]),
    ]


def definition(dimension: str, label: str, indicator=None) -> tuple[str, str]:
    """(what the numerator counts, what the denominator counts) for a figure of `dimension` labelled `label`, from the
    indicator's declaration (`core.indicators.Indicator`)."""
    indicator = indicator or registry.indicator()
    declared = indicator.dimension_map.get(dimension)
    if declared is None or declared.shares_denominator:  # the whole population: the city, a level or a system
        counted = str(indicator.scope_text)
    else:
        counted = str(indicator.scoped_text) % {"scope": str(declared.text) % {"label": label}}
    if declared is not None and declared.shares_denominator:
        relation = str(declared.text) % {"label": label}
    else:
        relation = str(indicator.relation_text)
    numerator = str(indicator.numerator) % {"counted": counted, "relation": relation}
    denominator = str(indicator.denominator) % {"counted": counted}
    if declared is not None:
        numerator += str(declared.note_numerator)
        denominator += str(declared.note_denominator)
    return numerator, denominator


def _figure_rows(tables: list[FigureTable], percent_as_fraction: bool):
    for table in tables:
        label = dimension_label(table.dimension)
        for figure in table.figures:
            rate = figure.rate
            if rate is not None and percent_as_fraction:
                rate = float(rate / 100)
            yield [label, figure.label, figure.numerator, figure.denominator, rate, figure.gap]


def _definition_rows(tables: list[FigureTable], day: date, user, generated_at):
    for table in tables:
        label = dimension_label(table.dimension)
        for figure in table.figures:
            numerator_text, denominator_text = definition(table.dimension, figure.label)
            yield [
                label,
                figure.label,
                figure.day,
                figure.numerator,
                numerator_text,
                figure.denominator,
                denominator_text,
            ]
    yield []
    yield [_("统计日期"), day]
    yield [_("生成时间"), generated_at.replace(microsecond=0)]
    if user is not None and user.pk is not None:
        yield [_("生成人"), user.get_username()]
        yield [_("统计范围"), _("生成人有权查看的社会组织")]
    else:
        yield [_("生成人"), _("命令行")]
        yield [_("统计范围"), _("全部社会组织（命令行导出，不限权限范围）")]
    yield [_("口径"), str(registry.indicator().definition)]


def coverage_export(
    *, title: str, tables: list[FigureTable], day: date, user, export_format: str = "xlsx", generated_at=None
) -> ExportFile:
    """.xlsx: sheet 「覆盖率」 one row per figure, sheet 「指标说明」 each figure's definition, date, numerator
    and denominator, then the generation time and user. .csv: the first sheet only, the rate in per cent."""
    generated_at = generated_at or timezone.now()
    numbers = [_("维度"), _("项目"), _("覆盖数"), _("应覆盖数")]
    if export_format == "xlsx":
        sheets = [
            Sheet(
                name=_("覆盖率"),
                headers=[*numbers, _("覆盖率"), _("未覆盖数")],
                rows=_figure_rows(tables, percent_as_fraction=True),
                number_formats={4: PERCENT_FORMAT},
            ),
            Sheet(
                name=_("指标说明"),
                headers=[_("维度"), _("项目"), _("统计日期"), _("分子"), _("分子口径"), _("分母"), _("分母口径")],
                rows=_definition_rows(tables, day, user, generated_at),
                column_widths=[14, 24, 20, 10, 60, 10, 50],
            ),
        ]
        content = write_xlsx(sheets)
    elif export_format == "csv":
        content = write_csv(
            [*numbers, _("覆盖率（%）"), _("未覆盖数")], _figure_rows(tables, percent_as_fraction=False)
        )
    else:
        raise ValueError(f"Unknown export format {export_format!r}")
    filename = export_filename(f"{_('覆盖率')}_{title}", export_format, day=day)
    audit.record(
        Organization,
        audit.AuditAction.EXPORT,
        after={
            "file": filename,
            "format": export_format,
            "day": day,
            "dimensions": [table.dimension for table in tables],
            "rows": sum(len(table.figures) for table in tables),
        },
        message=filename,
    )
    return ExportFile(filename=filename, content=content, ascii_filename=f"coverage_{day:%Y%m%d}")


def dashboard_export(*, overview: dict, day: date, user, export_format: str = "xlsx") -> ExportFile:
    """The dashboard's tables, from the figures the dashboard shows."""
    return coverage_export(
        title=_("驾驶舱"), tables=dashboard_tables(overview), day=day, user=user, export_format=export_format
    )


def dimension_export(*, dimension: str, figures: list[Figure], day: date, user, export_format="xlsx") -> ExportFile:
    """One dimension's coverage page, from the figures the page shows."""
    return coverage_export(
        title=dimension_label(dimension),
        tables=[FigureTable(dimension, figures)],
        day=day,
        user=user,
        export_format=export_format,
    )


def coverage_tables_export(*, by: str, day: date, user, export_format: str = "xlsx") -> ExportFile:
    """For the command line: the dashboard's export (`by="all"`) or one dimension page's, counted as they count."""
    if not user_can(user, Organization, "view"):
        raise PermissionDeniedWithReason(_("您没有查看社会组织数据的权限。"))
    if by == "all":
        overview = selectors.coverage_overview(day=day, user=user)
        return dashboard_export(overview=overview, day=day, user=user, export_format=export_format)
    figures = selectors.coverage_by(dimension=by, day=day, user=user)
    return dimension_export(dimension=by, figures=figures, day=day, user=user, export_format=export_format)


def coverage_command_export(request) -> ExportFile:
    """`shuniu export coverage` (declared in `module.py`): the dashboard's tables, or one dimension's (`--by`), on the
    `--as-of` date (default today)."""
    from shuniu.core.exporting import ExportArgumentError

    by = request.by or "all"
    if by not in COVERAGE_BY:
        raise ExportArgumentError(
            _("没有维度「%(by)s」。可用的有：%(known)s。") % {"by": by, "known": "、".join(COVERAGE_BY)}
        )
    if request.filters or request.columns:
        raise ExportArgumentError(_("覆盖率统计表不接受 --filter 和 --columns。"))
    day = request.day or timezone.localdate()
    return coverage_tables_export(by=by, day=day, user=request.user, export_format=request.export_format)
