"""The database guards the audit log itself (migration `0004_evidence`): UPDATE, DELETE and TRUNCATE are refused to
everyone; DELETE is let through only inside the archive's permit and only for rows older than the retention (never
less than 180 days). A user who holds records cannot be deleted; `flush` refuses outside the tests; the retention
setting has a floor."""

import pytest
from django.contrib.auth import get_user_model
from django.core import checks
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError
from django.urls import reverse

from shuniu import audit
from shuniu.audit import protection
from shuniu.audit.models import ObjectChange
from shuniu.organizations.models import Organization
from shuniu.organizations.tests.factories import OrganizationFactory

from .rows import audit_row

pytestmark = pytest.mark.django_db

REFUSED = "append-only"
postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's TRUNCATE and settings")


def execute(sql, params=()) -> int:
    """Raw SQL in a savepoint of its own (a refusal leaves the test's transaction usable); the row count."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def delete(change) -> int:
    return execute("DELETE FROM audit_objectchange WHERE id = %s", [change.pk])


def exists(change) -> bool:
    return ObjectChange.objects.filter(pk=change.pk).exists()


def test_raw_update_and_delete_are_refused_by_the_database():
    change = audit_row(400)
    for sql in (
        "UPDATE audit_objectchange SET message = 'x' WHERE id = %s",
        "UPDATE audit_objectchange SET user_id = NULL WHERE id = %s",  # no exception left for a deleted user
        "DELETE FROM audit_objectchange WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match=REFUSED):
            execute(sql, [change.pk])
    assert ObjectChange.objects.get(pk=change.pk).message == change.message


@postgresql_only
def test_truncate_is_refused_even_to_the_owner():
    audit_row(400)
    count = ObjectChange.objects.count()
    execute("SET CONSTRAINTS ALL IMMEDIATE")  # inside the test's transaction: no foreign key checks pending
    execute("SET CONSTRAINTS ALL DEFERRED")
    with pytest.raises(DatabaseError, match=REFUSED):
        execute("TRUNCATE audit_objectchange")
    with pytest.raises(DatabaseError, match=REFUSED):  # CASCADE from a table it refers to reaches it too
        execute("TRUNCATE django_content_type CASCADE")
    assert ObjectChange.objects.count() == count


def test_the_purge_permit_lets_only_rows_older_than_the_retention_go():
    old, floor, young = audit_row(400), audit_row(179), audit_row(10)
    with transaction.atomic(), protection.purge_permitted(connection, retention_days=180):
        for change in (floor, young):
            with pytest.raises(DatabaseError, match=REFUSED):
                delete(change)
        assert delete(old) == 1
    assert not exists(old) and exists(floor) and exists(young)


def test_the_purge_permit_ends_with_its_block():
    old = audit_row(400)
    with transaction.atomic():
        with protection.purge_permitted(connection, retention_days=180):
            pass
        with pytest.raises(DatabaseError, match=REFUSED):
            delete(old)
    assert exists(old)


def test_a_longer_retention_in_the_permit_keeps_more():
    old, middle = audit_row(400), audit_row(200)
    with transaction.atomic(), protection.purge_permitted(connection, retention_days=365):
        with pytest.raises(DatabaseError, match=REFUSED):
            delete(middle)
        assert delete(old) == 1
    assert exists(middle)


def test_the_database_holds_the_floor_whatever_the_permit_says():
    """Past the application's own floor (`purge_permitted` raises a smaller value to 180): the trigger's."""
    young = audit_row(100)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            execute("SELECT set_config('shuniu.audit_purge', 'on', true)")
            execute("SELECT set_config('shuniu.audit_retention_days', '1', true)")
        else:
            with pytest.raises(DatabaseError):  # the permit table's CHECK refuses a short retention
                execute("INSERT INTO audit_purge_permit (retention_days) VALUES (1)")
            execute("INSERT INTO audit_purge_permit (retention_days) VALUES (180)")
        with pytest.raises(DatabaseError, match=REFUSED):
            delete(young)
    assert exists(young)


def test_a_user_with_audit_records_cannot_be_deleted():
    user = get_user_model().objects.create_user("leaver", password="x")
    with audit.context(user=user):
        OrganizationFactory()
    changes = ObjectChange.objects.filter(user=user).count()
    with pytest.raises(ProtectedError), transaction.atomic():
        user.delete()
    assert get_user_model().objects.filter(pk=user.pk).exists()
    assert ObjectChange.objects.filter(user=user).count() == changes > 0
    never_active = get_user_model().objects.create_user("never-active", password="x")
    never_active.delete()  # holds no record: may go (its creation and deletion are recorded as the acting user's)
    assert not get_user_model().objects.filter(pk=never_active.pk).exists()


def test_the_admin_refuses_to_delete_such_a_user_in_chinese(admin_client):
    user = get_user_model().objects.create_user("leaver", password="x")
    with audit.context(user=user):
        OrganizationFactory()
    url = reverse("admin:auth_user_delete", args=[user.pk])
    page = admin_client.get(url).content.decode()
    assert (
        "<h1>无法删除 用户</h1>" in page and "<li>变更记录</li>" in page
    )  # Django's words: the records stand in the way
    admin_client.post(url, {"post": "yes"})
    assert get_user_model().objects.filter(pk=user.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_the_test_frameworks_flush_empties_the_log_and_leaves_the_guard_in_place():
    audit_row(400)
    call_command("flush", interactive=False)
    assert not ObjectChange.objects.exists()
    change = audit_row(400)
    with pytest.raises(DatabaseError, match=REFUSED):
        delete(change)
    assert exists(change)


def test_flush_refuses_outside_the_tests(settings):
    settings.SHUNIU_AUDIT_FLUSH_ALLOWED = False
    OrganizationFactory()
    with pytest.raises(CommandError, match="审计日志受保护"):
        call_command("flush", interactive=False)
    assert ObjectChange.objects.exists() and Organization.objects.exists()


@pytest.mark.parametrize(("value", "refused"), [(179, True), (0, True), ("半年", True), (180, False), ("365", False)])
def test_a_retention_below_180_days_stops_the_start(settings, value, refused):
    settings.SHUNIU_AUDIT_RETENTION_DAYS = value
    errors = [error for error in checks.run_checks(tags=[checks.Tags.security]) if error.id == "audit.E001"]
    assert bool(errors) == refused
    if refused:
        assert "SHUNIU_AUDIT_RETENTION_DAYS" in errors[0].msg
