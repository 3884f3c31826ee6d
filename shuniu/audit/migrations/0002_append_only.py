"""On PostgreSQL the database itself refuses to change or delete an audit record: a trigger raises on UPDATE and
DELETE. The one update let through is the one Django makes when a user is deleted (`user` SET NULL), which changes
nothing else. SQLite keeps the application's guard only (the model and its queryset refuse)."""

from django.db import migrations

CREATE = """
CREATE FUNCTION audit_objectchange_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.user_id IS NOT NULL AND NEW.user_id IS NULL
       AND (to_jsonb(NEW) - 'user_id') = (to_jsonb(OLD) - 'user_id') THEN
        RETURN NEW;  -- the user was deleted: the record keeps user_name
    END IF;
    RAISE EXCEPTION USING
        MESSAGE = 'audit records cannot be changed or deleted: ' || TG_OP, ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_objectchange_append_only BEFORE UPDATE OR DELETE ON audit_objectchange
    FOR EACH ROW EXECUTE FUNCTION audit_objectchange_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS audit_objectchange_append_only ON audit_objectchange;
DROP FUNCTION IF EXISTS audit_objectchange_append_only();
"""


def run(sql):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return operation


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_object_change")]

    operations = [migrations.RunPython(run(CREATE), run(DROP))]
