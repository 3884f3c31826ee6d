"""Passwords and the login lockout (page and HTTP Basic); API tokens and their lockout: test_api_tokens.py."""

import base64
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from shuniu.accounts.lockout import lockout_message
from shuniu.config.settings import base

pytestmark = pytest.mark.django_db
LOGIN = reverse("login")
API = "/api/areas/areas/"
PASSWORD = "correct-horse-9"


@pytest.fixture
def officer(django_user_model):
    return django_user_model.objects.create_superuser("officer", "officer@example.com", PASSWORD)


def login(client, password, username="officer", **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def fail_logins(client, times=5, **extra):
    for _ in range(times):
        response = login(client, "wrong-password", **extra)
        assert response.status_code == 200  # the form again, "用户名或密码不正确" until the limit
    return response


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def end_cool_off():
    """As if the cool-off time had passed since the failures."""
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=31))


def basic(username, password):
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()}


#
# Passwords
#


def test_base_settings_hash_with_argon2_and_still_verify_pbkdf2():
    with override_settings(PASSWORD_HASHERS=base.PASSWORD_HASHERS):
        old_hash = make_password("an-older-password", hasher="pbkdf2_sha256")
        assert make_password("a-new-password").startswith("argon2$")
        assert check_password("an-older-password", old_hash)


def test_password_shorter_than_ten_characters_is_refused():
    with pytest.raises(ValidationError) as error:
        validate_password("k7#pQz9!w")
    assert [e.code for e in error.value.error_list] == ["password_too_short"]
    validate_password("k7#pQz9!wX")


#
# Lockout of the login page
#


def test_five_failures_lock_out_even_the_right_password(client, officer):
    fail_logins(client, times=4)
    assert login(client, "wrong-password").status_code == 429  # the fifth failure locks
    response = login(client, PASSWORD)
    assert response.status_code == 429
    assert not signed_in(client)
    page = response.content.decode()
    assert str(lockout_message()) in page and "30 分钟" in page
    assert 'name="password"' in page  # the login page itself, not a bare error text


def test_after_the_cool_off_the_right_password_works(client, officer):
    fail_logins(client, times=4)
    login(client, "wrong-password")
    end_cool_off()
    response = login(client, PASSWORD)
    assert response.status_code == 302 and signed_in(client)


def test_a_success_before_the_limit_clears_the_count(client, officer):
    fail_logins(client, times=4)
    assert login(client, PASSWORD).status_code == 302
    client.logout()
    fail_logins(client, times=4)
    assert login(client, PASSWORD).status_code == 302


def test_the_lock_holds_for_the_name_from_that_address_only(client, officer):
    fail_logins(client, times=4)
    login(client, "wrong-password")
    response = login(client, PASSWORD, REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 302 and signed_in(client)


def test_an_administrator_unlocks_with_the_axes_command(client, officer):
    fail_logins(client, times=4)
    assert login(client, "wrong-password").status_code == 429
    call_command("axes_reset_username", "officer")
    assert login(client, PASSWORD).status_code == 302


#
# Lockout of the API
#


def test_api_basic_failures_lock_out_with_a_json_429(officer):
    client = APIClient()
    for _ in range(4):
        assert client.get(API, **basic("officer", "wrong-password")).status_code == 401
    response = client.get(API, **basic("officer", "wrong-password"))
    assert response.status_code == 429
    response = client.get(API, **basic("officer", PASSWORD))
    assert response.status_code == 429
    assert response.json() == {"detail": str(lockout_message())}
    end_cool_off()
    assert client.get(API, **basic("officer", PASSWORD)).status_code == 200


def test_anonymous_api_caller_still_gets_401_with_basic_challenge(db):
    response = APIClient().get(API)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Basic")


def test_a_script_posting_to_the_login_page_gets_json_when_locked_out(client, officer):
    fail_logins(client, times=4)
    response = login(client, "wrong-password", headers={"Accept": "application/json"})
    assert response.status_code == 429
    assert response.json() == {"detail": str(lockout_message()), "code": "locked_out"}


@override_settings(SHUNIU_PROXY_COUNT=1)
def test_behind_a_proxy_the_lockout_counts_the_address_the_proxy_saw(client, officer):
    behind = {"REMOTE_ADDR": "10.0.0.2"}  # the proxy
    fail_logins(client, times=4, HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.5", **behind)
    assert login(client, "wrong-password", HTTP_X_FORWARDED_FOR="203.0.113.5", **behind).status_code == 429
    assert AccessAttempt.objects.get().ip_address == "203.0.113.5"  # not the client's claim nor the proxy
    response = login(client, PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.6", **behind)  # a colleague elsewhere
    assert response.status_code == 302
