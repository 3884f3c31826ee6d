"""User-facing refusals of the hub services; tests assert against these constants."""

from django.utils.translation import gettext_lazy as _

LINK_ALREADY_ENDED = _("该联系关系已于 %(end_date)s 结束。")
LINK_END_BEFORE_START = _("结束日期 %(end_date)s 早于开始日期 %(start_date)s。")
LINK_OVERLAP = _("「%(organization)s」与「%(hub)s」已有时间重叠的「%(role)s」关系（%(period)s）。")
LINK_SECOND_MANAGER = _("「%(organization)s」在 %(period)s 已由「%(hub)s」管理；一个组织同一天只能有一个管理枢纽。")
LINK_HUB_NOT_RECOGNIZED = _(
    "「%(hub)s」在 %(day)s 未处于认定有效期（认定 %(recognized_on)s%(revoked)s），不能从这天起建立联系。"
)
LINK_SELF = _("枢纽不能与自身建立联系。")
LINK_ORGANIZATION_DISSOLVED = _("「%(organization)s」已于 %(dissolved_on)s 注销或撤销，不能在此之后建立联系。")
