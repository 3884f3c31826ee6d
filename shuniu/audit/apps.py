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
