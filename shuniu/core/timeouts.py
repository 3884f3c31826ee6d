"""A bound on every statement a web request runs (PostgreSQL), and the answer when a request reaches it.

Without one, a list whose query falls off a plan cliff runs for minutes, keeps running after the user has left, and a
handful of such requests hold every thread of the server. `SHUNIU_STATEMENT_TIMEOUT` (seconds, default 30; 0: none)
becomes the `statement_timeout` of every database connection opened while a web request is served: one `SET` when
the connection opens (`connection_created`), none per request on a persistent connection (CONN_MAX_AGE). Only
web requests are bounded: the middleware marks the thread while it serves one, so `shuniu` commands and the
background worker, which run long statements on purpose, keep the server's default. A connection keeps the value it
was opened with (a changed setting reaches new connections).

The same `SET` gives web requests `max_parallel_workers_per_gather = SHUNIU_WEB_PARALLEL_WORKERS` (default 0): a
page's statement gains nothing from parallel workers on a server answering many users at once — the dashboard's
figures at 100k took as long with two workers as without, and 10–20 % more CPU (benchmarks/RESULTS.md) — while
commands and the worker keep the server's setting for their long statements.

A statement cut off by it fails with SQLSTATE 57014 (query_canceled); the request then answers 503 with a page in
the site's layout (JSON `{"detail": …}` under /api/) that says what happened and what to do, instead of a 500. The
connection stays usable: in autocommit the failed statement is over, and a view's atomic block has rolled back.
"""

import logging
import threading

from django.conf import settings
from django.db import DatabaseError
from django.db.backends.signals import connection_created
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .errors import API_PREFIX, back_url

logger = logging.getLogger(__name__)
_serving = threading.local()  # .request: this thread is serving a web request

QUERY_CANCELED = "57014"


def timeout_milliseconds() -> int:
    return max(int(float(settings.SHUNIU_STATEMENT_TIMEOUT) * 1000), 0)


def web_request_settings() -> list[str]:
    """The `SET` statements a web request's connection starts with."""
    statements = []
    if milliseconds := timeout_milliseconds():
        statements.append(f"SET statement_timeout = {int(milliseconds)}")
    statements.append(f"SET max_parallel_workers_per_gather = {max(int(settings.SHUNIU_WEB_PARALLEL_WORKERS), 0)}")
    return statements


def bound_new_connection(sender, connection, **kwargs) -> None:
    """`connection_created` receiver: a connection opened while this thread serves a web request gets the bound
    (one round trip for every setting)."""
    if connection.vendor != "postgresql" or not getattr(_serving, "request", False):
        return
    with connection.cursor() as cursor:
        cursor.execute("; ".join(web_request_settings()))


def is_statement_timeout(exception: BaseException) -> bool:
    """Whether `exception` is, or was caused by, a statement cancelled by statement_timeout."""
    while exception is not None:
        if getattr(exception, "sqlstate", None) == QUERY_CANCELED:
            return True
        exception = exception.__cause__
    return False


def timeout_message() -> str:
    seconds = float(settings.SHUNIU_STATEMENT_TIMEOUT)
    return _(
        "查询超时：这次查询超过 %(seconds)s 秒仍未完成，系统已中止它。请缩小筛选范围（例如选择一个区或街道、"
        "加上类型或领域等条件）后重试；如果仍然超时，请联系系统管理员。"
    ) % {"seconds": f"{seconds:g}"}


class StatementTimeoutMiddleware:
    """Marks the thread as serving a web request, so that the connections it opens are bounded
    (`bound_new_connection`), and turns a statement cut off by the bound into a 503. First in MIDDLEWARE: no
    connection is opened before it or after it within a request."""

    def __init__(self, get_response):
        self.get_response = get_response
        connection_created.connect(bound_new_connection, dispatch_uid="shuniu.core.timeouts")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        _serving.request = True
        try:
            return self.get_response(request)
        finally:
            _serving.request = False

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DatabaseError) or not is_statement_timeout(exception):
            return None
        logger.warning(
            "Statement timeout (%s s): %s %s", settings.SHUNIU_STATEMENT_TIMEOUT, request.method, request.path
        )
        message = timeout_message()
        if request.path.startswith(API_PREFIX):
            return JsonResponse({"detail": message}, status=503)
        return render(request, "503.html", {"message": message, "back_url": back_url(request)}, status=503)
