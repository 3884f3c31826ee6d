"""The error pages (shuniu.core.errors): 403, 404, 500 and a CSRF failure answer in the user's language inside the
site's layout with a way back, show nothing of what exists outside the user's scope, and a refusal is logged as one
line while a server error keeps its traceback. pytest-django runs with DEBUG=False, as production does.

This module is also the URLconf of the tests marked `urls`: the project's URLs plus views that fail on purpose."""

import logging

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import path, reverse

from shuniu.accounts.testing import user_with_role
from shuniu.config import urls as project_urls
from shuniu.core.errors import PermissionDeniedWithReason, server_error
from shuniu.organizations.tests.factories import OrganizationFactory, district

SECRET_NAME = "北京市海淀区不可见测试协会"


def refuse_naming_a_record(request):
    raise PermissionDenied(f"{SECRET_NAME} is outside your scope")


def refuse_with_reason(request):
    raise PermissionDeniedWithReason("只有上传者可以确认这个导入。")


def fail(request):
    raise RuntimeError(f"a bug while reading {SECRET_NAME}")


urlpatterns = [
    path("test-errors/refuse/", refuse_naming_a_record),
    path("test-errors/refuse-with-reason/", refuse_with_reason),
    path("test-errors/fail/", fail),
    path("api/test-errors/fail/", fail),
    *project_urls.urlpatterns,
]
handler403 = project_urls.handler403
handler404 = project_urls.handler404
handler500 = project_urls.handler500

LAYOUT = 'class="navbar navbar-expand-lg navbar-dark sn-navbar"'  # base.html's header
MENU = ("退出登录",)  # base.html's user menu, shown to any signed-in user (the other entries follow permissions)
HOME = f'href="{reverse("home")}" data-testid="error-home"'


@pytest.fixture
def officer(db):
    """A district office of 朝阳区: organizations of 海淀区 are outside its scope."""
    return user_with_role("district-office", area=district("110105"))


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client


def page(response) -> str:
    assert response["Content-Type"].startswith("text/html"), response["Content-Type"]
    return response.content.decode()


def assert_site_page(content: str, *, status: int, signed_in: bool = True):
    assert LAYOUT in content and f'data-status="{status}"' in content
    assert HOME in content and "首页" in content
    assert '<html lang="zh-hans">' in content
    for entry in MENU:
        assert (entry in content) is signed_in, entry


@pytest.mark.django_db
def test_403_is_chinese_in_the_layout_and_logged_as_one_line(client, django_user_model, caplog):
    assert settings.DEBUG is False  # with DEBUG on, Django would show its technical pages, not these
    nobody = django_user_model.objects.create_user("no-role", password="x")  # holds no role: may see no list
    client.force_login(nobody)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get(reverse("organizations:organization_list"))
    assert response.status_code == 403
    content = page(response)
    assert_site_page(content, status=403)
    assert "没有权限" in content and "请联系本单位的安全管理员" in content
    assert "您没有执行此操作的权限" in content  # the generic refusal is written for the user (and names nothing)

    (record,) = [r for r in caplog.records if r.name == "django.request"]
    assert record.getMessage() == "Forbidden (Permission denied): /organizations/"
    assert record.levelno == logging.WARNING and record.exc_info is None
    assert "Traceback" not in caplog.text and len(caplog.text.strip().splitlines()) == 1


@pytest.mark.urls(__name__)
def test_403_shows_a_message_only_when_it_is_marked_for_the_user(officer_client):
    content = page(officer_client.get("/test-errors/refuse/"))
    assert SECRET_NAME not in content and "outside your scope" not in content
    assert 'data-testid="error-reason"' not in content

    response = officer_client.get("/test-errors/refuse-with-reason/")
    assert response.status_code == 403
    assert '<p class="mt-3 mb-0" data-testid="error-reason">只有上传者可以确认这个导入。</p>' in page(response)


def test_404_is_chinese_in_the_layout_and_says_nothing_of_a_record_outside_the_scope(officer_client):
    outside = OrganizationFactory(name=SECRET_NAME, district=district("110108"))
    url = reverse("organizations:organization", kwargs={"pk": outside.pk})
    response = officer_client.get(url)
    assert response.status_code == 404
    content = page(response)
    assert_site_page(content, status=404)
    assert f'href="{reverse("organizations:organization_list")}"' in content  # the menu, for a way on
    assert "页面不存在" in content and "不在您的权限范围内" in content
    assert SECRET_NAME not in content and outside.uscc not in content
    assert "matches the given query" not in content  # get_object_or_404's English message

    missing = officer_client.get("/no-such-page/")
    assert missing.status_code == 404 and "页面不存在" in page(missing)


@pytest.mark.django_db
def test_404_for_an_anonymous_visitor_has_the_layout_without_the_menu(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert_site_page(page(response), status=404, signed_in=False)


def test_pages_follow_the_language_the_user_chose(officer_client):
    officer_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    content = page(officer_client.get("/no-such-page/"))
    assert '<html lang="en">' in content
    assert "Page not found" in content and "Home" in content and "Coverage dashboard" in content
    assert "页面不存在" not in content and "首页" not in content


def test_the_way_back_is_the_previous_page_of_this_site_only(officer_client):
    came_from = "http://testserver/organizations/?q=%E5%8D%8F%E4%BC%9A"
    content = page(officer_client.get("/no-such-page/", headers={"Referer": came_from}))
    assert f'href="{came_from}" data-testid="error-back"' in content and "返回上一页" in content

    for elsewhere in ("https://evil.example/", "javascript:alert(1)", ""):
        content = page(officer_client.get("/no-such-page/", headers={"Referer": elsewhere}))
        assert 'data-testid="error-back"' not in content and "返回上一页" not in content, elsewhere


def test_csrf_failure_is_the_chinese_page_with_403(officer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"}, headers={"Referer": "/x"})
    assert response.status_code == 403
    content = page(response)
    assert_site_page(content, status=403)
    assert "页面已过期，提交未被处理" in content and "刷新后重新提交" in content
    assert "CSRF verification failed" not in content and "CSRF token" not in content
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies  # nothing was done


@pytest.mark.urls(__name__)
def test_500_is_a_standalone_chinese_page_and_keeps_its_traceback_in_the_log(officer, caplog):
    client = Client(raise_request_exception=False)
    client.force_login(officer)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/test-errors/fail/")
    assert response.status_code == 500
    content = page(response)
    assert "系统出错" in content and "错误已记录" in content and 'data-status="500"' in content
    assert 'class="navbar navbar-dark sn-navbar"' in content and "北京市枢纽型社会组织工作信息系统" in content
    assert HOME in content
    assert officer.username not in content and "退出登录" not in content  # no user, no menu: nothing that queries
    assert SECRET_NAME not in content and "RuntimeError" not in content

    (record,) = [r for r in caplog.records if r.name == "django.request"]
    assert record.exc_info is not None and record.exc_info[0] is RuntimeError
    assert "Traceback" in caplog.text


def test_500_page_needs_neither_the_database_nor_the_user(rf):
    """No `db` fixture: pytest-django makes any query fail here. The request has no user and no session."""
    response = server_error(rf.get("/organizations/", headers={"Referer": "http://testserver/hubs/"}))
    assert response.status_code == 500
    content = response.content.decode()
    assert "系统出错" in content and HOME in content
    assert 'href="http://testserver/hubs/" data-testid="error-back"' in content


@pytest.mark.urls(__name__)
def test_errors_under_api_are_json(officer):
    client = Client(raise_request_exception=False)
    client.force_login(officer)
    missing = client.get("/api/no-such-endpoint/")
    assert missing.status_code == 404 and missing["Content-Type"] == "application/json"
    assert missing.json() == {"detail": "未找到。"}
    failed = client.get("/api/test-errors/fail/")
    assert failed.status_code == 500 and failed["Content-Type"] == "application/json"
    assert failed.json() == {"detail": "服务器出现了错误。"}
