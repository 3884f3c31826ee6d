"""Helpers for tests: a user holding one role within a scope."""

from django.contrib.auth import get_user_model

from .models import Role, RoleAssignment


def user_with_role(slug: str, *, username: str | None = None, password: str = "x", **scope):
    """A new user holding the role `slug` within `scope` (`area=` or `organization=`; neither: the whole city)."""
    user = get_user_model().objects.create_user(
        username or f"{slug}-{get_user_model().objects.count()}", password=password
    )
    RoleAssignment.objects.create(user=user, role=Role.objects.get(slug=slug), **scope)
    return user
