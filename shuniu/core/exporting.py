"""What the `export` command runs: a module declares its exports (`Module.exports`: key → a function of an
`ExportRequest` returning an `ExportFile`, or its dotted path), most of them a list page's export (`ListExport`)."""

from dataclasses import dataclass
from datetime import date

from .exports import ExportFile


class ExportArgumentError(ValueError):
    """An export was asked for with arguments it does not take (the command says so and exits non-zero)."""


@dataclass(frozen=True)
class ExportRequest:
    """What the `export` command asks of a declared export (`Module.exports`: key → a function(request) returning an
    `ExportFile`, or its dotted path): the user whose scope applies, the format, the list page's filters as
    `KEY=VALUE` strings and its columns, the as-of date, and a dimension for exports that have them."""

    user: object
    export_format: str = "xlsx"
    filters: tuple[str, ...] = ()
    columns: str = ""
    day: date | None = None
    by: str = ""


@dataclass(frozen=True)
class ListExport:
    """The export of a list page, by the page's own view (`url_name`): its filters, columns and scope. `as_of` names
    the page's date filter that `--as-of` sets (None: the list takes no date)."""

    url_name: str
    as_of: str | None = None

    def __call__(self, request: ExportRequest) -> ExportFile:
        from django.urls import resolve, reverse

        from .views import list_export  # the list page's own code

        view_class = resolve(reverse(self.url_name)).func.view_class
        params = self.params(request, view_class.filterset.base_filters)
        return list_export(view_class, user=request.user, params=params, export_format=request.export_format)

    def params(self, request: ExportRequest, known: dict):
        """The list page's query: its filters (names checked: the page ignores unknown ones), columns and date."""
        from django.http import QueryDict
        from django.utils.translation import gettext as _

        params = QueryDict(mutable=True)
        for item in request.filters:
            key, sep, value = item.partition("=")
            key = key.strip()
            if not sep or not key:
                raise ExportArgumentError(
                    _("筛选条件「%(item)s」应写作 键=值，例如 kind=foundation。") % {"item": item}
                )
            if key not in known and key != "sort":
                raise ExportArgumentError(
                    _("没有筛选条件「%(key)s」。可用的有：%(known)s。")
                    % {"key": key, "known": "、".join([*known, "sort"])}
                )
            params.appendlist(key, value.strip())
        if request.columns:
            params.setlist("columns", [name.strip() for name in request.columns.split(",") if name.strip()])
        if request.day is not None:
            if self.as_of is None:
                raise ExportArgumentError(_("--as-of 只用于按日期筛选的导出，此列表不按日期导出。"))
            params[self.as_of] = request.day.isoformat()
        if request.by:
            raise ExportArgumentError(_("--by 只用于分维度的统计导出，此列表没有维度。"))
        return params
