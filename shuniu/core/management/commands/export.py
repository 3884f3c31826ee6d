"""`shuniu export`: a list or the coverage tables to .xlsx or .csv, by the same code as the pages' export links.

Scope: without --user the command runs as a superuser would (every record, no scope), as befits whoever runs
commands on the server; with --user USERNAME it exports what that user's pages would export.
"""

from datetime import date
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict
from django.urls import resolve, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shuniu import audit
from shuniu.core.exports import EXPORT_FORMATS
from shuniu.core.views import list_export
from shuniu.indicators.exports import COVERAGE_BY, coverage_tables_export

#: list name -> the URL name of its page; the page's view class is the list's one definition
LISTS = {
    "organizations": "organizations:organization_list",
    "uncovered": "organizations:organization_uncovered",
    "hubs": "hubs:hub_list",
    "links": "hubs:link_list",
}


def command_line_user():
    """An unsaved superuser: sees every record. Stands for the operator of the server."""
    return get_user_model()(username="command-line", is_superuser=True, is_staff=True, is_active=True)


class Command(BaseCommand):
    help = (
        "Export a list (organizations, uncovered, hubs, links) with filters and columns, or the coverage tables, "
        "to .xlsx or .csv. Without --user every record is exported (no scope)."
    )

    def add_arguments(self, parser):
        parser.add_argument("what", choices=(*LISTS, "coverage"))
        parser.add_argument("--format", dest="export_format", default="xlsx", choices=EXPORT_FORMATS)
        parser.add_argument("--output", "-o", default=None, help="file path (default: the page's file name, here)")
        parser.add_argument(
            "--filter",
            dest="filters",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="a filter of the list page, e.g. kind=foundation; repeat for more",
        )
        parser.add_argument("--columns", default="", help="columns to export, comma-separated (default: all)")
        parser.add_argument(
            "--as-of", dest="as_of", default=None, help="YYYY-MM-DD: coverage date, or the uncovered list's date"
        )
        parser.add_argument(
            "--by",
            default="all",
            choices=COVERAGE_BY,
            help="coverage: one dimension, or all the dashboard's tables (default)",
        )
        parser.add_argument("--user", default=None, help="export what this user may see (default: everything)")

    def handle(self, *args, what, export_format, output, filters, columns, as_of, by, user, **options):
        user = self.get_user(user)
        day = self.parse_day(as_of)
        with audit.context(user=user, message=f"shuniu export {what}"):
            export = self.export(what, export_format, filters, columns, day, by, user)
        path = Path(output) if output else Path(export.filename)
        path.write_bytes(export.content)
        self.stdout.write(_("已导出：%(path)s") % {"path": path})

    def export(self, what, export_format, filters, columns, day, by, user):
        try:
            if what == "coverage":
                export = coverage_tables_export(
                    by=by, day=day or timezone.localdate(), user=user, export_format=export_format
                )
            else:
                view_class = resolve(reverse(LISTS[what])).func.view_class
                params = self.params(filters, columns, view_class.filterset.base_filters)
                if day is not None:
                    if what != "uncovered":
                        raise CommandError(_("--as-of 只用于 coverage 和 uncovered。"))
                    params["uncovered_on"] = day.isoformat()
                export = list_export(view_class, user=user, params=params, export_format=export_format)
        except ValidationError as error:
            raise CommandError(_("筛选条件有误：%(errors)s") % {"errors": "；".join(error.messages)}) from error
        except PermissionDenied as error:
            raise CommandError(str(error)) from error
        return export

    def get_user(self, username):
        if not username:
            return command_line_user()
        try:
            return get_user_model().objects.get_by_natural_key(username)
        except get_user_model().DoesNotExist as error:
            raise CommandError(_("没有用户「%(username)s」。") % {"username": username}) from error

    def parse_day(self, value) -> date | None:
        if not value:
            return None
        try:
            day = date.fromisoformat(value)
        except ValueError as error:
            raise CommandError(
                _("日期「%(value)s」无法识别，请使用 年-月-日 格式，例如 2015-06-30。") % {"value": value}
            ) from error
        if day > timezone.localdate():
            raise CommandError(_("日期 %(value)s 晚于今天。") % {"value": value})
        return day

    def params(self, filters: list[str], columns: str, known: dict) -> QueryDict:
        """The list page's query: its filters (names checked: the page ignores unknown ones) and columns."""
        params = QueryDict(mutable=True)
        for item in filters:
            key, sep, value = item.partition("=")
            key = key.strip()
            if not sep or not key:
                raise CommandError(_("筛选条件「%(item)s」应写作 键=值，例如 kind=foundation。") % {"item": item})
            if key not in known and key != "sort":
                raise CommandError(
                    _("没有筛选条件「%(key)s」。可用的有：%(known)s。")
                    % {"key": key, "known": "、".join([*known, "sort"])}
                )
            params.appendlist(key, value.strip())
        if columns:
            params.setlist("columns", [name.strip() for name in columns.split(",") if name.strip()])
        return params
