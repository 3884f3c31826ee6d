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


@pytest.fixture
def reference_data(transactional_db):
    """The rows the data migrations load (areas, fields, systems, roles), for transactional tests: a test before
    them may have flushed the database, which leaves the schema but not those rows."""
    from django.apps import apps as django_apps
    from django.db import connection

    for app, names, model in (
        ("areas", ["0002_load_beijing"], "Area"),
        ("organizations", ["0002_load_fields"], "Field"),
        ("hubs", ["0002_load_systems"], "System"),
        # the roles, then the migrations that changed them since
        (
            "accounts",
            [
                "0002_load_roles",
                "0004_signin_hardening",
                "0005_organization_sees_its_hubs",
                "0006_permissions_declared_by_modules",
            ],
            "Role",
        ),
    ):
        if django_apps.get_model(app, model).objects.exists():
            continue
        for name in names:
            module = __import__(f"shuniu.{app}.migrations.{name}", fromlist=["load"])
            module.load(django_apps, connection.schema_editor())
