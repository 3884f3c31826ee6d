"""Who is acting, in which request, and why: the context every recorded change reads. Defined in core
(`core.journal`), which names the acting user for the access checks too; the audit log reads it here."""

from shuniu.core.journal import (  # noqa: F401
    SYSTEM_NAME,
    AuditContext,
    context,
    current,
    disabled,
    request_context,
)
