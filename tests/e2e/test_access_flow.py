"""The access done-when flow in a real browser: the administrator creates a district officer and a hub staff
account in the UI; each logs in and sees exactly their scope on the list, the detail pages and the dashboard."""

from datetime import date
from pathlib import Path

import pytest

from shuniu.areas.models import Area
from shuniu.hubs.choices import HubLevel
from shuniu.hubs.tests.factories import HubFactory, LinkFactory
from shuniu.organizations.choices import OrganizationKind
from shuniu.organizations.tests.factories import OrganizationFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reference_data")]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results"
PASSWORD = "Scope-check-2026"


def log_in(page, url, username, password):
    page.context.clear_cookies()
    page.goto(url + "/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def create_user(page, url, username, role_label, *, area=None, organization=None):
    page.goto(url + "/")
    page.locator(".dropdown-toggle").last.click()
    page.get_by_test_id("users-link").click()
    page.get_by_test_id("user-add").click()
    page.get_by_label("用户名").fill(username)
    page.get_by_label("初始密码").fill(PASSWORD)
    page.get_by_label("再次输入密码").fill(PASSWORD)
    page.get_by_label("角色").select_option(label=role_label)
    if area:
        page.get_by_label("区划").select_option(label=area)
    if organization:
        page.get_by_label("组织编号").fill(str(organization))
    page.get_by_role("button", name="保存").click()
    page.wait_for_selector("[data-testid=assignments]")


def test_a_district_officer_and_hub_staff_see_their_scope(page, live_server, django_user_model):
    django_user_model.objects.create_superuser("admin", "admin@example.com", "admin-pass-2026")
    chaoyang, haidian = Area.objects.get(code="110105"), Area.objects.get(code="110108")
    ours = OrganizationFactory(name="朝阳区养老服务协会", district=chaoyang, founded_on=date(2010, 1, 1))
    theirs = OrganizationFactory(name="海淀区科普协会", district=haidian, founded_on=date(2010, 1, 1))
    other_chaoyang = OrganizationFactory(name="朝阳区书画研究会", district=chaoyang, founded_on=date(2010, 1, 1))
    hub = HubFactory(
        organization=OrganizationFactory(
            name="朝阳区社会组织联合会", kind=OrganizationKind.MASS_ORGANIZATION, district=chaoyang
        ),
        level=HubLevel.DISTRICT,
        area=chaoyang,
    )
    LinkFactory(hub=hub, organization=ours, start_date=date(2012, 1, 1))
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    url = live_server.url
    log_in(page, url, "admin", "admin-pass-2026")
    create_user(page, url, "chaoyang-officer", "区级工作人员：本区的社会组织、枢纽和联系关系", area="朝阳区")
    assert "区级工作人员 · 朝阳区" in page.get_by_test_id("assignments").inner_text().replace("\n", " ")
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "access-user.png"), full_page=True)
    create_user(
        page,
        url,
        "hub-staff",
        "枢纽工作人员：本枢纽的记录和它联系过的社会组织；只能维护本枢纽当前的联系关系",
        organization=hub.organization.pk,
    )

    log_in(page, url, "chaoyang-officer", PASSWORD)
    assert "朝阳区枢纽型社会组织覆盖率" in page.content()
    assert page.get_by_test_id("headline-denominator").inner_text() == "2"  # the two social organizations of 朝阳区
    page.screenshot(path=str(SCREENSHOTS / "access-district-dashboard.png"), full_page=True)
    page.goto(url + "/organizations/")
    listed = page.locator("table").inner_text()
    assert "朝阳区养老服务协会" in listed and "朝阳区书画研究会" in listed and "海淀区科普协会" not in listed
    assert page.goto(url + theirs.get_absolute_url()).status == 404
    assert page.goto(url + ours.get_absolute_url()).status == 200

    log_in(page, url, "hub-staff", PASSWORD)
    page.goto(url + "/organizations/")
    listed = page.locator("table").inner_text()
    assert "朝阳区养老服务协会" in listed and "朝阳区书画研究会" not in listed and "海淀区科普协会" not in listed
    assert page.goto(url + other_chaoyang.get_absolute_url()).status == 404
    assert not errors
