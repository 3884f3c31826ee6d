"""User-facing refusals of the hub services; tests assert against these constants.

A refusal names only what the acting user may see: an organization outside their scope is 「该组织」, and a managing
hub outside it is not named at all (`organization_text`, `second_manager`)."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shuniu.core.access import is_visible_to_actor

LINK_ALREADY_ENDED = _("该联系关系已于 %(end_date)s 结束。")
LINK_END_BEFORE_START = _("结束日期 %(end_date)s 早于开始日期 %(start_date)s。")
HUB_ALREADY_REVOKED = _("该枢纽的认定已截止于 %(recognized_until)s。")
HUB_REVOKED_BEFORE_RECOGNIZED = _("认定截止日期 %(recognized_until)s 早于认定日期 %(recognized_on)s。")
LINK_OVERLAP = _("「%(organization)s」与「%(hub)s」已有时间重叠的「%(role)s」关系（%(period)s）。")
LINK_SECOND_MANAGER = _("「%(organization)s」在 %(period)s 已由「%(hub)s」管理；一个组织同一天只能有一个管理枢纽。")
LINK_SECOND_MANAGER_OUTSIDE = _("%(organization)s已由您权限范围外的枢纽管理；一个组织同一天只能有一个管理枢纽。")
LINK_HUB_NOT_RECOGNIZED = _(
    "「%(hub)s」在 %(day)s 未处于认定有效期（认定 %(recognized_on)s%(until)s），不能从这天起建立联系。"
)
LINK_SELF = _("枢纽不能与自身建立联系。")
LINK_END_REASON_TOO_LONG = _(
    "结束原因过长：最多还能写%(room)d个字（实际%(length)d个）；原因记在备注中，备注连同原因不能超过%(limit)d个字。"
)
LINK_ORGANIZATION_DISSOLVED = _(
    "「%(organization)s」存续至 %(active_until)s（此后已注销或撤销），不能在此之后建立联系。"
)
#: the end of a hub's recognition in LINK_HUB_NOT_RECOGNIZED's %(until)s: ，至 2016-12-31
RECOGNIZED_UNTIL = _("，至 %(day)s")


def organization_text(organization, name: str | None = None) -> str:
    """The organization as a refusal names it: its name, or 「该组织」 when the acting user may not see it."""
    return (name or str(organization)) if is_visible_to_actor(organization) else gettext("该组织")


def second_manager(organization, hub, period: str, name: str | None = None) -> str:
    """The refusal of a second managing hub: naming the hub that manages the organization only when the acting user
    may see both (「该组织已由您权限范围外的枢纽管理」 otherwise)."""
    seen = is_visible_to_actor(organization)
    if seen and is_visible_to_actor(hub):
        return LINK_SECOND_MANAGER % {"organization": name or organization, "hub": hub, "period": period}
    shown = f"「{name or organization}」" if seen else gettext("该组织")
    return LINK_SECOND_MANAGER_OUTSIDE % {"organization": shown}
