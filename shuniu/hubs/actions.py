"""The state changes of hub work, each declared once (`shuniu.core.actions`): its page, button, API endpoint and test
come from here."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shuniu.core.actions import Action, register

from . import services
from .choices import HubAuditAction
from .forms import HubRevokeForm, LinkEndForm
from .models import Hub, Link

LINK_END = register(
    Action(
        name="end",
        model=Link,
        service=services.link_end,
        form=LinkEndForm,
        permission="hubs.end_link",
        label=_("结束联系"),
        help_text=_("结束联系关系：`end_date` 为最后有效的一天；记录保留在时间线中，原因写入备注。"),
        audit_action=HubAuditAction.LINK_ENDED,
        available=lambda link, user: link.end_date is None,
        path="links/<int:pk>/end/",
        template="hubs/link_end.html",
        initial=lambda link: {"end_date": timezone.localdate()},
        success_message=_("联系关系已结束，记录保留在时间线中。"),
        success_url=lambda link: link.organization.get_absolute_url(),
        example="shuniu.hubs.tests.actions.link_end_example",
    )
)

HUB_REVOKE = register(
    Action(
        name="revoke",
        model=Hub,
        service=services.hub_revoke,
        form=HubRevokeForm,
        permission="hubs.change_hub",
        label=_("撤销认定"),
        help_text=_("撤销枢纽认定：`recognized_until` 为认定有效的最后一天（撤销之日的前一天）；记录和联系关系保留。"),
        audit_action=HubAuditAction.HUB_REVOKED,
        available=lambda hub, user: hub.recognized_until is None,
        path="<int:pk>/revoke/",
        placement=("page",),
        button_class="btn-outline-danger",
        success_message=_("已撤销认定：%(object)s"),
        example="shuniu.hubs.tests.actions.hub_revoke_example",
    )
)
