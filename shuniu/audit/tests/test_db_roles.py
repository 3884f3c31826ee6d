"""PostgreSQL: the application's role made by `shuniu audit db_roles` reads and writes every table but can only read
and add to the audit log: UPDATE, DELETE and TRUNCATE are refused by privilege, DROP TRIGGER and ALTER TABLE by
ownership, while the application's ordinary writes work.

Roles belong to the whole cluster, not to the test database: each test makes one with a unique name and drops it."""

import io
import os
import uuid
from contextlib import contextmanager
from datetime import timedelta

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.utils import timezone

from shuniu import audit
from shuniu.audit.models import ObjectChange
from shuniu.organizations.models import Organization
from shuniu.organizations.tests.factories import OrganizationFactory

from .rows import audit_row

PASSWORD = "app-role-test-password"
pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="roles and privileges are PostgreSQL's"),
    pytest.mark.django_db(transaction=True),  # the role and its grants must be committed for another connection
]


def run(*args, password=PASSWORD) -> str:
    """`shuniu audit …`, with the application role's password in the environment, where the command reads it."""
    out = io.StringIO()
    previous = os.environ.get("SHUNIU_APP_DB_PASSWORD")
    os.environ["SHUNIU_APP_DB_PASSWORD"] = password
    try:
        call_command("audit", *args, stdout=out)
    finally:
        if previous is None:
            os.environ.pop("SHUNIU_APP_DB_PASSWORD")
        else:
            os.environ["SHUNIU_APP_DB_PASSWORD"] = previous
    return out.getvalue()


@pytest.fixture
def app_role(reference_data):
    role = f"shuniu_test_app_{uuid.uuid4().hex[:12]}"
    try:
        yield role
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            if cursor.fetchone():
                cursor.execute(f"DROP OWNED BY {role}")  # its grants and default privileges in this database
                cursor.execute(f"DROP ROLE {role}")


def connect(role: str) -> psycopg.Connection:
    settings = connection.settings_dict
    return psycopg.connect(
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        dbname=settings["NAME"],  # the test database
        user=role,
        password=PASSWORD,
        autocommit=True,
    )


@contextmanager
def application_as(role: str):
    """The application's default database connection, as `role`, for the block."""
    owner = connections[DEFAULT_DB_ALIAS]
    app = owner.__class__({**owner.settings_dict, "USER": role, "PASSWORD": PASSWORD}, alias=DEFAULT_DB_ALIAS)
    connections[DEFAULT_DB_ALIAS] = app
    try:
        yield app
    finally:
        app.close()
        connections[DEFAULT_DB_ALIAS] = owner


def test_the_application_role_may_only_read_and_add_to_the_audit_log(app_role):
    change = audit_row(400)
    assert "已创建应用角色" in run("db_roles", "--app-role", app_role)
    with connect(app_role) as app:
        assert app.execute("SELECT current_user").fetchone()[0] == app_role
        assert app.execute("SELECT count(*) FROM audit_objectchange").fetchone()[0] >= 1
        app.execute(
            "INSERT INTO audit_objectchange (time, user_name, action, content_type_id, object_repr, "
            "related_object_repr, message) SELECT now(), '系统', 'update', content_type_id, 'x', '', '' "
            "FROM audit_objectchange WHERE id = %s",
            [change.pk],
        )
        for sql in (
            f"UPDATE audit_objectchange SET message = 'x' WHERE id = {change.pk}",
            f"UPDATE audit_objectchange SET user_id = NULL WHERE id = {change.pk}",
            f"DELETE FROM audit_objectchange WHERE id = {change.pk}",
            "TRUNCATE audit_objectchange",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied"):
                app.execute(sql)
        for sql in (
            "DROP TRIGGER audit_objectchange_append_only ON audit_objectchange",
            "ALTER TABLE audit_objectchange DISABLE TRIGGER USER",
            "ALTER TABLE audit_objectchange ADD COLUMN note text",
            "DROP TABLE audit_objectchange",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="must be owner"):
                app.execute(sql)
        for sql in (  # nor can it take the owner's powers
            "SET ROLE postgres",
            "CREATE TABLE audit_copy (id integer)",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                app.execute(sql)
    assert ObjectChange.objects.get(pk=change.pk).message == change.message


def test_the_application_works_as_its_role(app_role):
    run("db_roles", "--app-role", app_role)
    before = ObjectChange.objects.count()
    with application_as(app_role) as app:
        with app.cursor() as cursor:
            cursor.execute("SELECT current_user")
            assert cursor.fetchone()[0] == app_role
        with audit.context(user=None, message="as the application's role"):
            organization = OrganizationFactory(name="应用角色写入的协会")
            organization.address = "朝阳路9号"
            organization.save()
            organization.delete()
    assert not Organization.objects.filter(name="应用角色写入的协会").exists()
    assert ObjectChange.objects.count() == before + 3  # created, changed, deleted: each recorded


def test_the_command_is_idempotent_and_covers_tables_made_later(app_role):
    run("db_roles", "--app-role", app_role)
    assert "已更新应用角色" in run("db_roles", "--app-role", app_role)  # the password stays
    with connection.cursor() as cursor:  # a later migration's table, created by the owner
        cursor.execute("CREATE TABLE audit_later_table (id integer)")
    try:
        with connect(app_role) as app:
            app.execute("INSERT INTO audit_later_table VALUES (1)")
            assert app.execute("SELECT count(*) FROM audit_later_table").fetchone()[0] == 1
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                app.execute("DELETE FROM audit_objectchange")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE audit_later_table")


def test_the_command_refuses_what_would_leave_the_log_unprotected(app_role):
    with pytest.raises(CommandError, match="新建角色需要密码"):
        run("db_roles", "--app-role", app_role, password="")
    with pytest.raises(CommandError, match="角色名「Shuniu-App」无效"):
        run("db_roles", "--app-role", "Shuniu-App")
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableowner FROM pg_tables WHERE tablename = 'audit_objectchange'")
        owner = cursor.fetchone()[0]
    with pytest.raises(CommandError, match="应用角色不能是表的所有者"):
        run("db_roles", "--app-role", owner)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {app_role} LOGIN SUPERUSER")
    with pytest.raises(CommandError, match="超级用户"):
        run("db_roles", "--app-role", app_role)


def test_only_the_owner_may_purge(app_role, tmp_path):
    old = audit_row(400)
    run("db_roles", "--app-role", app_role)
    before = (timezone.localdate() - timedelta(days=190)).isoformat()
    with application_as(app_role):
        path = tmp_path / "refused.jsonl"
        with pytest.raises(CommandError, match="须以数据库所有者的角色运行"):
            run("archive", "--before", before, "--output", str(path), "--purge")
        assert not path.exists()
        run("archive", "--before", before, "--output", str(tmp_path / "copy.jsonl"))  # reading and recording: yes
    assert ObjectChange.objects.filter(pk=old.pk).exists()
    run("archive", "--before", before, "--output", str(tmp_path / "purged.jsonl"), "--purge")  # the owner
    assert not ObjectChange.objects.filter(pk=old.pk).exists()
