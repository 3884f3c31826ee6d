from django import template
from django.urls import reverse

from shuniu.core.access import user_can

register = template.Library()


def changelog_url(model, pk) -> str | None:
    """The change log page of record `pk` of `model` (None for models that have none)."""
    if model is None or pk is None or not hasattr(model._default_manager, "restrict"):
        return None
    return reverse(
        "audit:objectchange_log",
        kwargs={"app_label": model._meta.app_label, "model_name": model._meta.model_name, "pk": pk},
    )


@register.simple_tag
def changelog_link(instance) -> str | None:
    """`{% changelog_link object as url %}`: the URL of `object`'s change log (变更记录)."""
    return changelog_url(type(instance), instance.pk)


@register.simple_tag
def can_search_audit(user) -> bool:
    """Whether the navigation offers the audit search (administrators: 查看变更记录)."""
    from ..models import ObjectChange

    return user_can(user, ObjectChange, "view")
