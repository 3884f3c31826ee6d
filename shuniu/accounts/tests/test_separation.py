"""Separation of duties (三权分立): the system, security and audit administrators are three roles no user holds
together; each reaches its own pages and nothing else; the city administrator keeps the business data only."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from rest_framework.test import APIClient

from shuniu.accounts.models import Role, RoleAssignment
from shuniu.accounts.services import role_assign
from shuniu.accounts.testing import user_with_role
from shuniu.accounts.two_factor import check_superusers, two_factor_required
from shuniu.organizations.tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db
PASSWORD = "Correct-horse-9"
SEPARATION = "三权分立：系统管理员、安全管理员和审计管理员须由不同的人担任"


def role(slug):
    return Role.objects.get(slug=slug)


@pytest.mark.parametrize(
    ("first", "second"),
    [("system-admin", "security-admin"), ("security-admin", "audit-admin"), ("audit-admin", "system-admin")],
)
def test_no_user_holds_two_administrator_roles(first, second):
    user = user_with_role(first, username="zhang")
    with pytest.raises(ValidationError) as error:
        role_assign(user=user, role=role(second))
    assert SEPARATION in error.value.messages[0] and "「zhang」已是" in error.value.messages[0]
    assert list(user.role_assignments.values_list("role__slug", flat=True)) == [first]


def test_the_refusal_on_the_user_page_and_the_command_line(client, django_user_model):
    user = user_with_role("audit-admin", username="zhang")
    client.force_login(user_with_role("security-admin", username="security"))
    response = client.post(reverse("user_assign", args=[user.pk]), {"role": role("system-admin").pk})
    assert response.status_code == 200 and SEPARATION in response.content.decode()
    with pytest.raises(CommandError, match=SEPARATION):
        call_command("user", "assign", "zhang", "security-admin")
    assert RoleAssignment.objects.filter(user=user).count() == 1


@pytest.mark.parametrize(("first", "second"), [("audit-admin", "city-admin"), ("city-analyst", "system-admin")])
def test_an_administrator_holds_no_business_role(first, second):
    """An auditor who also keeps the data would audit themselves."""
    user = user_with_role(first, username="zhang")
    with pytest.raises(ValidationError, match="三权分立：管理员不兼任业务角色。「zhang」已是"):
        role_assign(user=user, role=role(second))
    assert list(user.role_assignments.values_list("role__slug", flat=True)) == [first]


def test_nobody_gives_or_takes_roles_of_their_own_account(client):
    security = user_with_role("security-admin", username="security")
    client.force_login(security)
    response = client.post(reverse("user_assign", args=[security.pk]), {"role": role("city-admin").pk})
    assert response.status_code == 200 and "不能为自己的账户分配或取消角色" in response.content.decode()
    assignment = security.role_assignments.get()
    client.post(reverse("user_unassign", args=[security.pk, assignment.pk]))
    assert list(security.role_assignments.values_list("role__slug", flat=True)) == ["security-admin"]
    other = user_with_role("security-admin", username="security2")
    client.force_login(other)
    client.post(reverse("user_unassign", args=[security.pk, assignment.pk]))
    assert not security.role_assignments.exists()


def test_a_superuser_is_given_no_administrator_role(django_user_model):
    superuser = django_user_model.objects.create_superuser("root", "root@example.com", PASSWORD)
    with pytest.raises(ValidationError, match="是超级用户"):
        role_assign(user=superuser, role=role("security-admin"))


def test_the_audit_administrator_reads_the_audit_log_and_nothing_else(client):
    OrganizationFactory(name="朝阳区甲协会")
    auditor = user_with_role("audit-admin", username="auditor", password=PASSWORD)
    response = client.post(reverse("login"), {"username": "auditor", "password": PASSWORD})
    assert response["Location"] == reverse("audit:objectchange_list")  # lands on the audit log, not the dashboard
    page = client.get(reverse("audit:objectchange_list"))
    assert page.status_code == 200 and "朝阳区甲协会" in page.content.decode()
    assert client.get(reverse("indicators:dashboard"))["Location"] == reverse("home")  # the root: their own page
    for name in (
        "organizations:organization_list",
        "hubs:organization_uncovered",
        "hubs:hub_list",
        "hubs:link_list",
        "areas:area_list",
        "imports:importjob_list",
        "user_list",
        "user_add",
    ):
        assert client.get(reverse(name)).status_code == 403, name
    api = APIClient()
    api.force_authenticate(auditor)
    for url in ("/api/organizations/organizations/", "/api/hubs/hubs/", "/api/hubs/links/", "/api/areas/areas/"):
        assert api.get(url).status_code == 403, url


def test_the_system_administrator_creates_users_and_the_security_administrator_gives_roles(client, django_user_model):
    client.force_login(user_with_role("system-admin", username="sysadmin"))
    form = client.get(reverse("user_add")).content.decode()
    assert 'name="username"' in form and 'name="role"' not in form
    response = client.post(reverse("user_add"), {"username": "wang", "password1": PASSWORD, "password2": PASSWORD})
    wang = django_user_model.objects.get(username="wang")
    assert response.status_code == 302 and not wang.role_assignments.exists()
    assert client.post(reverse("user_assign", args=[wang.pk]), {"role": role("leader").pk}).status_code == 403
    assert client.get(reverse("audit:objectchange_list")).status_code == 403

    client.force_login(user_with_role("security-admin", username="security"))
    assert client.post(reverse("user_add"), {"username": "li"}).status_code == 403
    assert client.post(reverse("user_assign", args=[wang.pk]), {"role": role("leader").pk}).status_code == 302
    assert list(wang.role_assignments.values_list("role__slug", flat=True)) == ["leader"]
    assert client.get(reverse("audit:objectchange_list")).status_code == 403


def test_the_city_administrator_keeps_the_business_data_only(client):
    city = user_with_role("city-admin", username="city")
    assert city.has_perm("organizations.unmask_organization") and city.has_perm("hubs.end_link")
    assert not any(
        city.has_perm(p) for p in ("auth.view_user", "accounts.add_roleassignment", "audit.view_objectchange")
    )
    client.force_login(city)
    assert client.get(reverse("organizations:organization_list")).status_code == 200
    assert client.get(reverse("user_list")).status_code == 403
    assert client.get(reverse("audit:objectchange_list")).status_code == 403


def test_who_must_use_two_factors_follows_from_the_roles_permissions(settings):
    settings.SHUNIU_REQUIRE_TWO_FACTOR = True
    must = {slug: two_factor_required(user_with_role(slug)) for slug in Role.objects.values_list("slug", flat=True)}
    assert {slug for slug, required in must.items() if required} == {
        "city-admin",
        "system-admin",
        "security-admin",
        "audit-admin",
    }
    unmasker = Role.objects.create(
        slug="unmasker", name="查档员", scope_kind="city", permissions=["organizations.unmask_organization"]
    )
    user = user_with_role("leader")
    RoleAssignment.objects.create(user=user, role=unmasker)
    assert two_factor_required(user)
    settings.SHUNIU_REQUIRE_TWO_FACTOR = False
    assert not two_factor_required(user_with_role("system-admin"))


def test_the_system_administrator_deactivates_a_user_but_not_themselves(client, django_user_model):
    clerk = django_user_model.objects.create_user("clerk", password=PASSWORD)
    sysadmin = user_with_role("system-admin", username="sysadmin")
    client.force_login(sysadmin)
    client.post(reverse("user_active", args=[clerk.pk]), {"active": "0"})
    clerk.refresh_from_db()
    assert not clerk.is_active
    response = client.post(reverse("user_active", args=[sysadmin.pk]), {"active": "0"}, follow=True)
    assert "不能停用自己的账户" in response.content.decode()
    sysadmin.refresh_from_db()
    assert sysadmin.is_active
    client.logout()
    assert client.post(reverse("login"), {"username": "clerk", "password": PASSWORD}).status_code == 200


def test_a_warning_lists_active_superusers_where_two_factors_are_required(settings, django_user_model):
    django_user_model.objects.create_superuser("root", "root@example.com", PASSWORD)
    assert check_superusers(None, databases=["default"]) == []  # the demo and development: no warning
    settings.SHUNIU_REQUIRE_TWO_FACTOR = True
    assert check_superusers(None) == []  # only where the check may read the database
    [warning] = check_superusers(None, databases=["default"])
    assert warning.id == "accounts.W001" and "root" in warning.msg and "三权分立" in warning.msg


def test_the_command_line_deactivates_and_reactivates(django_user_model, capsys):
    django_user_model.objects.create_user("clerk", password=PASSWORD)
    call_command("user", "deactivate", "clerk")
    assert not django_user_model.objects.get(username="clerk").is_active
    call_command("user", "activate", "clerk")
    assert django_user_model.objects.get(username="clerk").is_active
    assert "已启用用户 clerk" in capsys.readouterr().out


def test_home_is_each_users_landing_page(client):
    """首页 (the menu's brand, the error pages' way back) leads an administrator to their page, not a 403."""
    client.force_login(user_with_role("audit-admin", username="auditor"))
    assert client.get(reverse("home"))["Location"] == reverse("audit:objectchange_list")
    assert client.get("/")["Location"] == reverse("home")  # the site's root too, rather than a 403
    client.force_login(user_with_role("system-admin", username="sysadmin"))
    assert client.get(reverse("home"))["Location"] == reverse("user_list")
    client.force_login(user_with_role("city-analyst", username="analyst"))
    assert client.get(reverse("home"))["Location"] == reverse("indicators:dashboard")
    page = client.get(reverse("indicators:dashboard")).content.decode()
    assert f'class="navbar-brand fw-bold" href="{reverse("home")}"' in page
