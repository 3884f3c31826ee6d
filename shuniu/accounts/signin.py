"""Signing in and staying signed in (MLPS level 3 "authentication"): the password, then — for whoever signs in with
two factors (`two_factor.py`) — a code; sessions that end after SHUNIU_SESSION_IDLE_MINUTES without a request and
after SESSION_COOKIE_AGE (8 hours) at the latest.

The steps:

1. 登录 (`SignInView`): user name and password, through django-axes' lockout. A user with an authenticator is not
   signed in yet: the session remembers who passed the password (`PENDING`, for five minutes) and the page asks for
   the code. Nothing else is reachable meanwhile, and since no sign-in has happened, django-axes' count of failures
   is not reset by the password: wrong passwords and wrong codes add up to the same five.
2. 验证码 (`SignInCodeView`): six digits from the app, or a recovery code. A wrong one is a failed login for the
   lockout (`user_login_failed`); the right one signs the user in, and the session is marked verified (django-otp).
3. A user who must use two factors but has no authenticator yet is signed in after the password, and
   `SessionPolicyMiddleware` then lets them reach only 设置两步验证 (`TwoFactorEnrollView`) and 退出登录.

`SessionPolicyMiddleware` also ends a session that is idle or too old, and one that should have been verified and
was not (a sign-in through another door, such as Django's admin login, or a device reset since). The time of the
last request is written at most once a minute, not on every request.
"""

import time

import django_otp
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, get_user_model, logout
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from .forms import TwoFactorCodeForm, TwoFactorEnrollForm, TwoFactorResetForm
from .lockout import lockout_response, wants_json
from .two_factor import (
    enrollment_confirm,
    enrollment_device,
    enrollment_key_load,
    enrollment_key_sign,
    is_enrolled,
    password_and_code_check,
    qr_code_data_uri,
    record_recovery_code_use,
    secret_text,
    two_factor_required,
    two_factor_reset,
    verify_code,
)

# session keys
PENDING = "shuniu_signin_pending"  # {"user", "backend", "next", "at"}: passed the password, the code is next
SIGNED_IN_AT = "shuniu_signed_in_at"  # epoch seconds of the sign-in, for the absolute limit
LAST_ACTIVITY = "shuniu_last_activity"  # epoch seconds of the last request, within ACTIVITY_RESOLUTION
TWO_FACTOR_AT_SIGN_IN = "shuniu_two_factor"  # the user had an authenticator when signing in
SIGNED_OUT = "shuniu_signed_out"  # why the last session ended, for the login page to say

PENDING_SECONDS = 5 * 60
ACTIVITY_RESOLUTION = 60  # seconds: the last-activity time is rewritten when older than this

SIGNED_OUT_MESSAGES = {
    "idle": _("由于长时间未操作，您已退出登录。请重新登录。"),
    "expired": _("登录已超过 %(hours)d 小时，请重新登录。"),
    "two_factor": _("此账户须使用两步验证登录，请重新登录并输入验证码。"),
    "pending": _("输入验证码的时间已过，请重新输入用户名和密码。"),
}
WRONG_CODE = _("验证码不正确，或已经用过。请输入身份验证器当前显示的 6 位数字，或一个未用过的恢复码。")
ENROLL_FIRST = _("此账户须使用两步验证：请先设置身份验证器。")
ENROLLED_ALREADY = _("您已设置两步验证。如需更换手机，请先在「我的账户」重置两步验证。")
RECOVERY_CODE_USED = _("您使用了一个恢复码，还剩 %(count)d 个。恢复码用完前，请在「我的账户」重置两步验证并重新设置。")
ENROLL_EXPIRED = _("设置页面已过期，请用新的二维码重新设置。")
RESET_DONE = _("两步验证已重置。请用新手机重新设置身份验证器。")
RESET_REFUSED = _("密码或验证码不正确，两步验证未重置。")


def _now() -> int:
    return int(time.time())


class HomeView(LoginRequiredMixin, View):
    """首页 (the brand in the menu, the error pages' way back): the signed-in user's landing page, so that an
    administrator is not sent to a dashboard that answers 403."""

    def get(self, request):
        return redirect(landing_url(request.user))


def landing_url(user) -> str:
    """Where a user lands after signing in: the dashboard for those who see the city's data; the administrators, who
    do not, on their own page (审计日志, 用户和角色)."""
    from shuniu.audit.models import ObjectChange
    from shuniu.core.access import user_can
    from shuniu.organizations.models import Organization

    if user_can(user, Organization, "view"):
        return resolve_url(settings.LOGIN_REDIRECT_URL)
    if user_can(user, ObjectChange, "view"):
        return reverse("audit:objectchange_list")
    if user.has_perm("auth.view_user"):
        return reverse("user_list")
    return reverse("account")


def _safe_next(request, url: str) -> str:
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return ""


def _with_next(url: str, next_url: str) -> str:
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def sign_out(request, reason: str) -> None:
    """Ends the session and leaves the reason for the login page."""
    logout(request)
    request.session[SIGNED_OUT] = reason


@receiver(user_logged_in, dispatch_uid="shuniu_session_policy")
def session_started(sender, request, user, **kwargs):
    """Every sign-in, by whatever door (our pages, Django's admin, a test's force_login), starts the clocks and
    notes whether the user has an authenticator: such a session must be verified (see the middleware)."""
    if request is None or not hasattr(request, "session"):
        return
    now = _now()
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_ACTIVITY] = now
    request.session[TWO_FACTOR_AT_SIGN_IN] = is_enrolled(user)


class SessionPolicyMiddleware:
    """Ends idle and too old sessions, and holds sessions that lack their second factor (after django-otp's
    OTPMiddleware, which tells whether the session was verified)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if SESSION_KEY in request.session:
            response = self.check(request)
            if response is not None:
                return response
        return self.get_response(request)

    def check(self, request):
        session, now = request.session, _now()
        last, signed_in = session.get(LAST_ACTIVITY), session.get(SIGNED_IN_AT)
        if last is None or signed_in is None:  # a session from before this policy: its clocks start now
            session[LAST_ACTIVITY], session[SIGNED_IN_AT] = now, signed_in or now
        elif now - last > settings.SHUNIU_SESSION_IDLE_MINUTES * 60:
            sign_out(request, "idle")  # the request goes on as anonymous: pages send it to 登录, the API refuses it
            return None
        elif now - signed_in > settings.SESSION_COOKIE_AGE:
            sign_out(request, "expired")
            return None
        elif now - last >= ACTIVITY_RESOLUTION:
            session[LAST_ACTIVITY] = now
        return self.check_two_factor(request)

    def check_two_factor(self, request):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        if request.session.get(TWO_FACTOR_AT_SIGN_IN) or (two_factor_required(user) and is_enrolled(user)):
            sign_out(request, "two_factor")  # has an authenticator, yet this session gave no code
            return None
        if not two_factor_required(user) or request.path in (reverse("two_factor_enroll"), reverse("logout")):
            return None
        if wants_json(request):
            return JsonResponse({"detail": str(ENROLL_FIRST), "code": "two_factor_enrollment_required"}, status=403)
        return redirect(_with_next(reverse("two_factor_enroll"), request.get_full_path()))


class SignInView(auth_views.LoginView):
    """登录: the password step (Django's LoginView with django-axes' lockout), then the code step when it applies."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        reason = self.request.session.pop(SIGNED_OUT, None)
        if reason in SIGNED_OUT_MESSAGES:
            hours = settings.SESSION_COOKIE_AGE // 3600
            context["signed_out"] = str(SIGNED_OUT_MESSAGES[reason]) % {"hours": hours}
        return context

    def form_valid(self, form):
        user = form.get_user()
        self.request.session.pop(PENDING, None)
        if is_enrolled(user):
            self.request.session[PENDING] = {
                "user": user.pk,
                "backend": user.backend,
                "next": self.get_redirect_url(),
                "at": _now(),
            }
            return redirect("signin_code")
        auth_login(self.request, user)
        if two_factor_required(user):
            return redirect(_with_next(reverse("two_factor_enroll"), self.get_success_url()))
        return HttpResponseRedirect(self.get_success_url())

    def get_default_redirect_url(self):
        return landing_url(self.request.user)


@method_decorator([sensitive_post_parameters("code"), never_cache], name="dispatch")
class SignInCodeView(View):
    """登录 · 验证码: the second step, for the user the session remembers from the password step."""

    template_name = "registration/signin_code.html"

    def dispatch(self, request, *args, **kwargs):
        pending = request.session.get(PENDING)
        user = None
        if pending and _now() - pending["at"] <= PENDING_SECONDS:
            user = get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
        if user is None:
            if request.session.pop(PENDING, None):
                request.session[SIGNED_OUT] = "pending"
            return redirect("login")
        self.pending, self.user = pending, user
        return super().dispatch(request, *args, **kwargs)

    def render(self, form, status=200):
        return render(request=self.request, template_name=self.template_name, context={"form": form}, status=status)

    def get(self, request):
        return self.render(TwoFactorCodeForm())

    def post(self, request):
        form = TwoFactorCodeForm(request.POST)
        if not form.is_valid():
            return self.render(form)
        credentials = {"username": self.user.get_username()}
        if settings.AXES_ENABLED and not AxesProxyHandler.is_allowed(request, credentials):
            request.session.pop(PENDING, None)
            return lockout_response(request, credentials=credentials)
        device = verify_code(self.user, form.cleaned_data["code"])
        if device is None:
            user_login_failed.send(sender=type(self), credentials=credentials, request=request)
            if getattr(request, "axes_locked_out", False):
                request.session.pop(PENDING, None)
                return lockout_response(request, credentials=credentials)
            form.add_error("code", WRONG_CODE)
            return self.render(form)
        request.session.pop(PENDING, None)
        auth_login(request, self.user, backend=self.pending["backend"])
        django_otp.login(request, device)
        left = record_recovery_code_use(self.user, device)
        if left is not None:
            messages.warning(request, RECOVERY_CODE_USED % {"count": left})
        return redirect(_safe_next(request, self.pending.get("next", "")) or landing_url(self.user))


@method_decorator(sensitive_post_parameters("code"), name="dispatch")
class TwoFactorEnrollView(LoginRequiredMixin, View):
    """设置两步验证: a new key as a QR code and as text, confirmed by a first code; then the ten recovery codes, shown
    in the answer to that POST and never again (no-store: no cache keeps them). Until the code confirms it, the key
    travels signed in the form (`two_factor.enrollment_key_sign`), so that opening the page stores nothing."""

    template_name = "accounts/two_factor_enroll.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and is_enrolled(request.user):
            messages.info(request, ENROLLED_ALREADY)
            return redirect("account")
        return super().dispatch(request, *args, **kwargs)

    def render(self, form, device):
        """The page for `device`; `form` carries its key (a form posted back carries the key it was given)."""
        context = {
            "form": form,
            "qr_code": qr_code_data_uri(device),
            "secret": secret_text(device),
            "required": two_factor_required(self.request.user),
        }
        response = render(self.request, self.template_name, context)
        add_never_cache_headers(response)
        return response

    def get(self, request):
        device = enrollment_device(request.user)
        return self.render(TwoFactorEnrollForm(initial={"key": enrollment_key_sign(request.user, device)}), device)

    def post(self, request):
        form = TwoFactorEnrollForm(request.POST)
        key = enrollment_key_load(request.user, request.POST.get("key", ""))
        if key is None:  # expired, or not made for this user: start again with a new key
            messages.warning(request, ENROLL_EXPIRED)
            return redirect(request.get_full_path())
        device, codes = enrollment_device(request.user, key), None
        if form.is_valid():
            codes = enrollment_confirm(user=request.user, device=device, code=form.cleaned_data["code"])
            if codes is None:
                form.add_error("code", _("验证码不正确。请确认手机时间准确，并输入身份验证器当前显示的 6 位数字。"))
        if codes is None:
            return self.render(form, device)
        request.session.cycle_key()
        django_otp.login(request, device)
        request.session[TWO_FACTOR_AT_SIGN_IN] = True
        next_url = _safe_next(request, request.GET.get("next", "")) or landing_url(request.user)
        response = render(request, "accounts/two_factor_recovery_codes.html", {"codes": codes, "next": next_url})
        add_never_cache_headers(response)
        return response


@method_decorator(sensitive_post_parameters("password", "code"), name="dispatch")
class TwoFactorResetView(LoginRequiredMixin, View):
    """重置两步验证 (我的账户): with the password and a current code or a recovery code. Wrong ones count for the
    lockout; at the limit the session ends too, as whoever is guessing may not be its owner."""

    http_method_names = ["post"]

    def post(self, request):
        user = request.user
        form = TwoFactorResetForm(request.POST)
        if not form.is_valid():
            messages.error(request, RESET_REFUSED)
            return redirect("account")
        credentials = {"username": user.get_username()}
        if settings.AXES_ENABLED and not AxesProxyHandler.is_allowed(request, credentials):
            logout(request)
            return lockout_response(request, credentials=credentials)
        device = password_and_code_check(user, form.cleaned_data["password"], form.cleaned_data["code"])
        if device is None:
            user_login_failed.send(sender=type(self), credentials=credentials, request=request)
            if getattr(request, "axes_locked_out", False):
                logout(request)
                return lockout_response(request, credentials=credentials)
            messages.error(request, RESET_REFUSED)
            return redirect("account")
        two_factor_reset(user=user)
        request.session[TWO_FACTOR_AT_SIGN_IN] = False
        messages.success(request, RESET_DONE)
        return redirect("two_factor_enroll")
