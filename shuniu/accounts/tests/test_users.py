"""User administration in the UI and on the command line, and what each role then sees."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse

from shuniu.accounts.models import Role, RoleAssignment
from shuniu.areas.models import Area
from shuniu.hubs.tests.factories import HubFactory
from shuniu.organizations.tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Chaoyang-2026-officer"


def test_an_administrator_creates_a_district_officer_who_sees_only_the_district(admin_client, client):
    chaoyang, haidian = Area.objects.get(code="110105"), Area.objects.get(code="110108")
    OrganizationFactory(name="朝阳区甲协会", district=chaoyang)
    OrganizationFactory(name="海淀区乙协会", district=haidian)
    role = Role.objects.get(slug="district-office")
    response = admin_client.post(
        reverse("user_add"),
        {
            "username": "zhang",
            "full_name": "张三",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "role": role.pk,
            "area": chaoyang.pk,
        },
    )
    user = get_user_model().objects.get(username="zhang")
    assert response.status_code == 302 and response["Location"] == reverse("user", args=[user.pk])
    assert [(a.role.slug, a.area.code) for a in user.role_assignments.all()] == [("district-office", "110105")]
    assert "区级工作人员（朝阳区）" in admin_client.get(reverse("user_list")).content.decode()

    login = client.post(reverse("login"), {"username": "zhang", "password": PASSWORD})
    assert login.status_code == 302
    page = client.get(reverse("organizations:organization_list")).content.decode()
    assert "朝阳区甲协会" in page and "海淀区乙协会" not in page
    assert client.get(reverse("user_list")).status_code == 403


@pytest.mark.parametrize(
    ("slug", "scope", "message"),
    [
        ("street-office", "district", "须选择一个街道/乡镇，「朝阳区」不是"),
        ("city-analyst", "district", "的范围是全市，不能限定区划或组织"),
        ("hub-staff", "organization", "没有被认定为枢纽"),
        ("organization", None, "须选择一个组织"),
    ],
)
def test_a_scope_that_does_not_fit_the_role_is_refused_and_nothing_is_written(admin_client, slug, scope, message):
    data = {"username": "li", "password1": PASSWORD, "password2": PASSWORD, "role": Role.objects.get(slug=slug).pk}
    if scope == "district":
        data["area"] = Area.objects.get(code="110105").pk
    elif scope == "organization":
        data["organization"] = OrganizationFactory().pk
    response = admin_client.post(reverse("user_add"), data)
    assert response.status_code == 200 and message in response.content.decode()
    assert not get_user_model().objects.filter(username="li").exists()


def test_roles_are_assigned_and_removed_on_the_user_page(admin_client, django_user_model):
    user = django_user_model.objects.create_user("wang", password=PASSWORD)
    hub = HubFactory()
    response = admin_client.post(
        reverse("user_assign", args=[user.pk]),
        {"role": Role.objects.get(slug="hub-staff").pk, "organization": hub.organization.pk},
    )
    assert response.status_code == 302
    assignment = RoleAssignment.objects.get(user=user)
    assert assignment.organization == hub.organization
    again = admin_client.post(
        reverse("user_assign", args=[user.pk]),
        {"role": Role.objects.get(slug="hub-staff").pk, "organization": hub.organization.pk},
    )
    assert "该用户已有此角色分配" in again.content.decode() and RoleAssignment.objects.count() == 1
    admin_client.post(reverse("user_unassign", args=[user.pk, assignment.pk]))
    assert not RoleAssignment.objects.exists()


def test_the_command_line_creates_and_assigns(monkeypatch, capsys):
    monkeypatch.setenv("SHUNIU_PASSWORD", PASSWORD)
    call_command("user", "create", "zhao", "--role", "street-office", "--area", "朝阳区 望京街道")
    user = get_user_model().objects.get(username="zhao")
    assert user.check_password(PASSWORD)
    assert [(a.role.slug, a.area.name) for a in user.role_assignments.all()] == [("street-office", "望京街道")]
    call_command("user", "assign", "zhao", "leader")
    assert "领导（全市）" in capsys.readouterr().out
    with pytest.raises(CommandError, match="没有角色「nobody」"):
        call_command("user", "assign", "zhao", "nobody")
    with pytest.raises(CommandError, match="须选择一个区"):
        call_command("user", "assign", "zhao", "district-office")
    monkeypatch.setenv("SHUNIU_PASSWORD", "123")
    with pytest.raises(CommandError):
        call_command("user", "create", "qian", "--role", "leader")
    assert not get_user_model().objects.filter(username="qian").exists()


def test_a_scoped_list_costs_its_role_lookups_once(client, django_assert_num_queries, django_user_model):
    chaoyang = Area.objects.get(code="110105")
    for _ in range(30):
        OrganizationFactory(district=chaoyang)
        OrganizationFactory(district=Area.objects.get(code="110108"))
    user = django_user_model.objects.create_user("zhou", password=PASSWORD)
    RoleAssignment.objects.create(user=user, role=Role.objects.get(slug="district-office"), area=chaoyang)
    client.force_login(user)
    url = reverse("organizations:organization_list")
    # session, user; once per request: the role assignments, the areas of the district and Django's own user and
    # group permissions (the menu's {{ perms }}); then as for the administrator: count, page of rows, their fields,
    # filter choices for district, field and system (the street and hub filters are pickers: no choices loaded)
    with django_assert_num_queries(13):
        response = client.get(url)
    assert response.status_code == 200 and "共 30 条" in response.content.decode()


def test_an_api_token_carries_its_users_scope(django_user_model):
    from rest_framework.test import APIClient

    from shuniu.accounts.tokens import api_token_create

    chaoyang = Area.objects.get(code="110105")
    ours = OrganizationFactory(district=chaoyang)
    theirs = OrganizationFactory(district=Area.objects.get(code="110108"))
    user = django_user_model.objects.create_user("sun", password=PASSWORD)
    RoleAssignment.objects.create(user=user, role=Role.objects.get(slug="district-office"), area=chaoyang)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=user, name='区里的报表脚本').text}")
    listed = api.get(reverse("organizations-api:organization-list")).json()
    assert [row["id"] for row in listed["results"]] == [ours.pk]
    assert api.get(reverse("organizations-api:organization-detail", args=[theirs.pk])).status_code == 404
    assert api.patch(
        reverse("organizations-api:organization-detail", args=[ours.pk]),
        {"district_id": theirs.district_id},
        format="json",
    ).status_code in (400, 403)
    ours.refresh_from_db()
    assert ours.district == chaoyang
