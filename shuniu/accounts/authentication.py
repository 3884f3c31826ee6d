"""API authentication: HTTP Basic and per-user tokens (DRF's authtoken), both counted by the login lockout.

Basic goes through `django.contrib.auth.authenticate()`, where django-axes counts failures per user name and
address. A wrong token has no user name, so failed token attempts are counted under one pseudo-name per address:
five wrong tokens from an address lock token use from it for the cool-off time. Either lockout answers 429 with a
Chinese JSON message; DRF would otherwise say only "Invalid username/password."
"""

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from drf_spectacular.authentication import BasicScheme
from rest_framework import authentication, exceptions

from .lockout import LOCKED_OUT_STATUS, lockout_message

TOKEN_ATTEMPTS = {"username": "(API token)"}  # the name failed token attempts are counted under, per address


class LockedOut(exceptions.APIException):
    status_code = LOCKED_OUT_STATUS
    default_code = "locked_out"

    def __init__(self):
        super().__init__(detail=lockout_message())


def _locked_out(request) -> bool:
    return bool(getattr(request, "axes_locked_out", False))


class BasicAuthentication(authentication.BasicAuthentication):
    """DRF's Basic authentication, answering a locked-out caller with 429 instead of a plain 401."""

    def authenticate_credentials(self, userid, password, request=None):
        try:
            return super().authenticate_credentials(userid, password, request)
        except exceptions.AuthenticationFailed:
            if _locked_out(request):
                raise LockedOut() from None
            raise


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication (`Authorization: Token <key>`), with failed attempts counted per address."""

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if settings.AXES_ENABLED and not AxesProxyHandler.is_allowed(request, TOKEN_ATTEMPTS):
            raise LockedOut()
        try:
            return super().authenticate(request)
        except exceptions.AuthenticationFailed:
            user_login_failed.send(sender=type(self), credentials=TOKEN_ATTEMPTS, request=request)
            if _locked_out(request):
                raise LockedOut() from None
            raise


class BasicAuthenticationScheme(BasicScheme):
    """Tells drf-spectacular that our Basic authentication is HTTP Basic (its own extension matches DRF's class
    only; the token class is matched through its subclasses)."""

    target_class = BasicAuthentication
