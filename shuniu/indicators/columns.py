"""The columns indicators add to other apps' lists (declared in `module.py` as `ListColumns`): the districts' list
shows each district's coverage today and its organizations per 10,000 residents."""

from django.utils import timezone
from django.utils.translation import gettext as _

from shuniu.core.modules import ColumnSet

from .figures import ratio
from .selectors import coverage_by_district


def area_list_coverage(areas, user) -> ColumnSet:
    """Coverage today of each district in `areas` (their populations prefetched), in the user's scope: a district
    outside it shows no figure."""
    today = timezone.localdate()
    figures = {figure.key: figure for figure in coverage_by_district(day=today, user=user)}
    cells = {}
    for area in areas:
        population = max(area.populations.all(), key=lambda p: p.year, default=None)
        figure = figures.get(area.code)
        per_10k = ratio(figure.denominator * 10000, population.resident, "0.1") if population and figure else None
        cells[area.pk] = {"figure": figure, "per_10k": per_10k}

    def headers(export_format: str) -> list:
        rate = _("覆盖率") if export_format == "xlsx" else _("覆盖率（%）")
        return [_("已覆盖"), _("社会组织数"), rate, _("未覆盖"), _("每万人社会组织")]

    def values(area, export_format: str) -> list:
        figure, per_10k = cells[area.pk]["figure"], cells[area.pk]["per_10k"]
        if figure is None:  # a district outside the user's scope
            return [None] * 4 + [per_10k]
        rate = figure.rate / 100 if export_format == "xlsx" and figure.rate is not None else figure.rate
        return [figure.numerator, figure.denominator, rate, figure.gap, per_10k]

    return ColumnSet(
        head_template="indicators/columns/area_head.html",
        cell_template="indicators/columns/area_cells.html",
        cells=cells,
        export_headers=headers,
        export_values=values,
        number_formats=lambda export_format: {2: "0.00%"} if export_format == "xlsx" else {},
        note=_("覆盖数据截至 %(day)s。") % {"day": today.isoformat()},
    )
