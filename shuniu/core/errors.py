"""What a user sees, and what the log keeps, when a request fails: 403, 404, 500 and a CSRF failure.

The pages (templates 403.html, 404.html, 500.html, 403_csrf.html) are in the user's language, inside the site's
layout, and offer a way back: 首页, and 返回上一页 when the request came from a page of this site (a link to the
Referer: the Content-Security-Policy allows no inline script for `history.back()`).

They say what happened and nothing about what exists. A 404 is also the answer for a record outside the user's scope,
so it reads "does not exist or is not yours to see". The message a view puts into `PermissionDenied` or `Http404` is
for the developer and may name a record, so it is never shown; only a `PermissionDeniedWithReason` is, whose message
is written for the user and must name no record the user may not see.

The 500 page is rendered without the request: the layout may query the database (the menu, the user's permissions)
and the database may be what failed. It is a standalone page with the site's header and styles.

Under /api/ the answers are JSON, like the API's own errors. Django logs a refusal with its traceback; the filter
`ClientErrorsWithoutTraceback` (LOGGING, logger django.request) keeps such a client error to its one line, while a
server error keeps its traceback.
"""

import logging

from django.core.exceptions import DisallowedHost, PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme
from rest_framework import exceptions as api_exceptions

API_PREFIX = "/api/"


class PermissionDeniedWithReason(PermissionDenied):
    """A refusal whose message is written for the user (in `_()`), so the 403 page shows it, e.g.
    `raise PermissionDeniedWithReason(_("只有上传者可以确认这个导入。"))`. The message must not name a record
    outside the user's scope; a plain `PermissionDenied` gets the page's generic text."""


class ClientErrorsWithoutTraceback(logging.Filter):
    """For the django.request logger: a client error (4xx, above all "Forbidden (Permission denied): /path") is logged
    as one line, without the traceback Django attaches; server errors (5xx) keep theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is not None and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True


def back_url(request: HttpRequest) -> str | None:
    """The page the user came from (the Referer) when it is a page of this site, for the 返回上一页 link."""
    referer = request.headers.get("Referer", "")
    try:
        host = request.get_host()
    except DisallowedHost:
        return None
    if referer and url_has_allowed_host_and_scheme(referer, {host}, require_https=request.is_secure()):
        return referer
    return None


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler403: the generic refusal, or the message of a PermissionDeniedWithReason."""
    reason = str(exception) if isinstance(exception, PermissionDeniedWithReason) else None
    if _is_api(request):
        return JsonResponse({"detail": reason or str(api_exceptions.PermissionDenied.default_detail)}, status=403)
    return render(request, "403.html", {"reason": reason, "back_url": back_url(request)}, status=403)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler404: neither the exception's message nor the path is shown."""
    if _is_api(request):
        return JsonResponse({"detail": str(api_exceptions.NotFound.default_detail)}, status=404)
    return render(request, "404.html", {"back_url": back_url(request)}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: rendered without the request (no context processor, no user, no database)."""
    if _is_api(request):
        return JsonResponse({"detail": str(api_exceptions.APIException.default_detail)}, status=500)
    page = loader.get_template("500.html").render({"back_url": back_url(request)})
    return HttpResponse(page, status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: the form's page has expired or the browser sent no cookie. Django logs the reason
    (django.security.csrf); the page does not show it."""
    return render(request, "403_csrf.html", {"back_url": back_url(request)}, status=403)
