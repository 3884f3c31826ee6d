"""The done-when flow in a real browser: log in, read the dashboard with the Beijing map, click from a
district's gap to its uncovered organizations, link one to the suggested hub, see the link on its page."""

import re
from datetime import date
from pathlib import Path

import pytest
from django.utils import timezone

from shuniu.areas.models import Area
from shuniu.hubs.models import Link
from shuniu.hubs.tests.factories import HubFactory
from shuniu.indicators import selectors
from shuniu.indicators.tests.scenario import build_scenario
from shuniu.organizations.tests.factories import field

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reference_data")]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results"


def test_dashboard_to_worklist_to_new_link(page, live_server, django_user_model):
    django_user_model.objects.create_superuser("officer", "officer@example.com", "correct-horse-9")
    build_scenario()
    haidian = Area.objects.get(code="110108")
    hub = HubFactory(
        level="district",
        area=haidian,
        fields=[field("elderly"), field("education")],
        recognized_on=date(2010, 1, 1),
        organization__name="北京市海淀区社会组织联合会",
    )
    today = timezone.localdate()
    total = selectors.coverage_total(day=today, user=None)
    district = next(f for f in selectors.coverage_by_district(day=today, user=None) if f.key == "110108")
    assert district.gap > 0

    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(live_server.url + "/")
    page.get_by_label("用户名").fill("officer")
    page.get_by_label("密码").fill("correct-horse-9")
    page.get_by_role("button", name="登录").click()

    page.wait_for_selector("[data-testid=district-map][data-rendered=true]", timeout=15000)
    assert page.get_by_role("heading", name="枢纽型社会组织覆盖驾驶舱").is_visible()
    assert page.get_by_test_id("headline-rate").inner_text() == f"{total.rate}%"
    assert page.get_by_test_id("headline-numerator").inner_text() == f"{total.numerator:,}"
    assert page.get_by_test_id("headline-denominator").inner_text() == f"{total.denominator:,}"
    canvas_drawn = page.eval_on_selector(
        "[data-testid=district-map] canvas",
        """canvas => {
        const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let painted = 0; for (let i = 3; i < data.length; i += 4) { if (data[i] > 0) painted++; }
        return painted; }""",
    )
    assert canvas_drawn > 10000, "the Beijing map has no pixels"
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "dashboard.png", full_page=True)

    row = page.locator("[data-testid=district-table] tr[data-district='110108']")
    assert row.locator("td").nth(0).inner_text() == "海淀区"
    row.locator("td").last.get_by_role("link").click()

    page.wait_for_url(re.compile(r"/organizations/uncovered/"))
    assert page.get_by_text(f"共 {district.gap} 条").is_visible()
    first = page.locator("tbody tr").filter(has=page.get_by_test_id("link-suggested")).first
    organization_name = first.locator("td").first.inner_text()
    assert hub.organization.name in first.inner_text()
    first.get_by_test_id("link-suggested").click()

    alert = page.locator(".alert-success")
    assert "已建立联系" in alert.inner_text()
    page.screenshot(path=SCREENSHOTS / "worklist.png", full_page=True)
    assert page.get_by_text(f"共 {district.gap - 1} 条").is_visible()
    alert.get_by_role("link", name=organization_name).click()

    timeline = page.get_by_test_id("link-timeline")
    assert hub.organization.name in timeline.inner_text()
    assert today.isoformat() in timeline.inner_text()
    assert "已覆盖" in page.get_by_test_id("coverage-badge").inner_text()
    page.screenshot(path=SCREENSHOTS / "organization.png", full_page=True)
    assert errors == [], errors
    assert Link.objects.filter(hub=hub, organization__name=organization_name, start_date=today).exists()
