"""`flush` that respects the audit log: Django's flush empties every table, and the audit table's triggers refuse
that (TRUNCATE on PostgreSQL, DELETE on SQLite), so outside the tests it stops with a message before touching
anything. The test framework flushes the database after each transactional test; there, and only where the settings
say `SHUNIU_AUDIT_FLUSH_ALLOWED = True` (the test settings), the flush runs with the audit table's triggers suspended
for its transaction (`audit.protection.suspended`, which needs the database's owner).
"""

from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands import flush
from django.db import connections
from django.utils.translation import gettext as _

from shuniu.audit import protection


class Command(flush.Command):
    help = "清空数据库（仅用于测试）：审计日志受保护，除测试设置外拒绝执行。"

    def handle(self, **options):
        if not getattr(settings, "SHUNIU_AUDIT_FLUSH_ALLOWED", False):
            raise CommandError(
                _(
                    "审计日志受保护，flush 不能清空它，未做任何更改。"
                    "早于保留期的审计记录用 shuniu audit archive --purge 归档后删除。"
                )
            )
        with protection.suspended(connections[options["database"]]):
            super().handle(**options)
