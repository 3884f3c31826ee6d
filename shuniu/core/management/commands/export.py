"""`shuniu export`: a list or the coverage tables to .xlsx or .csv, by the same code as the pages' export links.

What can be exported is what the modules declare (`Module.exports`: key → a function of an `ExportRequest`): a list
page's export (`core.exports.ListExport`) or a module's own (the coverage tables).

Scope: without --user the command runs as a superuser would (every record, no scope), as befits whoever runs
commands on the server; with --user USERNAME it exports what that user's pages would export.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from shuniu.core import journal
from shuniu.core.dates import as_of_argument
from shuniu.core.exporting import ExportArgumentError, ExportRequest
from shuniu.core.exports import EXPORT_FORMATS
from shuniu.core.modules import collected


def declared_exports() -> dict:
    """Export key → the function that makes it, from every module's declaration."""
    found = {}
    for _module, exports in collected("exports"):
        for key, function in exports.items():
            found[key] = import_string(function) if isinstance(function, str) else function
    return found


def command_line_user():
    """An unsaved superuser: sees every record. Stands for the operator of the server."""
    return get_user_model()(username="command-line", is_superuser=True, is_staff=True, is_active=True)


class Command(BaseCommand):
    help = (
        "Export a list (organizations, uncovered, hubs, links, …) with filters and columns, or the coverage tables, "
        "to .xlsx or .csv. Without --user every record is exported (no scope)."
    )

    def add_arguments(self, parser):
        parser.add_argument("what", choices=sorted(declared_exports()))
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
            "--as-of",
            dest="as_of",
            type=as_of_argument,
            default=None,
            help="YYYY-MM-DD: coverage date, or the uncovered list's date",
        )
        parser.add_argument(
            "--by", default="", help="coverage: one dimension, or all the dashboard's tables (default: all)"
        )
        parser.add_argument("--user", default=None, help="export what this user may see (default: everything)")

    def handle(self, *args, what, export_format, output, filters, columns, as_of, by, user, **options):
        user = self.get_user(user)
        request = ExportRequest(
            user=user, export_format=export_format, filters=tuple(filters), columns=columns, day=as_of, by=by
        )
        with journal.context(user=user, message=f"shuniu export {what}"):
            try:
                export = declared_exports()[what](request)
            except ExportArgumentError as error:
                raise CommandError(str(error)) from error
            except ValidationError as error:
                raise CommandError(_("筛选条件有误：%(errors)s") % {"errors": "；".join(error.messages)}) from error
            except PermissionDenied as error:
                raise CommandError(str(error)) from error
        path = Path(output) if output else Path(export.filename)
        path.write_bytes(export.content)
        self.stdout.write(_("已导出：%(path)s") % {"path": path})

    def get_user(self, username):
        if not username:
            return command_line_user()
        try:
            return get_user_model().objects.get_by_natural_key(username)
        except get_user_model().DoesNotExist as error:
            raise CommandError(_("没有用户「%(username)s」。") % {"username": username}) from error
