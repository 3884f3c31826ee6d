"""Two factors: an administrator signs in with a password and a TOTP code computed here from the device's key; the
code step, its lockout, recovery codes, enrollment, resets, and HTTP Basic for those who must use two factors."""

import base64

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from shuniu.accounts.signin import SIGNED_OUT_MESSAGES, WRONG_CODE
from shuniu.accounts.testing import user_with_role
from shuniu.accounts.two_factor import recovery_codes_renew, two_factor_required
from shuniu.audit.models import ObjectChange

pytestmark = pytest.mark.django_db
PASSWORD = "Correct-horse-9"
LOGIN, CODE, ENROLL = reverse("login"), reverse("signin_code"), reverse("two_factor_enroll")
USERS, AUDIT = reverse("user_list"), reverse("audit:objectchange_list")


@pytest.fixture
def required(settings):
    settings.SHUNIU_REQUIRE_TWO_FACTOR = True


def code(device: TOTPDevice, ahead: int = 0) -> str:
    """The code the authenticator app shows now (`ahead`: that many 30-second steps later)."""
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift + ahead):06d}"


def wrong_code(device: TOTPDevice, n: int = 0) -> str:
    """A six-digit code the device does not accept now (nor one step before or after)."""
    accepted = {code(device, ahead) for ahead in (-1, 0, 1)}
    return [c for c in (f"{i:06d}" for i in range(n, n + 10)) if c not in accepted][0]


def enroll(user) -> tuple[TOTPDevice, list[str]]:
    """As if the user had set up an authenticator: a confirmed device and ten recovery codes."""
    device = TOTPDevice.objects.create(user=user, name="手机", confirmed=True)
    return device, recovery_codes_renew(user)


def shown_secret(page: str) -> str:
    return "".join(page.split('data-testid="otp-secret">')[1].split("<")[0].split())


def hidden_key(page: str) -> str:
    return page.split('name="key" value="')[1].split('"')[0]


def scanned(page: str) -> TOTPDevice:
    """The authenticator as the user's phone sets it up from the key the enrollment page shows."""
    secret = shown_secret(page)
    return TOTPDevice(key=base64.b32decode(secret + "=" * (-len(secret) % 8)).hex())


def password_step(client, username, password=PASSWORD, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def sysadmin():
    return user_with_role("system-admin", username="sysadmin", password=PASSWORD)


def test_an_administrator_signs_in_with_a_password_and_a_totp_code(client, required, sysadmin):
    device, _ = enroll(sysadmin)
    response = password_step(client, "sysadmin")
    assert response.status_code == 302 and response["Location"] == CODE
    assert not signed_in(client)

    response = client.post(CODE, {"code": code(device)})
    assert response.status_code == 302 and response["Location"] == USERS  # the system administrator's own page
    assert signed_in(client) and client.session["otp_device_id"] == device.persistent_id
    page = client.get(USERS)
    assert page.status_code == 200 and "用户和角色" in page.content.decode()


def test_without_the_code_only_the_code_page_is_reachable(client, required, sysadmin):
    enroll(sysadmin)
    password_step(client, "sysadmin")
    for url in (USERS, reverse("indicators:dashboard"), reverse("account")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(LOGIN), url
    assert client.get("/api/organizations/organizations/").status_code in (401, 403)
    page = client.get(CODE)
    assert page.status_code == 200 and 'data-testid="otp-code"' in page.content.decode()
    assert not signed_in(client)


def test_five_wrong_codes_lock_out_and_the_right_one_then_fails(client, required, sysadmin):
    device, _ = enroll(sysadmin)
    password_step(client, "sysadmin")
    for n in range(4):
        response = client.post(CODE, {"code": wrong_code(device, n)})
        assert response.status_code == 200 and str(WRONG_CODE) in response.content.decode()
    response = client.post(CODE, {"code": wrong_code(device, 4)})
    assert response.status_code == 429 and 'data-testid="locked-out"' in response.content.decode()
    assert client.post(CODE, {"code": code(device)})["Location"] == LOGIN  # the half sign-in is gone
    assert password_step(client, "sysadmin").status_code == 429  # and the password alone is locked out too
    assert not signed_in(client)
    assert AccessAttempt.objects.get(username="sysadmin").failures_since_start == 5


def test_wrong_passwords_and_wrong_codes_add_up(client, required, sysadmin):
    device, _ = enroll(sysadmin)
    for _ in range(3):
        assert password_step(client, "sysadmin", "wrong-password").status_code == 200
    password_step(client, "sysadmin")  # right: the count is not reset before the second factor
    assert client.post(CODE, {"code": wrong_code(device)}).status_code == 200
    assert client.post(CODE, {"code": wrong_code(device, 1)}).status_code == 429


def test_a_recovery_code_works_once(client, required, sysadmin):
    _, codes = enroll(sysadmin)
    password_step(client, "sysadmin")
    response = client.post(CODE, {"code": codes[0].upper()}, follow=True)
    assert signed_in(client) and "还剩 9 个" in response.content.decode()
    assert ObjectChange.objects.filter(object_id=sysadmin.pk, message__contains="使用了一个恢复码").count() == 1
    client.post(reverse("logout"))

    password_step(client, "sysadmin")
    response = client.post(CODE, {"code": codes[0]})
    assert response.status_code == 200 and str(WRONG_CODE) in response.content.decode()
    assert not signed_in(client)
    assert StaticToken.objects.filter(device__user=sysadmin).count() == 9


def test_an_enrolled_business_user_is_asked_for_the_code_without_the_requirement(client, settings):
    settings.SHUNIU_REQUIRE_TWO_FACTOR = False
    clerk = user_with_role("city-analyst", username="clerk", password=PASSWORD)
    assert not two_factor_required(clerk)
    device, _ = enroll(clerk)
    assert password_step(client, "clerk")["Location"] == CODE and not signed_in(client)
    assert client.post(CODE, {"code": code(device)})["Location"] == reverse("indicators:dashboard")
    assert signed_in(client)


def test_required_but_not_enrolled_the_user_can_only_enroll_then_signs_in_with_a_code(client, required):
    auditor = user_with_role("audit-admin", username="auditor", password=PASSWORD)
    response = password_step(client, "auditor")
    assert response.status_code == 302 and response["Location"].startswith(ENROLL)
    assert client.get(AUDIT)["Location"].startswith(ENROLL)
    api = client.get("/api/organizations/organizations/", HTTP_ACCEPT="application/json")
    assert api.status_code == 403 and "请先设置身份验证器" in api.json()["detail"]

    page = client.get(ENROLL).content.decode()
    svg = base64.b64decode(page.split('src="data:image/svg+xml;base64,')[1].split('"')[0])
    assert b"<svg" in svg and b"<script" not in svg  # the QR code, as an image the CSP allows (img-src data:)
    device, key = scanned(page), hidden_key(page)  # as the phone takes the key over from the text
    assert not TOTPDevice.objects.exists()  # opening the page stores nothing

    wrong = client.post(ENROLL, {"code": "12345", "key": key}).content.decode()
    assert "6 位数字" in wrong and shown_secret(wrong) == shown_secret(page)  # the same key until it is confirmed
    wrong = client.post(ENROLL, {"code": wrong_code(device), "key": key}).content.decode()
    assert "验证码不正确" in wrong and not TOTPDevice.objects.exists()
    forged = client.post(ENROLL, {"code": code(device), "key": key[:-2] + "xx"}, follow=True)
    assert "设置页面已过期" in forged.content.decode() and not TOTPDevice.objects.exists()
    response = client.post(ENROLL, {"code": code(device), "key": key})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    codes = StaticToken.objects.filter(device__user=auditor).values_list("token", flat=True)
    page = response.content.decode()
    assert len(codes) == 10 and all(c in page for c in codes)
    assert ObjectChange.objects.filter(object_id=auditor.pk, message__contains="启用了两步验证").exists()
    assert client.get(AUDIT).status_code == 200  # this session gave its second factor while enrolling
    assert client.get(ENROLL)["Location"] == reverse("account")  # enrolled: nothing more to set up

    client.post(reverse("logout"))
    assert password_step(client, "auditor")["Location"] == CODE
    assert client.post(CODE, {"code": code(device, ahead=1)})["Location"] == AUDIT  # a code is used only once
    assert client.get(AUDIT).status_code == 200


def test_a_session_that_skipped_the_code_is_ended(client, sysadmin):
    """A sign-in by another door (Django's admin login; here force_login) of a user with an authenticator."""
    enroll(sysadmin)
    client.force_login(sysadmin)
    response = client.get(USERS)
    assert response["Location"].startswith(LOGIN) and not signed_in(client)
    page = client.get(LOGIN).content.decode()
    assert str(SIGNED_OUT_MESSAGES["two_factor"]) in page


def test_http_basic_is_refused_to_a_user_who_signs_in_with_two_factors(sysadmin, settings):
    settings.SHUNIU_REQUIRE_TWO_FACTOR = False
    analyst = user_with_role("city-analyst", username="analyst", password=PASSWORD)
    api = APIClient()
    url = "/api/organizations/organizations/"
    api.credentials(HTTP_AUTHORIZATION="Basic " + base64.b64encode(f"analyst:{PASSWORD}".encode()).decode())
    assert api.get(url).status_code == 200
    enroll(analyst)
    response = api.get(url)
    assert response.status_code == 401 and "须使用两步验证" in response.json()["detail"]
    settings.SHUNIU_REQUIRE_TWO_FACTOR = True  # and for a user who must, enrolled or not
    city = user_with_role("city-admin", username="city", password=PASSWORD)
    api.credentials(HTTP_AUTHORIZATION="Basic " + base64.b64encode(f"city:{PASSWORD}".encode()).decode())
    assert api.get(url).status_code == 401 and not TOTPDevice.objects.filter(user=city).exists()


def test_a_user_resets_their_own_two_factors_with_password_and_code(client, sysadmin):
    device, _ = enroll(sysadmin)
    password_step(client, "sysadmin")
    client.post(CODE, {"code": code(device)})
    reset = reverse("two_factor_reset")
    response = client.post(reset, {"password": PASSWORD, "code": wrong_code(device)}, follow=True)
    assert "两步验证未重置" in response.content.decode() and TOTPDevice.objects.filter(user=sysadmin).exists()
    response = client.post(reset, {"password": PASSWORD, "code": code(device, ahead=1)})
    assert response["Location"] == ENROLL
    assert not TOTPDevice.objects.filter(user=sysadmin).exists()
    assert not StaticDevice.objects.filter(user=sysadmin).exists()
    assert ObjectChange.objects.filter(object_id=sysadmin.pk, message="重置了自己的两步验证").exists()
    page = client.get(ENROLL)
    assert signed_in(client) and page.status_code == 200  # and sets up the new phone at once
    new = scanned(page.content.decode())
    client.post(ENROLL, {"code": code(new), "key": hidden_key(page.content.decode())})
    assert TOTPDevice.objects.get(user=sysadmin).key == new.key


def test_the_security_administrator_resets_another_users_two_factors(client, sysadmin):
    enroll(sysadmin)
    url = reverse("user_two_factor_reset", args=[sysadmin.pk])
    client.force_login(user_with_role("city-admin", username="city"))
    assert client.post(url).status_code == 403 and TOTPDevice.objects.filter(user=sysadmin).exists()
    security = user_with_role("security-admin", username="security")
    client.force_login(security)
    assert 'data-testid="user-two-factor-reset"' in client.get(reverse("user", args=[sysadmin.pk])).content.decode()
    client.post(url)
    assert not TOTPDevice.objects.filter(user=sysadmin).exists()
    change = ObjectChange.objects.get(object_id=sysadmin.pk, message__contains="重置了该用户的两步验证")
    assert change.user == security


def test_the_security_administrator_lifts_a_lockout(client, sysadmin):
    for _ in range(5):
        password_step(client, "sysadmin", "wrong-password")
    assert password_step(client, "sysadmin").status_code == 429
    admin = client.__class__()
    admin.force_login(user_with_role("security-admin", username="security"))
    page = admin.get(reverse("user", args=[sysadmin.pk])).content.decode()
    assert "5 次，已锁定" in page
    admin.post(reverse("user_unlock", args=[sysadmin.pk]))
    assert password_step(client, "sysadmin").status_code == 302 and signed_in(client)


def test_the_command_line_resets_a_users_two_factors(sysadmin, capsys):
    enroll(sysadmin)
    call_command("user", "reset-two-factor", "sysadmin")
    assert not TOTPDevice.objects.filter(user=sysadmin).exists()
    assert not StaticDevice.objects.filter(user=sysadmin).exists()
    assert "下次登录时须重新设置身份验证器" in capsys.readouterr().out
    assert ObjectChange.objects.filter(object_id=sysadmin.pk, message="在命令行重置了该用户的两步验证").exists()
