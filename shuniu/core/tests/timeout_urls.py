"""Test-only URLs for test_timeouts.py: a page and an API endpoint whose statement runs longer than the test's
statement timeout (`SELECT pg_sleep`), and one that answers at once, beside the site's own URLs (the error page's
layout links to them)."""

from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.urls import path

from shuniu.config.urls import urlpatterns as site_urlpatterns

SLEEP_SECONDS = 3


def slow(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(%s)", [SLEEP_SECONDS])
    return HttpResponse("finished")


def quick(request):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('statement_timeout'), current_setting('max_parallel_workers_per_gather')"
        )
        timeout, workers = cursor.fetchone()
        return JsonResponse({"statement_timeout": timeout, "parallel_workers": workers})


urlpatterns = [
    path("timeout-test/slow/", slow),
    path("timeout-test/quick/", quick),
    path("api/timeout-test/slow/", slow),
    *site_urlpatterns,
]
