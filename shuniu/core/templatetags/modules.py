"""What the modules declare, for templates: the main menu and the sections other apps add to a detail page."""

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from shuniu.core import modules

register = template.Library()


@register.simple_tag
def main_menu(user) -> list:
    """The main menu's entries `user` may open (`Module.menu`), groups as `MenuGroup`s."""
    return modules.menu_tree(user)


@register.simple_tag(takes_context=True)
def module_sections(context, record) -> str:
    """The blocks every module adds to `record`'s detail page (`Module.sections`), rendered in order."""
    request = context.get("request")
    user = context.get("user") or getattr(request, "user", None)
    parts = []
    for section in modules.sections(record._meta.label_lower):
        extra = section.render_context(record, user)
        if extra is not None:
            parts.append(render_to_string(section.template, {"object": record, "user": user, **extra}, request=request))
    return mark_safe("".join(parts))  # each part escaped by its own template
