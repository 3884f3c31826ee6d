"""The access matrix's cases for the accounts app (`core/tests/access_cases.py`): roles and assignments are seen whole
by whoever holds their permission (the security administrator)."""

from shuniu.accounts.models import Role, RoleAssignment
from shuniu.core.tests.access_cases import other_user, register

register(
    Role, lambda w, u: Role.objects.get(slug="leader"), lambda w, u: Role.objects.get(slug="city-admin"), scoped=False
)
register(
    RoleAssignment,
    lambda w, u: RoleAssignment.objects.filter(user=u).first(),
    lambda w, u: RoleAssignment.objects.create(user=other_user(), role=Role.objects.get(slug="city-analyst")),
    scoped=False,
)
