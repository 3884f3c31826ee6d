"""API tokens: hashed at rest, shown once, expiring, revocable, revoked by a password change, locked per prefix."""

import hashlib
import importlib
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from shuniu.accounts.models import ApiToken
from shuniu.accounts.testing import user_with_role
from shuniu.accounts.tokens import (
    INVALID,
    MALFORMED,
    TokenRefused,
    api_token_check,
    api_token_create,
    api_token_find,
    api_token_revoke,
)
from shuniu.audit.models import ObjectChange

pytestmark = pytest.mark.django_db
API = "/api/areas/areas/"
ACCOUNT = reverse("account")
PASSWORD = "correct-horse-9"
OFFICE = "192.0.2.10"  # one address for a whole office


@pytest.fixture
def officer(django_user_model):
    return django_user_model.objects.create_superuser("officer", "officer@example.com", PASSWORD)


@pytest.fixture
def colleague(django_user_model):
    return django_user_model.objects.create_superuser("colleague", "colleague@example.com", PASSWORD)


def call(text, address=OFFICE):
    return APIClient().get(API, HTTP_AUTHORIZATION=f"Token {text}", REMOTE_ADDR=address)


def secret_of(text):
    return text.split("_", 2)[2]


def wrong_secret(text):
    scheme, prefix, secret = text.split("_", 2)
    return f"{scheme}_{prefix}_{'x' * len(secret)}"


#
# The token itself
#


def test_a_token_authenticates_as_its_user(officer):
    issued = api_token_create(user=officer, name="区里的报表脚本")
    assert issued.text.startswith(f"sn_{issued.token.prefix}_")
    response = call(issued.text)
    assert response.status_code == 200
    assert response.wsgi_request.user == officer


def test_the_token_is_stored_hashed(officer):
    issued = api_token_create(user=officer, name="报表")
    secret = secret_of(issued.text)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_apitoken")
        (row,) = cursor.fetchall()
    stored = " ".join(str(value) for value in row)
    assert secret not in stored and issued.text not in stored
    assert issued.token.prefix in stored
    assert ApiToken.objects.get().digest == hashlib.sha256(secret.encode()).hexdigest()


def test_a_user_may_hold_several_named_tokens(officer):
    first = api_token_create(user=officer, name="区里的报表脚本")
    second = api_token_create(user=officer, name="数据同步")
    assert first.token.prefix != second.token.prefix
    assert call(first.text).status_code == 200 and call(second.text).status_code == 200


def test_name_and_validity_are_checked_in_chinese(officer):
    with pytest.raises(ValidationError) as error:
        api_token_create(user=officer, name="  ", days=366)
    assert error.value.message_dict == {
        "name": ["请填写令牌名称，例如「区里的报表脚本」。"],
        "days": ["有效期须为 1 到 365 天。"],
    }
    assert not ApiToken.objects.exists()


def test_expiry(officer):
    issued = api_token_create(user=officer, name="报表", days=30)
    token = issued.token
    assert timedelta(days=30) - (token.expires_at - token.created_at) < timedelta(seconds=1)
    assert call(issued.text).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = call(issued.text)
    assert response.status_code == 401
    assert "已于" in response.json()["detail"] and "过期" in response.json()["detail"]


def test_revoking_stops_the_token_and_is_audited(officer):
    issued = api_token_create(user=officer, name="报表")
    other = api_token_create(user=officer, name="同步")
    assert api_token_revoke(token=issued.token)
    response = call(issued.text)
    assert response.status_code == 401 and response.json() == {"detail": "API 令牌「报表」已撤销。"}
    assert call(other.text).status_code == 200
    assert not api_token_revoke(token=issued.token)
    messages = list(ObjectChange.objects.filter(object_id=officer.pk).values_list("message", flat=True))
    assert f"撤销了 API 令牌「报表」（{issued.token.prefix}）" in messages
    assert any(message.startswith(f"生成了 API 令牌「报表」（{issued.token.prefix}）") for message in messages)


def test_a_password_set_anywhere_revokes_the_users_tokens(officer, colleague):
    issued = api_token_create(user=officer, name="报表")
    theirs = api_token_create(user=colleague, name="报表")
    officer.set_password("another-horse-10")  # what `changepassword`, the admin and a reset all end in
    officer.save()
    response = call(issued.text)
    assert response.status_code == 401
    assert response.json() == {"detail": "API 令牌「报表」已失效：用户的密码在令牌生成后修改过。请重新生成令牌。"}
    assert ApiToken.objects.get(pk=issued.token.pk).state == ApiToken.State.PASSWORD_CHANGED
    assert call(theirs.text).status_code == 200


def test_a_password_rehashed_at_sign_in_keeps_the_users_tokens(officer, settings):
    """A new hasher (or new parameters) makes Django re-hash the same password at the next sign-in; that is no
    change of password, and the tokens keep working. A real change afterwards still revokes them."""
    issued = api_token_create(user=officer, name="报表")
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    old_hash = officer.password
    assert officer.check_password(PASSWORD)  # saves the password under PBKDF2
    officer.refresh_from_db()
    assert officer.password != old_hash and officer.password.startswith("pbkdf2_sha256$")
    assert call(issued.text).status_code == 200
    officer.set_password("another-horse-10")
    officer.save()
    assert call(issued.text).status_code == 401


def test_an_unknown_or_old_style_token_is_refused_in_chinese(officer):
    issued = api_token_create(user=officer, name="报表")
    assert call(wrong_secret(issued.text)).json() == {"detail": str(INVALID)}
    assert call("sn_0123abcd_" + secret_of(issued.text)).json() == {"detail": str(INVALID)}
    response = call("0" * 40)  # a clear-text token of DRF's authtoken, from before
    assert response.status_code == 401 and response.json() == {"detail": str(MALFORMED)}
    response = APIClient().get(API, HTTP_AUTHORIZATION="Token a b")
    assert response.status_code == 401 and "Authorization: Token" in response.json()["detail"]


def test_last_use_is_written_at_most_once_a_minute(officer):
    issued = api_token_create(user=officer, name="报表")
    assert issued.token.last_used_at is None
    assert call(issued.text).status_code == 200
    first = ApiToken.objects.get().last_used_at
    assert first is not None
    assert call(issued.text).status_code == 200
    assert ApiToken.objects.get().last_used_at == first
    ApiToken.objects.update(last_used_at=first - timedelta(seconds=61))
    assert call(issued.text).status_code == 200
    assert ApiToken.objects.get().last_used_at > first


def test_the_check_compares_the_whole_secret(officer):
    issued = api_token_create(user=officer, name="报表")
    token = api_token_find(issued.text)
    assert api_token_check(token, issued.text) == issued.token
    with pytest.raises(TokenRefused, match="API 令牌无效"):
        api_token_check(token, issued.text[:-1])


#
# Lockout: per prefix, not per address
#


def test_wrong_secrets_lock_their_prefix_not_the_address(officer, colleague):
    target = api_token_create(user=officer, name="报表")
    valid = api_token_create(user=colleague, name="同步")
    for _ in range(4):
        assert call(wrong_secret(target.text)).status_code == 401
    response = call(wrong_secret(target.text))
    assert response.status_code == 429
    assert "此 API 令牌的验证失败次数过多" in response.json()["detail"]
    assert call(target.text).status_code == 429  # the prefix is locked, even with its right secret
    assert call(target.text, address="198.51.100.7").status_code == 429  # from anywhere
    assert call(valid.text).status_code == 200  # a colleague's token from the same address keeps working
    response = APIClient().get(API, REMOTE_ADDR=OFFICE, HTTP_AUTHORIZATION="Basic b2ZmaWNlcjpjb3JyZWN0LWhvcnNlLTk=")
    assert response.status_code == 200  # and so does the officer's password


def test_failures_for_one_prefix_count_across_addresses(officer):
    target = api_token_create(user=officer, name="报表")
    for number in range(4):
        assert call(wrong_secret(target.text), address=f"198.51.100.{number}").status_code == 401
    assert call(wrong_secret(target.text), address="203.0.113.9").status_code == 429


def test_unknown_tokens_are_counted_per_address_and_lock_only_unknown_tokens(officer):
    valid = api_token_create(user=officer, name="报表")
    for _ in range(4):
        assert call("sn_0123abcd_guess").status_code == 401
    assert call("0" * 40).status_code == 429
    assert call("sn_0123abcd_guess").status_code == 429
    assert call("sn_0123abcd_guess", address="198.51.100.7").status_code == 401
    assert call(valid.text).status_code == 200


def test_an_administrator_unlocks_a_prefix_with_the_axes_command(officer):
    target = api_token_create(user=officer, name="报表")
    for _ in range(5):
        call(wrong_secret(target.text))
    assert call(target.text).status_code == 429
    call_command("axes_reset_username", f"api-token:{target.token.prefix}")
    assert call(target.text).status_code == 200


#
# 我的账户
#


@pytest.fixture
def clerk(client, officer):
    client.force_login(officer)
    return client


def create_on_the_page(client, name="区里的报表脚本", days=90):
    return client.post(reverse("api_token_create"), {"name": name, "days": days})


def test_the_token_is_shown_once_in_the_answer_to_its_creation(clerk, officer):
    response = create_on_the_page(clerk, days=180)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    token = ApiToken.objects.get(user=officer)
    (text,) = re.findall(r'value="(sn_[^"]+)"', page)
    assert text.startswith(f"sn_{token.prefix}_") and "只显示这一次" in page
    assert call(text).status_code == 200
    assert token.name == "区里的报表脚本" and (token.expires_at - token.created_at).days == 180

    page = clerk.get(ACCOUNT).content.decode()
    assert secret_of(text) not in page
    assert f"sn_{token.prefix}" in page and "区里的报表脚本" in page and "有效" in page


def test_the_page_lists_each_tokens_state(clerk, officer):
    active = api_token_create(user=officer, name="在用").token
    expired = api_token_create(user=officer, name="旧的").token
    revoked = api_token_create(user=officer, name="停用").token
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(days=1))
    ApiToken.objects.filter(pk=revoked.pk).update(revoked_at=timezone.now())
    page = clerk.get(ACCOUNT).content.decode()
    rows = page.split('data-testid="api-token-row"')[1:]
    states = {token.name: next(row for row in rows if token.name in row) for token in (active, expired, revoked)}
    assert "有效" in states["在用"] and 'data-testid="api-token-revoke"' in states["在用"]
    assert "已过期" in states["旧的"] and 'data-testid="api-token-revoke"' not in states["旧的"]
    assert "已撤销" in states["停用"] and 'data-testid="api-token-revoke"' not in states["停用"]


def test_a_bad_name_or_validity_is_refused_on_the_page(clerk):
    response = create_on_the_page(clerk, name=" ", days=400)
    page = response.content.decode()
    assert response.status_code == 200
    assert re.findall(r"invalid-feedback[^>]*>([^<]*)<", page) == [
        "该字段是必填项。",
        "选择一个有效的选项。 400 不在可用的选项中。",
    ]
    assert not ApiToken.objects.exists()
    assert 'data-testid="api-token"' not in page


def test_creating_takes_a_post(clerk):
    assert clerk.get(reverse("api_token_create")).status_code == 405
    assert not ApiToken.objects.exists()


def test_revoking_on_the_page_only_ones_own_tokens(clerk, officer, colleague):
    mine = api_token_create(user=officer, name="报表")
    theirs = api_token_create(user=colleague, name="同步")
    response = clerk.post(reverse("api_token_revoke", args=[theirs.token.pk]))
    assert response.status_code == 404
    assert call(theirs.text).status_code == 200
    response = clerk.post(reverse("api_token_revoke", args=[mine.token.pk]), follow=True)
    assert "API 令牌「报表」已撤销" in response.content.decode()
    assert call(mine.text).status_code == 401


def test_a_password_change_on_the_page_revokes_the_tokens(clerk, officer):
    issued = api_token_create(user=officer, name="报表")
    new = "a-much-longer-one-7"
    data = {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    response = clerk.post(reverse("password_change"), data, follow=True)
    assert response.status_code == 200 and "已撤销（密码已修改）" in response.content.decode()
    assert call(issued.text).status_code == 401


def test_anonymous_cannot_create_a_token(client):
    response = client.post(reverse("api_token_create"), {"name": "x", "days": 90})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert not ApiToken.objects.exists()


#
# The administrator's page for a user
#


def test_an_administrator_sees_and_revokes_a_users_tokens(admin_client, officer):
    issued = api_token_create(user=officer, name="报表")
    page = admin_client.get(reverse("user", args=[officer.pk])).content.decode()
    assert f"sn_{issued.token.prefix}" in page and secret_of(issued.text) not in page
    response = admin_client.post(reverse("user_token_revoke", args=[officer.pk, issued.token.pk]), follow=True)
    assert "已撤销 API 令牌" in response.content.decode()
    assert call(issued.text).status_code == 401


def test_only_an_administrator_revokes_another_users_token(client, officer, django_user_model):
    issued = api_token_create(user=officer, name="报表")
    client.force_login(django_user_model.objects.create_user("clerk", password=PASSWORD))
    assert client.post(reverse("user_token_revoke", args=[officer.pk, issued.token.pk])).status_code == 403
    assert call(issued.text).status_code == 200


def test_tokens_are_the_security_administrators_to_revoke_not_the_system_administrators(client, officer):
    """三权分立: tokens are keys."""
    issued = api_token_create(user=officer, name="报表")
    client.force_login(user_with_role("system-admin"))
    assert 'data-testid="api-token-revoke"' not in client.get(reverse("user", args=[officer.pk])).content.decode()
    assert client.post(reverse("user_token_revoke", args=[officer.pk, issued.token.pk])).status_code == 403
    assert call(issued.text).status_code == 200
    client.force_login(user_with_role("security-admin"))
    assert 'data-testid="api-token-revoke"' in client.get(reverse("user", args=[officer.pk])).content.decode()
    assert client.post(reverse("user_token_revoke", args=[officer.pk, issued.token.pk])).status_code == 302
    assert call(issued.text).status_code == 401


#
# Command line
#


def test_the_command_line_creates_lists_and_revokes(officer, capsys):
    call_command("user", "token", "officer", "--name", "报表脚本", "--days", "30")
    out, err = capsys.readouterr()
    text = out.strip()
    assert "只显示这一次" in err and text not in err
    assert call(text).status_code == 200
    prefix = ApiToken.objects.get().prefix

    call_command("user", "tokens", "officer")
    out, _ = capsys.readouterr()
    assert f"sn_{prefix}  有效  报表脚本" in out and secret_of(text) not in out

    call_command("user", "revoke-token", "officer", f"sn_{prefix}")
    assert "已撤销" in capsys.readouterr().out
    assert call(text).status_code == 401
    with pytest.raises(CommandError, match="没有前缀为"):
        call_command("user", "revoke-token", "officer", "ffffffff")
    with pytest.raises(CommandError, match="有效期须为 1 到 365 天"):
        call_command("user", "token", "officer", "--name", "x", "--days", "400")


#
# Schema and installation
#


def test_the_schema_documents_the_token_scheme(db):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    scheme = schema["components"]["securitySchemes"]["tokenAuth"]
    assert scheme["type"] == "apiKey" and scheme["in"] == "header" and scheme["name"] == "Authorization"
    assert "Token" in scheme["description"]
    assert {"tokenAuth": []} in schema["paths"][API]["get"]["security"]


def test_the_clear_text_tokens_of_old_are_dropped():
    assert "rest_framework.authtoken" not in settings.INSTALLED_APPS
    migration = importlib.import_module("shuniu.accounts.migrations.0003_api_tokens").Migration
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, user_id integer)")
        cursor.execute("INSERT INTO authtoken_token VALUES ('0123456789abcdef0123456789abcdef01234567', 1)")
        cursor.execute(migration.operations[-1].sql)
    assert "authtoken_token" not in connection.introspection.table_names()
