"""Two factors (MLPS level 3: "two or more authentication techniques for administrators, at least one of them
cryptographic"): a password and a time-based one-time code (TOTP, RFC 6238) from an authenticator app, with ten
single-use recovery codes for a lost phone. django-otp keeps the devices: a `TOTPDevice` per user (its secret key)
and a `StaticDevice` holding the recovery codes, each deleted when used.

Who must: with SHUNIU_REQUIRE_TWO_FACTOR on (production), every user holding one of
SHUNIU_TWO_FACTOR_PERMISSIONS — the administrators' permissions and the permission to unmask personal numbers —
through a role, a permission granted in Django's admin, or as a superuser. It is worked out from the permissions, not
from a list of users or role names, so a new role that grants such a permission needs two factors from the start.
A user who has set up a device is asked for a code whether or not they must.

Failed codes count for the login lockout like wrong passwords (django-axes hears `user_login_failed`), so django-otp's
own throttling is switched off (OTP_*_THROTTLE_FACTOR = 0): one lockout, with one message, for both factors.
"""

import base64

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core import checks, signing
from django.db import DatabaseError, transaction
from django_otp import verify_token
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from shuniu import audit

RECOVERY_CODE_COUNT = 10
TOTP_NAME = "身份验证器"
RECOVERY_NAME = "恢复码"
ENROLL_SALT = "shuniu.two-factor.enroll"
ENROLL_MAX_AGE = 15 * 60  # seconds the enrollment page's key stays good for


def two_factor_required(user) -> bool:
    """Whether `user` must sign in with two factors (see the module's docstring)."""
    if not settings.SHUNIU_REQUIRE_TWO_FACTOR or not user.is_active:
        return False
    return any(user.has_perm(permission) for permission in settings.SHUNIU_TWO_FACTOR_PERMISSIONS)


def totp_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def is_enrolled(user) -> bool:
    """Whether `user` has set up an authenticator (then every sign-in asks for a code)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def two_factor_applies(user) -> bool:
    """Whether `user` signs in with two factors: they must, or they have set up an authenticator."""
    return two_factor_required(user) or is_enrolled(user)


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


#
# Enrollment
#


def enrollment_device(user, key: str | None = None) -> TOTPDevice:
    """The authenticator being set up, not saved: with a new random key, or `key` (hex) as the page gave it."""
    return TOTPDevice(user=user, name=TOTP_NAME, key=key or default_key(), confirmed=True)


def enrollment_key_sign(user, device: TOTPDevice) -> str:
    """The key, signed for this user, for the enrollment form to carry until it is confirmed: nothing is stored
    before the user proves with a code that the app took the key over."""
    return signing.dumps(device.key, salt=f"{ENROLL_SALT}:{user.pk}")


def enrollment_key_load(user, signed: str) -> str | None:
    """The key a form carried back, or None when it is not this user's or older than ENROLL_MAX_AGE."""
    try:
        return signing.loads(signed, salt=f"{ENROLL_SALT}:{user.pk}", max_age=ENROLL_MAX_AGE)
    except signing.BadSignature:
        return None


def secret_text(device: TOTPDevice) -> str:
    """The key as an authenticator app takes it typed in: base32, in groups of four."""
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def qr_code_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// address as an SVG QR code in a data: URI (the CSP allows images from data:, no inline code)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathFillImage, box_size=10, border=2)
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string(encoding="UTF-8")).decode()


@transaction.atomic
def enrollment_confirm(*, user, device: TOTPDevice, code: str) -> list[str] | None:
    """Saves `device` (from `enrollment_device`) as the user's authenticator if `code` is one it shows now, replacing
    any other, with ten new recovery codes. Returns the codes (shown to the user once), or None for a wrong code."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    code = normalize_code(code)
    if not (code.isdigit() and totp.verify(int(code), device.tolerance)):
        return None
    device.last_t = totp.t()  # the code just used cannot sign in
    TOTPDevice.objects.filter(user=user).delete()
    device.save()
    codes = recovery_codes_renew(user)
    audit.record(user, audit.AuditAction.UPDATE, message="启用了两步验证（身份验证器和 10 个恢复码）")
    return codes


def recovery_codes_renew(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


#
# Verification
#


def normalize_code(text: str) -> str:
    """What the user typed, without spaces or hyphens, in lower case (recovery codes are lower-case base32)."""
    return "".join(text.split()).replace("-", "").lower()


def verify_code(user, text: str):
    """The device that accepts `text` — the authenticator for six digits, else the recovery codes (a recovery code
    is deleted as it is used) — or None."""
    code = normalize_code(text)
    if not code:
        return None
    devices = TOTPDevice if code.isdigit() and len(code) == 6 else StaticDevice
    for device in devices.objects.filter(user=user, confirmed=True):
        verified = verify_token(user, device.persistent_id, code)
        if verified is not None:
            return verified
    return None


def record_recovery_code_use(user, device) -> int | None:
    """When `device` is the recovery codes, records the use in the audit log (call it once the request acts as the
    user) and returns how many codes are left; None for the authenticator."""
    if not isinstance(device, StaticDevice):
        return None
    left = recovery_codes_left(user)
    audit.record(user, audit.AuditAction.UPDATE, message=f"使用了一个恢复码（还剩 {left} 个）")
    return left


#
# Reset
#


@transaction.atomic
def two_factor_reset(*, user, message: str = "重置了自己的两步验证") -> bool:
    """Removes the user's authenticator and recovery codes; their two-factor sessions end at their next request
    (the device that verified them is gone). `message` says who did it, for the audit log. False when there was
    nothing to remove."""
    removed = TOTPDevice.objects.filter(user=user).delete()[0] + StaticDevice.objects.filter(user=user).delete()[0]
    if removed:
        audit.record(user, audit.AuditAction.UPDATE, message=message)
    return bool(removed)


def password_and_code_check(user, password: str, code: str):
    """For the user's own reset: the device accepting `code` if `password` is theirs too, else None."""
    if not check_password(password, user.password):
        return None
    return verify_code(user, code)


#
# Superusers
#


@checks.register(checks.Tags.security, checks.Tags.database)
def check_superusers(app_configs, databases=None, **kwargs):
    """Where two factors are required (production), lists the active superusers: a superuser holds every
    permission at once, so none should exist beside the three administrators (三权分立). Run by `migrate` and by
    `check --database default`."""
    if not databases or not settings.SHUNIU_REQUIRE_TWO_FACTOR:
        return []
    from django.contrib.auth import get_user_model

    try:
        names = list(
            get_user_model()
            .objects.filter(is_superuser=True, is_active=True)
            .order_by("pk")
            .values_list("username", flat=True)
        )
    except DatabaseError:  # not migrated yet
        return []
    if not names:
        return []
    return [
        checks.Warning(
            f"有 {len(names)} 个启用的超级用户：{'、'.join(names)}。超级用户同时拥有全部权限，违反三权分立。",
            hint="以 `shuniu user create NAME --role system-admin|security-admin|audit-admin` 建立三个管理员，"
            "再停用超级用户（在「用户和角色」中，或 `shuniu user deactivate NAME`）。",
            id="accounts.W001",
        )
    ]
