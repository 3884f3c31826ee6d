"""What a locked-out login gets back (django-axes calls `lockout_response`, see AXES_LOCKOUT_CALLABLE): the login
page again with a Chinese explanation, or a JSON refusal for API and script callers. Never axes' bare English text.
"""

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

LOCKED_OUT = _("%(what)s失败次数过多，已被暂时锁定 %(minutes)d 分钟。请稍后再试，或请安全管理员解锁。")
SIGN_IN = _("登录")
LOCKED_OUT_STATUS = 429


def lockout_message(what=SIGN_IN) -> str:
    """The refusal of a locked-out sign-in (or of `what` else: an API token's check); the security administrator
    lifts lockouts (三权分立)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return LOCKED_OUT % {"what": what, "minutes": minutes}


def wants_json(request: HttpRequest) -> bool:
    accept = request.headers.get("Accept", "")
    return (
        request.path.startswith("/api/")
        or request.headers.get("X-Requested-With") == "XMLHttpRequest"
        or ("application/json" in accept and "text/html" not in accept)
    )


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    message = lockout_message()
    if wants_json(request):
        return JsonResponse({"detail": message, "code": "locked_out"}, status=LOCKED_OUT_STATUS)
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    context = {
        "form": AuthenticationForm(request, initial={"username": username}),
        "locked_out": message,
        "next": request.POST.get("next") or request.GET.get("next", ""),
    }
    return render(request, "registration/login.html", context, status=LOCKED_OUT_STATUS)


def client_address(request: HttpRequest) -> str | None:
    """The address the lockout counts under (AXES_CLIENT_IP_CALLABLE). Behind SHUNIU_PROXY_COUNT reverse proxies it
    is the entry that many places from the right of X-Forwarded-For, the one the outermost proxy saw; entries further
    left were written by the client and are not trusted. Without proxies, or without the header, REMOTE_ADDR."""
    count = settings.SHUNIU_PROXY_COUNT
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if count and len(forwarded) >= count:
        return forwarded[-count]
    return request.META.get("REMOTE_ADDR")
