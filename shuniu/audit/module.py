"""The audit log's pages, declared to the platform (`shuniu.core.modules`). Who reads it is the audit
administrator's role (accounts' data)."""

from django.utils.translation import gettext_lazy as _

from shuniu.core.modules import MenuItem, Module, register


def _can_search(user) -> bool:
    from .templatetags.audit import can_search_audit

    return can_search_audit(user)


module = register(
    Module(
        app_label="audit",
        urls="shuniu.audit.urls",
        menu=(MenuItem(_("审计日志"), "audit:objectchange_list", visible=_can_search, order=90, testid="audit-nav"),),
        access_cases="shuniu.audit.tests.access",
    )
)
