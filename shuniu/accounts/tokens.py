"""API tokens: named, expiring, revocable, and stored hashed, so that neither a database copy nor a page shows one.

A token reads `sn_<prefix>_<secret>`. The prefix (8 hex digits) is kept in clear to find the row and to name the
token on pages, in the command line and in the lockout; the secret (32 random bytes) is kept only as its SHA-256
digest and is compared in constant time. The full token exists once, in the answer to its creation; nobody can be
shown it again, so a lost token is revoked and replaced, never recovered.

A token acts as its user, with the user's scope (the API restricts every queryset by `request.user`). It stops
working when it expires (the user picks 30 to 365 days), when it is revoked, and when the user's password changes
(`ApiToken.password_unchanged`; not when Django merely re-hashes the same password: `keep_tokens_through_a_rehash`).
Created and revoked on 我的账户, by an administrator on the user's page, or with
`shuniu user token|tokens|revoke-token`; every creation and revocation is in the audit log.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuniu import audit

from .models import ApiToken

SCHEME = "sn"
VALIDITY_DAYS = (30, 90, 180, 365)  # what the form offers; the command line takes any number of days up to the most
DEFAULT_DAYS = 90
MAX_DAYS = 365
LAST_USED_STEP = timedelta(minutes=1)  # `last_used_at` is written at most this often per token, not on every call

INVALID = gettext_lazy("API 令牌无效。")
MALFORMED = gettext_lazy("API 令牌格式不对：应为在「我的账户」生成、以 sn_ 开头的令牌（旧的令牌已停用）。")
REFUSED = {
    ApiToken.State.REVOKED: gettext_lazy("API 令牌「%(name)s」已撤销。"),
    ApiToken.State.PASSWORD_CHANGED: gettext_lazy(
        "API 令牌「%(name)s」已失效：用户的密码在令牌生成后修改过。请重新生成令牌。"
    ),
    ApiToken.State.EXPIRED: gettext_lazy("API 令牌「%(name)s」已于 %(expires)s 过期。请重新生成令牌。"),
}
USER_INACTIVE = gettext_lazy("该令牌的用户已停用。")


@dataclass(frozen=True)
class IssuedToken:
    """A new token's record and its full text, which exists only here: show it once and drop it."""

    token: ApiToken
    text: str


class TokenRefused(Exception):
    """A token that does not authenticate, with the reason to answer in Chinese. `wrong_secret` marks a guess (an
    unknown prefix or a wrong secret), which the lockout counts; a real token that is expired, revoked or whose
    user changed their password is refused without counting."""

    def __init__(self, message: str, *, wrong_secret: bool):
        super().__init__(message)
        self.message = message
        self.wrong_secret = wrong_secret


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def parse(text: str) -> tuple[str, str] | None:
    """(prefix, secret) of a token's text, or None when it is not shaped like one of ours."""
    scheme, _sep, rest = text.partition("_")
    prefix, _sep, secret = rest.partition("_")
    if scheme != SCHEME or len(prefix) != 8 or not secret or not all(c in "0123456789abcdef" for c in prefix):
        return None
    return prefix, secret


def _new_prefix() -> str:
    while True:
        prefix = secrets.token_hex(4)
        if not ApiToken.objects.filter(prefix=prefix).exists():
            return prefix


def _clean(name: str, days) -> tuple[str, int]:
    errors = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = _("请填写令牌名称，例如「区里的报表脚本」。")
    elif len(name) > ApiToken._meta.get_field("name").max_length:
        errors["name"] = _("令牌名称不能超过 100 个字。")
    try:
        days = int(days)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= MAX_DAYS:
        errors["days"] = _("有效期须为 1 到 %(max)d 天。") % {"max": MAX_DAYS}
    if errors:
        raise ValidationError(errors)
    return name, days


@transaction.atomic
def api_token_create(*, user, name: str, days: int = DEFAULT_DAYS) -> IssuedToken:
    """A new token for `user`, valid for `days` days. The user's other tokens keep working."""
    name, days = _clean(name, days)
    secret, now = secrets.token_urlsafe(32), timezone.now()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=_new_prefix(),
        digest=digest(secret),
        password_fingerprint=ApiToken.fingerprint(user.password or ""),
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    message = f"生成了 API 令牌「{name}」（{token.prefix}），有效至 {_local_time(token.expires_at)}"
    audit.record(user, audit.AuditAction.UPDATE, message=message)
    return IssuedToken(token=token, text=f"{SCHEME}_{token.prefix}_{secret}")


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> bool:
    """Revokes `token` (the row stays, as history); False when it was revoked already."""
    revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db(fields=["revoked_at"])
    if revoked:
        audit.record(token.user, audit.AuditAction.UPDATE, message=f"撤销了 API 令牌「{token.name}」（{token.prefix}）")
    return revoked > 0


def api_token_find(text: str) -> ApiToken | None:
    """The token whose prefix `text` carries, used or not; None for text that names none."""
    parsed = parse(text)
    if parsed is None:
        return None
    return ApiToken.objects.select_related("user").filter(prefix=parsed[0]).first()


def api_token_check(token: ApiToken | None, text: str) -> ApiToken:
    """`token` (found by `api_token_find(text)`) if `text` is its full text and it may be used now; else
    TokenRefused. Notes the use (at most once a minute)."""
    if token is None:
        raise TokenRefused(str(MALFORMED if parse(text) is None else INVALID), wrong_secret=True)
    if not constant_time_compare(token.digest, digest(parse(text)[1])):
        raise TokenRefused(str(INVALID), wrong_secret=True)
    state = token.state
    if state != ApiToken.State.ACTIVE:
        message = REFUSED[state] % {"name": token.name, "expires": _local_time(token.expires_at)}
        raise TokenRefused(message, wrong_secret=False)
    if not token.user.is_active:
        raise TokenRefused(str(USER_INACTIVE), wrong_secret=False)
    _note_use(token)
    return token


def _local_time(moment) -> str:
    return date_format(timezone.localtime(moment), "Y-m-d H:i")


def _note_use(token: ApiToken) -> None:
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_STEP:
        # conditional, so that concurrent calls write once; no audit row: a use is not a change
        stale = ApiToken.objects.filter(pk=token.pk).exclude(last_used_at__gt=now - LAST_USED_STEP)
        if stale.update(last_used_at=now):
            token.last_used_at = now


@receiver(pre_save, sender=settings.AUTH_USER_MODEL)
def keep_tokens_through_a_rehash(sender, instance, update_fields=None, **kwargs):
    """Django re-hashes a password at sign-in when the hasher or its parameters changed (`check_password`'s setter
    saves only `password`, and marks it as no change of password): the password is the same, so the tokens made
    under the old hash are moved to the new one instead of dying as if it had changed. A real change (`set_password`
    then `save`) leaves them behind."""
    if instance.pk is None or update_fields is None or set(update_fields) != {"password"}:
        return
    if getattr(instance, "_password", None) is not None:  # set_password: a new password
        return
    old = sender._default_manager.filter(pk=instance.pk).values_list("password", flat=True).first()
    if not old or old == instance.password:
        return
    for token in ApiToken.objects.filter(user_id=instance.pk, revoked_at__isnull=True):
        if constant_time_compare(token.password_fingerprint, ApiToken.fingerprint(old)):
            ApiToken.objects.filter(pk=token.pk).update(password_fingerprint=ApiToken.fingerprint(instance.password))
