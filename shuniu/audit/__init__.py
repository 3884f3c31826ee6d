"""The audit log: who changed what, when, in which request, before and after.

    from shuniu import audit

    audit.record(obj, OrganizationAuditAction.MERGE, related=…, message=…)   # a domain action its module declares
    with audit.context(user=job.user, message=…): …              # a job's or a command's changes
    with audit.disabled(): …                                      # the demo builder and data migrations only

Row changes of every audited model are recorded without any call (`audit.signals`); writers that bypass signals
(COPY, bulk_create, QuerySet.update) record with `record_rows` / `update_recorded`.
"""

from .choices import AuditAction
from .context import SYSTEM_NAME, context, disabled
from .values import RowChange


def record(target, action, **kwargs):
    from .services import record as _record

    return _record(target, action, **kwargs)


def record_rows(model, changes):
    from .services import record_rows as _record_rows

    return _record_rows(model, changes)


def update_recorded(queryset, **values):
    from .services import update_recorded as _update_recorded

    return _update_recorded(queryset, **values)


__all__ = ["SYSTEM_NAME", "AuditAction", "RowChange", "context", "disabled", "record", "record_rows", "update_recorded"]
