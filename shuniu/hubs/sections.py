"""The blocks hubs add to an organization's page (declared in `module.py` as `Section`s): its links to hubs and its
own recognitions as a hub, each limited to what the user may see."""

from django.utils import timezone

from shuniu.core.access import user_can, visible_ids
from shuniu.core.actions import bind_actions

from .models import Hub, Link
from .selectors import organizations_covered_on


def organization_links(organization, user) -> dict:
    """The organization's links in the user's scope (hub staff see their own hub's links, not the others'), newest
    first, each with the buttons the user may use on it; whether a hub covers it today."""
    today = timezone.localdate()
    links = list(
        organization.links.restrict(user)
        .select_related("hub__organization", "hub__system")
        .order_by("-start_date", "-pk")
    )
    bind_actions(user, links)  # each link's declared actions the user may perform (结束联系)
    changeable = visible_ids(user, Link, [link.pk for link in links], "change")
    for link in links:
        link.valid_today = link.is_on(today)
        link.can_change = link.pk in changeable
    return {
        "links": links,
        "today": today,
        "covered_today": organizations_covered_on(day=today).filter(pk=organization.pk).exists(),
        "can_link": user_can(user, Link, "add"),
    }


def organization_recognitions(organization, user) -> dict | None:
    """The organization's recognitions as a hub in the user's scope, and the button to recognise it (no block when
    there is neither)."""
    recognitions = list(organization.recognitions.restrict(user).select_related("system", "area"))
    can_recognize = user_can(user, Hub, "add")
    if not recognitions and not can_recognize:
        return None
    return {"recognitions": recognitions, "can_recognize": can_recognize}
