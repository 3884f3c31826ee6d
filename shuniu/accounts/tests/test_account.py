"""我的账户: password change; the API tokens on it: test_api_tokens.py."""

import pytest
from django.urls import reverse

from shuniu.accounts.views import PASSWORD_CHANGED

pytestmark = pytest.mark.django_db
ACCOUNT = reverse("account")
PASSWORD = "correct-horse-9"


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create_user("clerk", "clerk@example.com", PASSWORD)


@pytest.fixture
def clerk(client, user):
    client.force_login(user)
    return client


def test_anonymous_is_sent_to_login(client):
    response = client.get(ACCOUNT)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_user_menu_links_to_the_account_page(clerk):
    page = clerk.get(reverse("password_change")).content.decode()
    assert f'<a class="dropdown-item" href="{ACCOUNT}" data-testid="account-link">' in page


def test_password_change(clerk, user):
    url = reverse("password_change")
    assert "修改密码" in clerk.get(url).content.decode()
    response = clerk.post(
        url,
        {"old_password": PASSWORD, "new_password1": "a-much-longer-one-7", "new_password2": "a-much-longer-one-7"},
        follow=True,
    )
    assert str(PASSWORD_CHANGED) in response.content.decode()
    user.refresh_from_db()
    assert user.check_password("a-much-longer-one-7")
    assert "_auth_user_id" in clerk.session  # still signed in after the change


def test_password_change_refuses_a_short_password_in_chinese(clerk, user):
    response = clerk.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "k7#pQz9!w", "new_password2": "k7#pQz9!w"},
    )
    assert response.status_code == 200
    assert "至少" in response.content.decode() and "10" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
