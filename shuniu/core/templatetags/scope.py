"""What a template shows of related records goes through the user's scope, like the page's own record (related
sets come from the view already restricted: `instance.links.restrict(user)`).

{% load scope %}
{% visible object.parent as parent %}             the record, or None when the user may not see it
{% out_of_scope %}                                what stands in place of a record the user may not see
"""

from django import template

from shuniu.core.access import OUT_OF_SCOPE, is_visible

register = template.Library()


@register.simple_tag(takes_context=True)
def visible(context, record, action: str = "view"):
    """`record` when the signed-in user may `action` it, else None."""
    return record if is_visible(context["request"].user, record, action) else None


@register.simple_tag
def out_of_scope() -> str:
    return str(OUT_OF_SCOPE)
