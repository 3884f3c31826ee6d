"""The demo's accounts: three administrators who are not superusers and hold one administrator's role each
(三权分立), and the city's business account that shows the demo city; `shuniu demo` prints what each is for."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from shuniu.demo.management.commands.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, demo_accounts

pytestmark = pytest.mark.django_db


def roles() -> dict[str, list[str]]:
    return {
        user.username: [a.role.slug for a in user.role_assignments.all()]
        for user in get_user_model().objects.prefetch_related("role_assignments__role")
    }


def test_the_old_superuser_admin_becomes_the_system_administrator():
    get_user_model().objects.create_superuser("admin", "admin@example.com", "shuniu-demo")  # an older demo database
    demo_accounts()
    demo_accounts()  # a second run changes nothing
    assert roles() == {
        "admin": ["system-admin"],
        "security": ["security-admin"],
        "auditor": ["audit-admin"],
        "city": ["city-admin"],
    }
    for user in get_user_model().objects.all():
        assert not user.is_superuser and not user.is_staff and user.check_password(DEMO_PASSWORD)


def test_the_demo_command_prints_every_account_and_what_it_is_for(capsys):
    call_command("demo", "--no-serve", "--scale", "0.01")
    out = capsys.readouterr().out
    assert f"密码（各账户相同）{DEMO_PASSWORD}" in out
    for username, _slug, purpose in DEMO_ACCOUNTS:
        assert f"用户名 {username:<9} {purpose}" in out
    assert not get_user_model().objects.filter(is_superuser=True).exists()
