"""`shuniu backup`: one archive of the database, the uploaded files and the key file (see `shuniu.core.backup`).

The audit event (备份) is written after the archive is complete, so it is in the live database and not in the archive
it describes; it holds the archive's name and SHA-256, so an archive found later can be matched to its event.
"""

import getpass

from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from shuniu.core import journal
from shuniu.core.backup import VENDOR_NAMES, BackupError, create_backup


def operator() -> str:
    """The system account running the command: the audit log's user is 系统, this says who that was."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "?"


class Command(BaseCommand):
    help = (
        "Back up the database (PostgreSQL: pg_dump; SQLite: the online backup API), the media files and the "
        "personal-data key file into one archive (mode 0600), with a manifest of hashes and row counts."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            "-o",
            default=None,
            help="a directory (default var/backups/) or the archive's file name; "
            "the default name is shuniu-backup-YYYYMMDD-HHMMSS.tar",
        )

    def handle(self, *args, output, **options):
        try:
            backup = create_backup(output, progress=self.stdout.write)
        except BackupError as error:
            raise CommandError(str(error)) from error
        except OSError as error:
            raise CommandError(_("备份失败，未生成备份文件：%(error)s") % {"error": error}) from error
        manifest = backup.manifest
        summary = _("数据库 %(vendor)s，%(tables)s 张表共 %(rows)s 行；媒体文件 %(media)s 个；密钥文件：%(key)s") % {
            "vendor": VENDOR_NAMES.get(manifest["database"]["vendor"], manifest["database"]["vendor"]),
            "tables": len(manifest["tables"]),
            "rows": backup.rows,
            "media": backup.media_files,
            "key": _("有") if manifest["personal_data_key"]["key_file"] else _("无"),
        }
        with journal.context(user=None, message=f"shuniu backup（{_('操作系统用户')} {operator()}）"):
            journal.record(
                ContentType,
                journal.BACKUP,
                message=f"{backup.path.name}：{summary}",
                after={"file": backup.path.name, "file_sha256": backup.sha256, "rows": backup.rows},
            )
        self.stdout.write(self.style.SUCCESS(_("已备份到 %(path)s") % {"path": backup.path}))
        self.stdout.write(summary)
        self.stdout.write(f"SHA-256 {backup.sha256}")
