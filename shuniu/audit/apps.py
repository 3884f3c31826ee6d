from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "shuniu.audit"
    verbose_name = "审计"

    def ready(self):
        from . import (
            retention,  # noqa: F401  (registers the check of SHUNIU_AUDIT_RETENTION_DAYS)
            signals,
        )

        signals.connect()

        from shuniu.core import journal

        from .services import record, record_bulk_write

        journal.connect_writer(record)  # the platform's own events (exports, unmasked reads, backups)
        journal.connect_rows_writer(record_bulk_write)  # the rows an import writes in bulk
