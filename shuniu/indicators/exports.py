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

from . import selectors
from .figures import Figure

PERCENT_FORMAT = "0.00%"
#: what `shuniu export coverage --by` takes: the dashboard's tables, or one dimension's page
COVERAGE_BY = ("all", "district", "street", "kind", "field", "level", "system")


@dataclass
class FigureTable:
    """The figures of one dimension, e.g. ("district", [朝阳区, 海淀区, …])."""

    dimension: str
    figures: list[Figure]


def dimension_label(dimension: str) -> str:
    from .views import DIMENSION_LABELS

    return _("全市") if dimension == "total" else _(DIMENSION_LABELS[dimension])


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


def definition(dimension: str, label: str) -> tuple[str, str]:
    """(what the numerator counts, what the denominator counts) for a figure of `dimension` labelled `label`."""
    scope = {
        "district": _("所属区为%(label)s"),
        "street": _("所属街道/乡镇为%(label)s"),
        "kind": _("类型为%(label)s"),
        "field": _("领域包括%(label)s"),
    }.get(dimension)
    if scope is None:  # the city, or a level or system of hubs: every counted organization
        counted = _("统计日期存续的社会组织（不含人民团体、群团组织本身）")
    else:
        counted = _("统计日期存续、%(scope)s的社会组织（不含人民团体、群团组织本身）") % {
            "scope": scope % {"label": label}
        }
    hubs = {
        "level": _("%(label)s枢纽型社会组织"),
        "system": _("%(label)s条线的枢纽型社会组织"),
    }.get(dimension, _("枢纽型社会组织")) % {"label": label}
    numerator = _("%(counted)s中，当日与处于认定有效期的%(hubs)s存在有效联系关系的组织数") % {
        "counted": counted,
        "hubs": hubs,
    }
    denominator = _("%(counted)s数") % {"counted": counted}
    if dimension in ("level", "system"):
        numerator += _("（一个组织可同时被多个条线或层级覆盖）")
        denominator += _("（与全市覆盖率的分母相同）")
    elif dimension == "field":
        numerator += _("（一个组织可属多个领域，在每个所属领域中各计一次）")
        denominator += _("（一个组织可属多个领域，在每个所属领域中各计一次）")
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
    yield [
        _("口径"),
        _(
            "在统计日期存续的社会组织（不含人民团体、群团组织本身）中，与当日处于认定有效期的枢纽型社会组织"
            "存在有效联系关系的比例。覆盖率 = 覆盖数 ÷ 应覆盖数，四舍五入到 0.01%；未覆盖数 = 应覆盖数 − 覆盖数。"
        ),
    ]


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
