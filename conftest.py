import os

import pytest


def pytest_configure(config):
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # the browser tests run a live server in-process


@pytest.fixture
def admin_user(db, django_user_model):
    return django_user_model.objects.create_superuser("admin", "admin@example.com", "shuniu-admin")


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client
