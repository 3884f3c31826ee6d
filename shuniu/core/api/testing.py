"""Fixtures for API tests; a test module loads them with `pytest_plugins = ["shuniu.core.api.testing"]`."""

from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Permission
from rest_framework.test import APIClient


@pytest.fixture
def api_client(admin_user):
    """An API client signed in as a superuser."""
    client = APIClient()
    client.force_authenticate(admin_user)
    return client


@pytest.fixture
def anonymous_client(db):
    return APIClient()


@pytest.fixture
def make_client(db, django_user_model):
    """`make_client("organizations.view_organization", …)`: a client signed in as a user holding exactly those
    permissions."""

    def make(*permissions: str) -> APIClient:
        user = django_user_model.objects.create_user(f"user{django_user_model.objects.count()}", password="x")
        for name in permissions:
            app_label, codename = name.split(".")
            user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def list_count(api_client):
    """`list_count(url)`: the `count` of the paginated API list behind an absolute URL the API returned."""

    def count(url: str) -> int:
        parts = urlsplit(url)
        response = api_client.get(f"{parts.path}?{parts.query}" if parts.query else parts.path)
        assert response.status_code == 200, response.content
        return response.json()["count"]

    return count
