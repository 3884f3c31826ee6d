"""One rule, three ways in: the same bad value through the form (the page), the API and the import is refused with
the same message, and nothing is written.

The page shows a message under its field (or above the form), the API under the field's name (or as `detail` for a
refusal of the whole record), the import in the row's reasons, after the column's header when the message does not
name the field itself (「成立登记日期」2030-01-01 晚于今天。): `message_of` takes that header off.
"""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from rest_framework.test import APIClient

from shuniu.accounts.testing import user_with_role
from shuniu.areas.models import Area
from shuniu.core.tabular import Sheet, write_xlsx
from shuniu.core.writes import OUTSIDE_SCOPE_MESSAGE
from shuniu.hubs import messages
from shuniu.hubs.models import Link
from shuniu.hubs.tests.factories import LinkFactory
from shuniu.imports.choices import RowOutcome
from shuniu.imports.services import import_file, import_outcomes
from shuniu.organizations.choices import OrganizationKind
from shuniu.organizations.models import Organization
from shuniu.organizations.tests.factories import make_uscc

pytestmark = pytest.mark.django_db
pytest_plugins = ["shuniu.core.api.testing"]  # api_client

ORGANIZATION_HEADERS = ["名称", "统一社会信用代码", "社会组织类型", "成立登记日期", "所属区", "所属街道"]
LINK_HEADERS = ["枢纽名称", "统一社会信用代码", "组织名称", "关系", "开始日期", "结束日期", "结束原因"]


def xlsx(headers, rows) -> bytes:
    return write_xlsx([Sheet(name="Sheet1", headers=headers, rows=rows)])


def message_of(reason: str, column: str) -> str:
    """The message of an import's reason without the column's header in front (the page and the API show it as the
    field the message is under)."""
    return reason.removeprefix(f"「{column}」")


def imported(headers, row, kind, user=None) -> list[str]:
    """The reasons the import gives for its one row, which must be refused."""
    job = import_file(data=xlsx(headers, [row]), filename=f"{kind}.xlsx", kind=kind, user=user)
    [(number, outcome, reasons, _pk)] = import_outcomes(job)
    assert outcome == RowOutcome.REJECTED, (job.status, job.error, reasons)
    return reasons


def page_errors(response) -> str:
    assert response.status_code == 200, response.status_code  # the form again, not a redirect
    return response.content.decode()


@pytest.fixture
def chaoyang():
    return Area.objects.get(code="110105")


def organization_form(chaoyang, **values) -> dict:
    data = {
        "name": "北京市朝阳区同一规则协会",
        "kind": OrganizationKind.SOCIAL_GROUP,
        "uscc": make_uscc(OrganizationKind.SOCIAL_GROUP),
        "district": chaoyang.pk,
        "founded_on": "2015-01-01",
        "status": "active",
    }
    return {**data, **values}


def organization_payload(form: dict) -> dict:
    payload = {name: value for name, value in form.items() if name not in ("district", "street")}
    payload["district_id"] = form["district"]
    if form.get("street"):
        payload["street_id"] = form["street"]
    return payload


def organization_row(form: dict) -> list:
    street = Area.objects.get(pk=form["street"]).name if form.get("street") else ""
    return [form["name"], form["uscc"], "社会团体", form["founded_on"], "朝阳区", street]


def test_an_over_long_end_reason_is_refused_alike_and_never_cut(admin_client, api_client):
    link = LinkFactory(start_date=date(2010, 1, 1), note="")
    reason = "原" * 200  # 「结束原因：」 and 200 characters: 205, over the note's 200
    expected = messages.LINK_END_REASON_TOO_LONG % {"room": 195, "length": 200, "limit": 200}
    assert Link._meta.get_field("note").max_length == 200

    page = admin_client.post(reverse("hubs:link_end", args=[link.pk]), {"end_date": "2015-06-30", "reason": reason})
    assert escape(expected) in page_errors(page)

    response = api_client.post(
        reverse("hubs-api:link-end", kwargs={"pk": link.pk}),
        {"end_date": "2015-06-30", "reason": reason},
        format="json",
    )
    assert response.status_code == 400 and response.json() == {"reason": [expected]}

    row = [link.hub.organization.name, link.organization.uscc, link.organization.name, "联系", "2010-01-01"]
    reasons = imported(LINK_HEADERS, [*row, "2015-06-30", reason], "links")
    assert [message_of(reason, "结束原因") for reason in reasons] == [expected]

    link.refresh_from_db()
    assert link.end_date is None and link.note == ""  # nothing written, nothing cut
    ok = "原" * 195  # exactly what fits
    response = api_client.post(
        reverse("hubs-api:link-end", kwargs={"pk": link.pk}), {"end_date": "2015-06-30", "reason": ok}, format="json"
    )
    assert response.status_code == 200, response.content
    link.refresh_from_db()
    assert link.note == f"结束原因：{ok}" and len(link.note) == 200


def test_a_future_founding_date_is_refused_alike(admin_client, api_client, chaoyang):
    tomorrow = timezone.localdate() + timedelta(days=1)
    form = organization_form(chaoyang, founded_on=tomorrow.isoformat())
    expected = f"{tomorrow.isoformat()} 晚于今天。"

    assert escape(expected) in page_errors(admin_client.post(reverse("organizations:organization_add"), form))

    response = api_client.post(
        reverse("organizations-api:organization-list"), organization_payload(form), format="json"
    )
    assert response.status_code == 400 and response.json() == {"founded_on": [expected]}

    reasons = imported(ORGANIZATION_HEADERS, organization_row(form), "organizations")
    assert reasons == [f"「成立登记日期」{expected}"] and [
        message_of(reason, "成立登记日期") for reason in reasons
    ] == [expected]
    assert not Organization.objects.exists()


def test_a_future_recognition_date_is_refused_alike(admin_client, api_client, chaoyang):
    from shuniu.hubs.models import System
    from shuniu.organizations.tests.factories import OrganizationFactory

    organization = OrganizationFactory(
        name="北京市朝阳区妇女联合会", kind=OrganizationKind.MASS_ORGANIZATION, uscc=None
    )
    system = System.objects.get(name="妇联")
    tomorrow = timezone.localdate() + timedelta(days=1)
    expected = f"{tomorrow.isoformat()} 晚于今天。"
    form = {"organization": organization.pk, "level": "district", "area": chaoyang.pk, "system": system.pk}
    form["recognized_on"] = tomorrow.isoformat()

    assert escape(expected) in page_errors(admin_client.post(reverse("hubs:hub_add"), form))

    payload = {"organization_id": organization.pk, "level": "district", "area_id": chaoyang.pk}
    payload.update(system_id=system.pk, recognized_on=tomorrow.isoformat())
    response = api_client.post(reverse("hubs-api:hub-list"), payload, format="json")
    assert response.status_code == 400 and response.json() == {"recognized_on": [expected]}

    headers = ["枢纽名称", "层级", "管辖区域", "条线", "认定日期"]
    reasons = imported(headers, [organization.name, "区级", "朝阳区", "妇联", tomorrow.isoformat()], "hubs")
    assert [message_of(reason, "认定日期") for reason in reasons] == [expected]


def test_an_invalid_uscc_is_refused_alike(admin_client, api_client, chaoyang):
    good = make_uscc(OrganizationKind.SOCIAL_GROUP)
    wrong = good[:17] + ("0" if good[17] != "0" else "1")  # the check character off
    form = organization_form(chaoyang, uscc=wrong)
    expected = f"第18位校验码应为「{good[17]}」，实际为「{wrong[17]}」：请核对代码是否抄错。"

    assert escape(expected) in page_errors(admin_client.post(reverse("organizations:organization_add"), form))

    response = api_client.post(
        reverse("organizations-api:organization-list"), organization_payload(form), format="json"
    )
    assert response.status_code == 400 and response.json() == {"uscc": [expected]}

    reasons = imported(ORGANIZATION_HEADERS, organization_row(form), "organizations")
    assert [message_of(reason, "统一社会信用代码") for reason in reasons] == [expected]
    assert not Organization.objects.exists()


def test_an_organization_outside_the_users_scope_is_refused_alike(client, chaoyang):
    """A street office keeps its street's organizations: one in its district but on no street is outside."""
    street = chaoyang.children.order_by("code").first()
    officer = user_with_role("street-office", area=street)
    form = organization_form(chaoyang)  # the district, no street
    expected = str(OUTSIDE_SCOPE_MESSAGE)

    client.force_login(officer)
    page = client.post(reverse("organizations:organization_add"), form)
    assert page.status_code in (200, 403) and escape(expected) in page.content.decode()

    api = APIClient()
    api.force_authenticate(officer)
    response = api.post(reverse("organizations-api:organization-list"), organization_payload(form), format="json")
    assert response.status_code == 403 and response.json() == {"detail": expected}

    reasons = imported(ORGANIZATION_HEADERS, organization_row(form), "organizations", user=officer)
    assert reasons == [expected]
    assert not Organization.objects.exists()

    inside = organization_form(chaoyang, street=street.pk)  # the same within the street: accepted everywhere
    job = import_file(
        data=xlsx(ORGANIZATION_HEADERS, [organization_row(inside)]),
        filename="o.xlsx",
        kind="organizations",
        user=officer,
    )
    assert job.counts["new"] == 1, job.examples


def test_an_update_is_checked_against_the_stored_record_alike(admin_client, api_client):
    """A registration date before the stored founding date: the API's PATCH and the import's update of the same
    organization are refused with the model's message."""
    from shuniu.organizations.tests.factories import OrganizationFactory

    organization = OrganizationFactory(founded_on=date(2010, 1, 1))
    expected = "登记/备案日期不能早于成立日期。"

    response = api_client.patch(
        reverse("organizations-api:organization-detail", kwargs={"pk": organization.pk}),
        {"registered_on": "2001-01-01"},
        format="json",
    )
    assert response.status_code == 400 and response.json() == {"registered_on": [expected]}

    reasons = imported(["统一社会信用代码", "登记/备案日期"], [organization.uscc, "2001-01-01"], "organizations")
    assert reasons == [expected]
    organization.refresh_from_db()
    assert organization.registered_on is None
