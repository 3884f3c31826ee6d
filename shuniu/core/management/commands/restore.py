"""`shuniu restore ARCHIVE`: restore a `shuniu backup` archive into an empty database, then compare the rows of every
table with the archive's manifest (see `shuniu.core.backup`). Exits non-zero when anything differs."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from shuniu.core.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Restore a `shuniu backup` archive into an empty database (default: the configured one), MEDIA_ROOT and the "
        "key file; check every hash first, compare the row counts of every table afterwards."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="the .tar file written by `shuniu backup`")
        parser.add_argument(
            "--database-url",
            dest="database_url",
            default=None,
            help="the database to restore into, e.g. postgres://user@host:5432/shuniu_restored (an empty one); "
            "default: DATABASE_URL",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="SQLite: replace a database file that is not empty; replace media files and a key file that differ "
            "(the key file is kept under another name)",
        )

    def handle(self, *args, archive, database_url, force, **options):
        try:
            restored = restore_backup(Path(archive), database_url=database_url, force=force, progress=self.stdout.write)
        except BackupError as error:
            raise CommandError(str(error)) from error
        except OSError as error:
            raise CommandError(_("恢复失败：%(error)s") % {"error": error}) from error

        self.stdout.write(
            _("已恢复备份（%(created)s）到 %(target)s；媒体文件写入 %(written)s 个，已有相同的 %(kept)s 个；%(key)s。")
            % {
                "created": restored.manifest["created_at"],
                "target": restored.target,
                "written": restored.media_written,
                "kept": restored.media_kept,
                "key": restored.key_file,
            }
        )
        width = max((len(table) for table, *counts in restored.comparison()), default=10)
        self.stdout.write(f"{_('表'):<{width}}  {_('备份时'):>10}  {_('恢复后'):>10}")
        for table, expected, found in restored.comparison():
            mark = "" if expected == found else "  ≠"
            self.stdout.write(f"{table:<{width}}  {_number(expected):>10}  {_number(found):>10}{mark}")
        for note in restored.notes:
            self.stdout.write(self.style.WARNING(note))
        differences = restored.differences
        if differences:
            raise CommandError(
                _("有 %(count)s 张表的行数与备份不同：%(tables)s。")
                % {"count": len(differences), "tables": "、".join(table for table, *counts in differences)}
            )
        self.stdout.write(
            self.style.SUCCESS(
                _("行数一致：%(tables)s 张表共 %(rows)s 行。")
                % {"tables": len(restored.counts), "rows": sum(restored.counts.values())}
            )
        )


def _number(count) -> str:
    return "—" if count is None else str(count)
