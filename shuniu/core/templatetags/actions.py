"""The buttons of declared actions (`core.actions`): `{% action_buttons object %}` on a record's page,
`{% action_buttons record row=True %}` on a row whose list called `bind_actions`."""

from django import template
from django.template.loader import render_to_string

from shuniu.core.actions import offered_actions

register = template.Library()


@register.simple_tag(takes_context=True)
def action_buttons(context, record, row: bool = False) -> str:
    """The buttons of the actions the user may perform on `record` (and that are available now)."""
    request = context.get("request")
    user = context.get("user") or getattr(request, "user", None)
    if record is None or user is None:
        return ""
    bound = offered_actions(user, record, "row" if row else "page")
    if not bound:
        return ""
    return render_to_string("generic/includes/action_buttons.html", {"actions": bound, "row": row})
