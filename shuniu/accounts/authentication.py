"""API authentication: HTTP Basic and personal API tokens (`tokens.py`), both counted by the login lockout.

Basic goes through `django.contrib.auth.authenticate()`, where django-axes counts failures per user name and
address. A token carries no user name, so its failures are counted under a pseudo-name, and not per address: an
office reaches the server through one address, and one client's wrong token must not lock out its colleagues.

- A wrong secret for a known prefix is counted under that prefix (`api-token:<prefix>`), from any address: five
  lock that one token for the cool-off time (AXES_COOLOFF_TIME), even with the right secret, as a locked user name
  refuses the right password. Every other token, from the same address too, keeps working.
- A text that names no token (an unknown prefix, or not one of our tokens, such as the clear-text tokens of old) is
  counted under `api-token:unknown` per address: five lock out only further unknown tokens from that address. Such
  a caller cannot be guessing a secret (32 random bytes); the count only records and slows the scan.
- A real token that is expired, revoked or older than its user's password is refused with its reason, uncounted.

A lockout answers 429 with a Chinese JSON message (`{"detail": "…"}`); DRF would otherwise say only "Invalid
username/password.". Both classes say so (`answers_locked_out`), and the OpenAPI document lists 429 on every
operation they guard (`core.api.schema`).

Tokens are the way for scripts: a token is checked with one SHA-256, where HTTP Basic verifies the password with
Argon2 on every request, some 200 ms of CPU by design (README, "API"; benchmarks/RESULTS.md). Basic stays for a
person trying the API by hand.
"""

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.utils.translation import gettext_lazy as _
from drf_spectacular.authentication import BasicScheme, TokenScheme
from rest_framework import authentication, exceptions

from .lockout import LOCKED_OUT_STATUS, lockout_message
from .tokens import TokenRefused, api_token_check, api_token_find
from .two_factor import two_factor_applies

TOKEN_ATTEMPTS = "api-token:"  # the pseudo-names token failures are counted under: this, then the prefix
UNKNOWN_TOKEN = {"username": TOKEN_ATTEMPTS + "unknown"}
LOGIN_LOCKOUT = [["username", "ip_address"]]  # the login page and HTTP Basic: the pair, see AXES_LOCKOUT_PARAMETERS
TOKEN_CHECKS = _("此 API 令牌的验证")


def lockout_parameters(request_or_attempt, credentials=None) -> list:
    """What django-axes counts failures by (AXES_LOCKOUT_PARAMETERS): a known token's pseudo-name alone, anything
    else by name and address."""
    if credentials is not None:
        username = credentials.get("username") or ""
    else:
        username = getattr(request_or_attempt, "username", None) or ""
    if username.startswith(TOKEN_ATTEMPTS) and username != UNKNOWN_TOKEN["username"]:
        return [["username"]]
    return LOGIN_LOCKOUT


class LockedOut(exceptions.APIException):
    status_code = LOCKED_OUT_STATUS
    default_code = "locked_out"

    def __init__(self, detail=None):
        super().__init__(detail=detail or lockout_message())


def _locked_out(request) -> bool:
    return bool(getattr(request, "axes_locked_out", False))


def _token_locked_out() -> LockedOut:
    return LockedOut(lockout_message(TOKEN_CHECKS))


class BasicAuthentication(authentication.BasicAuthentication):
    """DRF's Basic authentication, answering a locked-out caller with 429 instead of a plain 401, and refused to a
    user who signs in with two factors: a password alone must not reach through the API what the sign-in page guards
    with a second factor. They use an API token, created in a two-factor session."""

    answers_locked_out = True

    def authenticate_credentials(self, userid, password, request=None):
        try:
            user, auth = super().authenticate_credentials(userid, password, request)
        except exceptions.AuthenticationFailed:
            if _locked_out(request):
                raise LockedOut() from None
            raise
        if two_factor_applies(user):
            raise exceptions.AuthenticationFailed(
                _("此账户须使用两步验证登录，不能用用户名和密码访问 API。请在「我的账户」生成 API 令牌，以令牌访问。")
            )
        return user, auth


class TokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Token sn_<prefix>_<secret>`: the token's user, with `request.auth` the `ApiToken`."""

    keyword = "Token"
    answers_locked_out = True

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("请求头应为 Authorization: Token 令牌（令牌中不含空格）。"))
        try:
            text = header[1].decode("ascii")
        except UnicodeError:
            text = ""
        token = api_token_find(text)
        credentials = {"username": TOKEN_ATTEMPTS + token.prefix} if token else UNKNOWN_TOKEN
        if settings.AXES_ENABLED and not AxesProxyHandler.is_allowed(request, credentials):
            raise _token_locked_out()
        try:
            token = api_token_check(token, text)
        except TokenRefused as refused:
            if refused.wrong_secret:
                user_login_failed.send(sender=type(self), credentials=credentials, request=request)
                if _locked_out(request):
                    raise _token_locked_out() from None
            raise exceptions.AuthenticationFailed(refused.message) from None
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword


class BasicAuthenticationScheme(BasicScheme):
    """Tells drf-spectacular that our Basic authentication is HTTP Basic (its own extension matches DRF's class
    only)."""

    target_class = BasicAuthentication


class TokenAuthenticationScheme(TokenScheme):
    """… and that our token authentication is DRF's `Authorization: Token …` scheme (ours is not DRF's subclass)."""

    target_class = TokenAuthentication
    match_subclasses = False
