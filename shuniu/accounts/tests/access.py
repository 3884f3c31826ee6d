"""The access matrix's cases for the accounts app (`core/tests/access_cases.py`): roles and assignments are seen whole
by whoever holds their permission (the security administrator)."""

from django.contrib.auth import get_user_model

from shuniu.accounts.models import Role, RoleAssignment
from shuniu.core.tests.access_cases import register


def _other_user():
    return get_user_model().objects.get_or_create(username="someone-else")[0]


register(
    Role, lambda w, u: Role.objects.get(slug="leader"), lambda w, u: Role.objects.get(slug="city-admin"), scoped=False
)
register(
    RoleAssignment,
    lambda w, u: RoleAssignment.objects.filter(user=u).first(),
    lambda w, u: RoleAssignment.objects.create(user=_other_user(), role=Role.objects.get(slug="city-analyst")),
    scoped=False,
)
