"""The statement timeout of web requests (shuniu/core/timeouts.py), on PostgreSQL with a real slow statement: a page
or an API call whose query runs past it answers 503 with the Chinese message, the connection keeps working, and a
connection opened while serving a request is given the timeout once, not on every request."""

import time

import pytest
from django.db import connection
from django.test.utils import override_settings

from shuniu.core.tests.timeout_urls import SLEEP_SECONDS

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="statement_timeout is PostgreSQL's"),
    pytest.mark.urls("shuniu.core.tests.timeout_urls"),
]


@pytest.fixture
def bounded(transactional_db, admin_client):
    """Autocommit, as in production; the connection closed so that the next request opens one (as a server thread
    does), and closed again afterwards so that no later test inherits the timeout."""
    with override_settings(SHUNIU_STATEMENT_TIMEOUT=0.3):
        connection.close()
        yield admin_client
    connection.close()


def test_a_page_whose_query_runs_too_long_answers_503_with_the_chinese_message(bounded):
    started = time.perf_counter()
    response = bounded.get("/timeout-test/slow/")
    assert time.perf_counter() - started < SLEEP_SECONDS  # cut off, not waited for
    assert response.status_code == 503
    content = response.content.decode()
    assert "查询超时" in content and "0.3 秒" in content and "请缩小筛选范围" in content
    assert 'data-status="503"' in content and "sn-navbar" in content  # the site's layout


def test_an_api_call_whose_query_runs_too_long_answers_json(bounded):
    response = bounded.get("/api/timeout-test/slow/")
    assert response.status_code == 503
    assert response.json()["detail"].startswith("查询超时")


def test_the_connection_stays_usable_and_is_bounded_once(bounded):
    statements = []

    def record(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):  # unlike CaptureQueriesContext, opens no connection itself
        assert bounded.get("/timeout-test/slow/").status_code == 503
        opened = list(statements)
        for _ in range(2):
            response = bounded.get("/timeout-test/quick/")
            assert response.status_code == 200
            assert response.json() == {"statement_timeout": "300ms", "parallel_workers": "0"}
    bound = ["SET statement_timeout = 300; SET max_parallel_workers_per_gather = 0"]
    assert [sql for sql in opened if sql.startswith("SET")] == bound
    assert [sql for sql in statements if sql.startswith("SET")] == bound  # not again


def test_a_changed_setting_reaches_new_connections_and_zero_means_no_bound(bounded):
    assert bounded.get("/timeout-test/quick/").json() == {"statement_timeout": "300ms", "parallel_workers": "0"}
    with override_settings(SHUNIU_STATEMENT_TIMEOUT=2):
        connection.close()
        assert bounded.get("/timeout-test/quick/").json() == {"statement_timeout": "2s", "parallel_workers": "0"}
    with override_settings(SHUNIU_STATEMENT_TIMEOUT=0):
        connection.close()
        assert bounded.get("/timeout-test/quick/").json() == {"statement_timeout": "0", "parallel_workers": "0"}


def test_connections_opened_outside_web_requests_are_not_bounded(bounded):
    """Commands and the worker never pass through the middleware: their connections keep the server's default."""
    assert bounded.get("/timeout-test/quick/").json() == {"statement_timeout": "300ms", "parallel_workers": "0"}
    connection.close()
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('statement_timeout')")
        assert cursor.fetchone()[0] == "0"
        cursor.execute(
            "SELECT current_setting('max_parallel_workers_per_gather'), reset_val FROM pg_settings "
            "WHERE name = 'max_parallel_workers_per_gather'"
        )
        setting, servers_own = cursor.fetchone()
        assert setting == servers_own  # the server's setting, whatever it is


def test_web_requests_run_with_the_configured_parallel_workers(bounded):
    with override_settings(SHUNIU_WEB_PARALLEL_WORKERS=1):
        connection.close()
        assert bounded.get("/timeout-test/quick/").json() == {"statement_timeout": "300ms", "parallel_workers": "1"}
