"""The password rules: length, three of four classes of characters, none of the last five passwords, Django's own
checks — each refused with a Chinese message, on the forms and on the command line."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from shuniu.accounts.models import PasswordHistory, Role
from shuniu.accounts.services import user_create
from shuniu.audit.models import ObjectChange

pytestmark = pytest.mark.django_db
CLASSES = "密码须包含大写字母、小写字母、数字和其他符号这四类字符中的至少 3 类。"
REUSED = "新密码不能与最近使用过的 5 个密码相同。"


def messages(password, user=None) -> list[str]:
    with translation.override("zh-hans"):
        try:
            validate_password(password, user)
        except ValidationError as error:
            return error.messages
    return []


@pytest.mark.parametrize(
    ("password", "refused"),
    [
        ("abcdefghijkl", True),  # lower only
        ("abcdefgh12", True),  # lower and digits
        ("ABCDEFGH-!", True),  # upper and other
        ("abcdefgh1!", False),
        ("Abcdefgh12", False),
        ("枢纽枢纽abcd12", False),  # Chinese characters are "other"
    ],
)
def test_three_of_four_classes(password, refused):
    assert (CLASSES in messages(password)) == refused


def test_djangos_own_rules_speak_chinese():
    found = messages("12345678")
    assert "密码太短，至少需要 10 个字符。" in found
    assert "这个密码太常见了。" in found and "密码只包含数字。" in found and CLASSES in found


def test_none_of_the_last_five_passwords_on_the_password_change_form(client):
    passwords = [f"Password-{n}-of-six" for n in range(7)]
    user = user_create(username="clerk", password=passwords[0])
    client.force_login(user)

    def change(old, new):
        return client.post(
            reverse("password_change"), {"old_password": old, "new_password1": new, "new_password2": new}
        )

    for old, new in zip(passwords[:4], passwords[1:5], strict=True):
        assert change(old, new).status_code == 302
    for old in passwords[:5]:  # the current one and the four before it
        response = change(passwords[4], old)
        assert response.status_code == 200 and REUSED in response.content.decode()
    assert change(passwords[4], passwords[5]).status_code == 302  # now the first has dropped out of the five
    assert change(passwords[5], passwords[0]).status_code == 302
    user.refresh_from_db()
    assert user.check_password(passwords[0])
    history = list(PasswordHistory.objects.filter(user=user).values_list("password", flat=True))
    assert len(history) == 5 and history[0] == user.password  # hashes, the newest first
    assert not any(password in history for password in passwords)
    assert not ObjectChange.objects.filter(content_type__model="passwordhistory").exists()  # never in the audit log


def test_the_command_line_refuses_a_simple_password_in_chinese(monkeypatch, django_user_model):
    monkeypatch.setenv("SHUNIU_PASSWORD", "abcdefghijkl")
    with translation.override("zh-hans"), pytest.raises(CommandError, match="至少 3 类"):
        call_command("user", "create", "qian", "--role", "leader")
    assert not django_user_model.objects.filter(username="qian").exists()


def test_the_user_form_refuses_a_simple_password_in_chinese(admin_client, django_user_model):
    data = {"username": "li", "password1": "abcdefgh12", "password2": "abcdefgh12", "role": Role.objects.first().pk}
    response = admin_client.post(reverse("user_add"), data)
    assert response.status_code == 200 and CLASSES in response.content.decode()
    assert not django_user_model.objects.filter(username="li").exists()
