"""shuniu audit archive --before YYYY-MM-DD [--output FILE] [--previous FILE] [--purge]
    export the audit rows older than the day to a hash-chained JSON Lines file (`audit.archive`); with --purge
    delete them from the database in the same transaction (run as the database's owner: the application's role
    may not delete). The day must lie at least SHUNIU_AUDIT_RETENTION_DAYS (180) in the past.
shuniu audit verify FILE [--previous FILE]
    recompute the file's chain: OK with the row count, or the first broken line and exit status 1
shuniu audit db_roles [--app-role shuniu_app]
    PostgreSQL: create or update the application's role (its password from $SHUNIU_APP_DB_PASSWORD, never an option
    that other users of the machine could read in the process list) with
    only SELECT and INSERT on the audit log (`audit.roles`); run as the owner after each migrate
"""

import os
from datetime import date
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from shuniu.audit.archive import ArchiveError, archive_create, archive_verify
from shuniu.audit.roles import RoleError, application_role_grant


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(_("日期「%(text)s」无效，应为 YYYY-MM-DD，例如 2025-01-01。") % {"text": text}) from None


class Command(BaseCommand):
    help = "审计日志：归档（可删除已归档的记录）、校验归档文件、设置 PostgreSQL 的应用角色。"

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="command", required=True)
        archive = commands.add_parser("archive", help="将早于某日的审计记录导出到带哈希链的文件")
        archive.add_argument("--before", required=True, help="YYYY-MM-DD：导出此日之前的记录")
        archive.add_argument("--output", "-o", default=None, help="文件（默认 audit-archive-before-日期.jsonl）")
        archive.add_argument("--previous", default=None, help="上一个归档文件：哈希链从它的末行接续")
        archive.add_argument("--purge", action="store_true", help="写入文件后从数据库删除这些记录")
        verify = commands.add_parser("verify", help="校验归档文件的哈希链")
        verify.add_argument("file")
        verify.add_argument("--previous", default=None, help="上一个归档文件：核对本文件是否接续它")
        roles = commands.add_parser("db_roles", help="PostgreSQL：创建或更新应用角色并设置其权限")
        roles.add_argument("--app-role", dest="app_role", default="shuniu_app", help="应用角色名（默认 shuniu_app）")

    def handle(self, *args, command, **options):
        try:
            getattr(self, f"do_{command}")(**options)
        except (ArchiveError, RoleError, ImproperlyConfigured) as error:
            raise CommandError(str(error)) from error

    def do_archive(self, *, before, output, previous, purge, **options):
        day = _day(before)
        path = Path(output or f"audit-archive-before-{day.isoformat()}.jsonl")
        archive = archive_create(before=day, path=path, previous=Path(previous) if previous else None, purge=purge)
        if archive is None:
            self.stdout.write(_("没有早于 %(day)s 的审计记录，未生成归档。") % {"day": day.isoformat()})
            return
        self.stdout.write(
            _("已归档 %(rows)s 条审计记录到 %(path)s，从数据库删除 %(purged)s 条。")
            % {
                "rows": archive.rows,
                "path": archive.path,
                "purged": archive.purged,
            }
        )
        self.stdout.write(
            _("文件 SHA-256：%(sha)s；末行哈希：%(last)s") % {"sha": archive.file_sha256, "last": archive.last_hash}
        )

    def do_verify(self, *, file, previous, **options):
        verified = archive_verify(Path(file), previous=Path(previous) if previous else None)
        self.stdout.write(
            _("OK：%(rows)s 条记录，哈希链完整（早于 %(before)s）；末行哈希 %(last)s")
            % {
                "rows": verified.rows,
                "before": verified.header.get("before"),
                "last": verified.last_hash,
            }
        )
        if verified.event is not None:
            self.stdout.write(_("与审计日志中的归档记录一致。"))

    def do_db_roles(self, *, app_role, **options):
        password = os.environ.get("SHUNIU_APP_DB_PASSWORD", "")
        setup = application_role_grant(role=app_role, password=password)
        self.stdout.write(
            _(
                "%(action)s应用角色 %(role)s：模式 %(schema)s 的 %(tables)s 张表可读写，审计表只可查询和新增；"
                "所有者 %(owner)s 以后新建的表同样授权。每次 migrate 之后请再运行本命令。"
            )
            % {
                "action": _("已创建") if setup.created else _("已更新"),
                "role": setup.role,
                "schema": setup.schema,
                "tables": setup.tables,
                "owner": setup.owner,
            }
        )
