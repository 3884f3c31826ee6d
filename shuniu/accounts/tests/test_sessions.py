"""Sessions end after SHUNIU_SESSION_IDLE_MINUTES without a request and a working day after the sign-in, and the
time of the last request is not written on every request."""

import time

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from shuniu.accounts.signin import LAST_ACTIVITY, SIGNED_IN_AT
from shuniu.accounts.testing import user_with_role

pytestmark = pytest.mark.django_db
PAGE = reverse("account")


@pytest.fixture
def clerk(client):
    client.force_login(user_with_role("city-analyst", username="clerk"))
    return client


def age(client, key: str, seconds: int) -> None:
    """As if the session's clock `key` had been set `seconds` ago."""
    session = client.session
    session[key] = int(time.time()) - seconds
    session.save()


def stored(client) -> str:
    return Session.objects.get(session_key=client.session.session_key).session_data


def test_an_idle_session_ends_and_the_login_page_says_why(clerk):
    age(clerk, LAST_ACTIVITY, 31 * 60)
    response = clerk.get(PAGE)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in clerk.session
    page = clerk.get(response["Location"]).content.decode()
    assert "由于长时间未操作，您已退出登录" in page
    assert "由于长时间未操作" not in clerk.get(reverse("login")).content.decode()  # said once


def test_the_idle_time_is_a_setting(clerk, settings):
    settings.SHUNIU_SESSION_IDLE_MINUTES = 5
    age(clerk, LAST_ACTIVITY, 4 * 60)
    assert clerk.get(PAGE).status_code == 200
    age(clerk, LAST_ACTIVITY, 6 * 60)
    assert clerk.get(PAGE).status_code == 302 and "_auth_user_id" not in clerk.session


def test_the_last_activity_is_written_at_most_once_a_minute(clerk):
    before = stored(clerk)
    assert clerk.get(PAGE).status_code == 200
    assert stored(clerk) == before  # signed in a moment ago: nothing written
    age(clerk, LAST_ACTIVITY, 2 * 60)
    aged = stored(clerk)
    clerk.get(PAGE)
    assert stored(clerk) != aged and time.time() - clerk.session[LAST_ACTIVITY] < 5
    written = stored(clerk)
    clerk.get(PAGE)
    assert stored(clerk) == written


def test_a_session_ends_a_working_day_after_the_sign_in_however_busy(clerk):
    age(clerk, SIGNED_IN_AT, 8 * 60 * 60 + 1)
    response = clerk.get(PAGE, follow=True)
    assert "_auth_user_id" not in clerk.session
    assert "登录已超过 8 小时" in response.content.decode()


def test_an_idle_api_session_is_refused_not_redirected(clerk):
    age(clerk, LAST_ACTIVITY, 31 * 60)
    response = clerk.get("/api/organizations/organizations/", HTTP_ACCEPT="application/json")
    assert response.status_code in (401, 403)
