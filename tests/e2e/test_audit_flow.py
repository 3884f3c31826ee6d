"""The audit log in a real browser: edit an organization through its form, open its 变更记录 and read who changed
what; then find the change in the administrators' 审计日志 by its request id."""

from pathlib import Path

import pytest

from shuniu.organizations.tests.factories import OrganizationFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reference_data")]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results"


def test_an_edit_shows_in_the_change_log_and_the_audit_search(page, live_server, django_user_model):
    django_user_model.objects.create_superuser("auditor", "auditor@example.com", "correct-horse-9")
    organization = OrganizationFactory(name="北京市朝阳区审计示例协会", address="朝阳路1号")
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(live_server.url + organization.get_absolute_url())
    page.get_by_label("用户名").fill("auditor")
    page.get_by_label("密码").fill("correct-horse-9")
    page.get_by_role("button", name="登录").click()

    page.get_by_role("link", name="编辑").first.click()
    page.get_by_label("住所").fill("建国路2号")
    with page.expect_response(lambda response: response.request.method == "POST") as posted:
        page.get_by_role("button", name="保存").click()
    request_id = posted.value.headers["x-request-id"]

    page.get_by_test_id("changelog-link").click()
    row = page.get_by_test_id("change-update")
    assert "住所：朝阳路1号 → 建国路2号" in row.inner_text()
    assert "auditor" in row.inner_text() and request_id[:8] in row.inner_text()
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "audit-changelog.png"), full_page=True)

    page.get_by_test_id("audit-nav").click()
    filters = page.locator("#filter-form")
    filters.get_by_label("请求编号").fill(request_id)
    filters.get_by_role("button", name="筛选").click()
    table = page.locator("#object-table")
    assert "共 1 条" in table.inner_text() and "北京市朝阳区审计示例协会" in table.inner_text()
    page.screenshot(path=str(SCREENSHOTS / "audit-search.png"), full_page=True)
    assert not errors, errors
