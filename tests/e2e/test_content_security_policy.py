"""Every kind of page works in Chromium under the Content-Security-Policy (no inline script or style): the browser
reports nothing blocked, no script fails, and the behaviours that moved into static files still work (the
dashboard's charts, the duplicates page's district select, the import progress bar as htmx refreshes it)."""

from datetime import date
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from shuniu.hubs.tests.factories import HubFactory, LinkFactory
from shuniu.imports.choices import ImportStatus
from shuniu.imports.models import ImportJob
from shuniu.indicators.tests.scenario import build_scenario
from shuniu.organizations.choices import OrganizationKind
from shuniu.organizations.tests.factories import OrganizationFactory, district

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reference_data")]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results"
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline") + " " + event.sourceFile);
});
"""


class PolicyWatch:
    """Collects, page by page, what the browser blocked or failed on."""

    def __init__(self, page):
        self.page = page
        self.problems: list[str] = []
        page.add_init_script(RECORD_VIOLATIONS)
        page.on("console", self.on_console)
        page.on("pageerror", lambda error: self.problems.append(f"{page.url}: script error {error}"))
        page.on("response", self.on_response)

    def on_console(self, message):
        text = message.text
        if "Failed to load resource" in text:
            return  # reported with its address by on_response
        if "Content Security Policy" in text or "Content-Security-Policy" in text or message.type == "error":
            self.problems.append(f"{self.page.url}: console {message.type}: {text}")

    def on_response(self, response):
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):  # the site has no icon
            self.problems.append(f"{self.page.url}: {response.status} for {response.url}")

    def visit(self, url: str, ready: str | None = None):
        response = self.page.goto(url)
        assert response.status == 200, (url, response.status)
        assert "script-src 'self'" in response.headers["content-security-policy"]
        if ready:
            self.page.wait_for_selector(ready, timeout=20000)
        self.collect()

    def sign_in_as_officer(self, url: str):
        """The officer the tests create, signed in through the login page (watched like any page)."""
        self.visit(url + reverse("login"))
        self.page.get_by_label("用户名").fill("officer")
        self.page.get_by_label("密码").fill("correct-horse-9")
        self.page.get_by_role("button", name="登录").click()

    def collect(self):
        for violation in self.page.evaluate("window.__cspViolations || []"):
            self.problems.append(f"{self.page.url}: blocked {violation}")
        self.page.evaluate("window.__cspViolations = []")


def test_every_page_kind_works_under_the_policy(page, live_server, django_user_model, tmp_path):
    django_user_model.objects.create_superuser("officer", "officer@example.com", "correct-horse-9")
    build_scenario()
    hub = HubFactory(recognized_on=date(2010, 1, 1))
    link = LinkFactory(hub=hub, start_date=date(2012, 1, 1))
    organization = link.organization
    chaoyang = district("110105")
    for name in ("朝阳区阳光志愿者协会", "北京市朝阳区阳光（志愿者）协会"):
        OrganizationFactory(name=name, kind=OrganizationKind.COMMUNITY, district=chaoyang)
    job = ImportJob.objects.create(
        kind="organizations",
        status=ImportStatus.PLANNING,
        filename="进度.xlsx",
        file="imports/progress.xlsx",
        total_rows=200,
        processed_rows=84,
    )
    watch = PolicyWatch(page)
    url = live_server.url
    watch.sign_in_as_officer(url)

    page.wait_for_selector("[data-testid=district-map][data-rendered=true]", timeout=20000)
    page.wait_for_selector("#trend-chart canvas")
    watch.collect()
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "csp-dashboard.png", full_page=True)
    page.hover("[data-testid=district-map] canvas", position={"x": 420, "y": 260})  # the tooltip, styled by ECharts
    watch.collect()

    watch.visit(url + reverse("organizations:organization_list"), ready="#object-table")
    page.get_by_test_id("columns-menu").click()  # Bootstrap's dropdown, placed by Popper through the CSSOM
    assert page.get_by_test_id("export-form").is_visible()
    watch.collect()
    watch.visit(url + organization.get_absolute_url())
    watch.visit(url + reverse("organizations:organization_edit", kwargs={"pk": organization.pk}))
    watch.visit(url + reverse("organizations:organization_add"))
    watch.visit(url + hub.get_absolute_url())
    watch.visit(url + reverse("hubs:link_end", kwargs={"pk": link.pk}))
    watch.visit(url + reverse("hubs:hub_revoke", kwargs={"pk": hub.pk}))  # the generic page of a declared action
    watch.visit(url + reverse("hubs:link_list"), ready="#object-table")

    watch.visit(url + reverse("organizations:duplicates") + f"?district={chaoyang.pk}", ready="[data-testid=pair]")
    page.screenshot(path=SCREENSHOTS / "csp-duplicates.png", full_page=True)
    side = page.locator("[data-testid=pair] td").first.bounding_box()
    row = page.locator("[data-testid=pair]").first.bounding_box()
    assert 0.30 < side["width"] / row["width"] < 0.45, "the .sn-pair-side width"
    with page.expect_navigation():
        page.select_option("#district-select", label="海淀区")  # submits through shuniu.js, not onchange=""
    assert "district=" in page.url and str(chaoyang.pk) not in page.url.split("district=")[1]
    watch.collect()
    page.go_back()
    page.get_by_test_id("merge-left").first.click()
    page.wait_for_selector("text=确认合并")
    watch.collect()

    watch.visit(url + reverse("imports:importjob_list"))
    watch.visit(url + reverse("imports:importjob_add"))
    upload = tmp_path / "未知列.csv"
    upload.write_text("名称,备注栏目\n北京市朝阳区某协会,无\n", encoding="utf-8")
    page.set_input_files("input[name=file]", str(upload))
    page.get_by_test_id("import-upload").click()
    page.wait_for_url("**/mapping/")
    watch.collect()

    watch.visit(url + job.get_absolute_url(), ready="#import-progress .progress-bar")
    bar = page.locator("#import-progress .progress-bar")
    track = page.locator("#import-progress .progress")

    def bar_share():
        return bar.bounding_box()["width"] / track.bounding_box()["width"]

    assert abs(bar_share() - 0.42) < 0.02, bar_share()
    ImportJob.objects.filter(pk=job.pk).update(processed_rows=150)
    expect(bar).to_have_text("75%", timeout=10000)  # htmx polled the partial (wait_for_function would need eval)
    page.wait_for_timeout(300)  # htmx settles the swapped element
    assert abs(bar_share() - 0.75) < 0.02, bar_share()
    watch.collect()

    watch.visit(url + "/api/docs/", ready=".swagger-ui .opblock")
    page.locator(".swagger-ui .opblock-summary").first.click()
    page.wait_for_selector(".swagger-ui .opblock-body")
    watch.collect()

    watch.visit(url + reverse("account"))
    page.get_by_test_id("api-token-name").fill("区里的报表脚本")
    page.get_by_test_id("api-token-create").click()
    page.wait_for_selector("[data-testid=api-token]")
    watch.collect()
    watch.visit(url + reverse("password_change"))

    assert watch.problems == []


def test_a_hub_is_picked_by_typing_part_of_its_name(page, live_server, django_user_model):
    """The links list's hub filter is a picker (Tom Select, shuniu.js): two characters typed ask the look-up, the
    answer names the hub with its level, system and area, and choosing it filters the list; nothing is blocked."""
    django_user_model.objects.create_superuser("officer", "officer@example.com", "correct-horse-9")
    chosen = HubFactory(organization__name="朝阳区青年志愿者协会", recognized_on=date(2010, 1, 1))
    other = HubFactory(organization__name="海淀区妇女儿童发展促进会", recognized_on=date(2010, 1, 1))
    LinkFactory(hub=chosen, start_date=date(2012, 1, 1), organization__name="望京书法社")
    LinkFactory(hub=other, start_date=date(2012, 1, 1), organization__name="中关村读书会")
    watch = PolicyWatch(page)
    url = live_server.url
    watch.sign_in_as_officer(url)
    page.wait_for_url(url + "/")

    watch.visit(url + reverse("hubs:link_list"), ready="#object-table")
    picker = page.locator("#filter-form .ts-wrapper").first
    picker.click()
    page.keyboard.type("青年")
    option = page.locator(".ts-dropdown .option", has_text="朝阳区青年志愿者协会")
    expect(option).to_be_visible(timeout=10000)
    expect(page.locator(".ts-dropdown .option", has_text="海淀区")).to_have_count(0)
    option.click()
    page.get_by_role("button", name="筛选").click()  # the first click: the control keeps its place on blur
    page.wait_for_url(f"**hub={chosen.pk}**")
    table = page.locator("#object-table")
    expect(table).to_contain_text("望京书法社")
    expect(table).not_to_contain_text("中关村读书会")
    expect(page.locator("#filter-form .ts-wrapper").first).to_contain_text("朝阳区青年志愿者协会")  # kept chosen
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "picker-links.png", full_page=True)
    watch.collect()
    assert watch.problems == []
