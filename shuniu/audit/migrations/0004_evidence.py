"""The audit log kept like evidence (MLPS level 3: records protected from deletion, modification and overwriting,
kept at least six months), by the database itself on both engines:

- PostgreSQL: the row trigger of `0002_append_only` now refuses every UPDATE, and every DELETE except the archive's
  purge of rows older than the retention (`audit.protection.purge_permitted`: the transaction-local settings
  `shuniu.audit_purge = 'on'` and `shuniu.audit_retention_days`, never less than 180 days, checked against the row's
  own time); a statement trigger refuses TRUNCATE, which row triggers never see. The owner could still drop the
  triggers: the application therefore runs as another role, with only SELECT and INSERT on this table
  (`shuniu audit db_roles`, see the README).
- SQLite: triggers refuse UPDATE, and DELETE unless the archive's permit row is in `audit_purge_permit` (written and
  removed inside the archive's transaction) and the row is older than the retention. A later migration that rebuilds
  this table on SQLite (Django copies it into a new table) drops them and must create them again; the tests of the
  guard would fail.

Deleting a user. The row trigger used to let one UPDATE through: `user` SET NULL when a user is deleted. Under MLPS
level 3 every user has a unique identity that is never reused, and an account that leaves is deactivated, not
deleted, so that the log keeps naming whose action it was. `ObjectChange.user` is now PROTECT: deleting a user who
holds audit records is refused by the application (Django's ProtectedError; the admin's delete page says so in
Chinese and lists the records) and by the foreign key itself (no ON DELETE action, checked at commit), and no UPDATE
of the log is ever needed, so none is let through and the application's role needs no UPDATE privilege on it. A user
who holds no records (created and never active) can still be deleted.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

REFUSED = "审计记录只能新增，不能修改或删除 (audit records are append-only): "

POSTGRESQL = f"""
CREATE OR REPLACE FUNCTION audit_objectchange_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('shuniu.audit_purge', true) = 'on' THEN
        IF OLD.time < now() - make_interval(days => GREATEST(180,
                COALESCE(NULLIF(current_setting('shuniu.audit_retention_days', true), '')::integer, 180))) THEN
            RETURN OLD;  -- the archive's purge of a row older than the retention
        END IF;
    END IF;
    RAISE EXCEPTION USING MESSAGE = '{REFUSED}' || TG_OP, ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_objectchange_no_truncate BEFORE TRUNCATE ON audit_objectchange
    FOR EACH STATEMENT EXECUTE FUNCTION audit_objectchange_append_only();
"""
POSTGRESQL_REVERSE = """
DROP TRIGGER IF EXISTS audit_objectchange_no_truncate ON audit_objectchange;
CREATE OR REPLACE FUNCTION audit_objectchange_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.user_id IS NOT NULL AND NEW.user_id IS NULL
       AND (to_jsonb(NEW) - 'user_id') = (to_jsonb(OLD) - 'user_id') THEN
        RETURN NEW;  -- the user was deleted: the record keeps user_name
    END IF;
    RAISE EXCEPTION USING
        MESSAGE = 'audit records cannot be changed or deleted: ' || TG_OP, ERRCODE = 'insufficient_privilege';
END;
$$;
"""
SQLITE = [
    "CREATE TABLE audit_purge_permit (retention_days integer NOT NULL CHECK (retention_days >= 180))",
    f"""CREATE TRIGGER audit_objectchange_no_update BEFORE UPDATE ON audit_objectchange
    BEGIN
        SELECT RAISE(ABORT, '{REFUSED}UPDATE');
    END""",
    f"""CREATE TRIGGER audit_objectchange_no_delete BEFORE DELETE ON audit_objectchange
    WHEN NOT EXISTS (
        SELECT 1 FROM audit_purge_permit
        WHERE OLD.time < datetime('now', '-' || max(retention_days, 180) || ' days')
    )
    BEGIN
        SELECT RAISE(ABORT, '{REFUSED}DELETE');
    END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_objectchange_no_delete",
    "DROP TRIGGER IF EXISTS audit_objectchange_no_update",
    "DROP TABLE IF EXISTS audit_purge_permit",
]


def run(postgresql, sqlite):
    def operation(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        for sql in {"postgresql": [postgresql], "sqlite": sqlite}.get(vendor, []):
            schema_editor.execute(sql)

    return operation


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_drop_redundant_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(  # no SQL: on_delete is the application's (the foreign key has no ON DELETE action)
            model_name="objectchange",
            name="user",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="用户",
            ),
        ),
        migrations.AlterField(
            model_name="objectchange",
            name="action",
            field=models.CharField(
                choices=[
                    ("create", "新增"),
                    ("update", "修改"),
                    ("delete", "删除"),
                    ("link_ended", "联系关系结束"),
                    ("hub_recognized", "枢纽认定"),
                    ("hub_revoked", "枢纽撤销认定"),
                    ("import", "导入"),
                    ("export", "导出"),
                    ("merge", "合并"),
                    ("unmask", "查看未脱敏信息"),
                    ("archive", "归档审计日志"),
                ],
                editable=False,
                max_length=20,
                verbose_name="操作",
            ),
        ),
        migrations.RunPython(run(POSTGRESQL, SQLITE), run(POSTGRESQL_REVERSE, SQLITE_REVERSE)),
    ]
