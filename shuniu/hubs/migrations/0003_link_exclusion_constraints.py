"""On PostgreSQL, the database itself refuses overlapping links (the services check the same everywhere).

- no two links of the same role for the same hub and organization share a day;
- an organization has at most one managing hub on any day.
End dates are inclusive, hence daterange(start_date, end_date, '[]'); NULL means open-ended.
"""

from django.db import migrations

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    "ALTER TABLE hubs_link ADD CONSTRAINT hubs_link_no_overlap EXCLUDE USING gist "
    "(hub_id WITH =, organization_id WITH =, role WITH =, daterange(start_date, end_date, '[]') WITH &&)",
    "ALTER TABLE hubs_link ADD CONSTRAINT hubs_link_one_manager EXCLUDE USING gist "
    "(organization_id WITH =, daterange(start_date, end_date, '[]') WITH &&) WHERE (role = 'manage')",
]
DROP = [
    "ALTER TABLE hubs_link DROP CONSTRAINT IF EXISTS hubs_link_one_manager",
    "ALTER TABLE hubs_link DROP CONSTRAINT IF EXISTS hubs_link_no_overlap",
]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("hubs", "0002_load_systems")]
    operations = [migrations.RunPython(run(CREATE), run(DROP))]
