"""Every dated record ends on its last valid day (`shuniu.core.dated`), as links already did.

A hub's `revoked_on` was the day the recognition was revoked (no longer a hub that day); it becomes
`recognized_until`, the recognition's last day: the stored dates move one day back (and forward again when
migrating back). The check is restated as `recognized_until >= recognized_on` (it was `revoked_on > recognized_on`).

The links' exclusion constraints are now declared by `Link.dated` (`DatedExclusion`); 0003 created the very same ones
on PostgreSQL, so this tells the migration state only (`core/tests/test_dated.py` compares the two definitions).
"""

from django.db import migrations, models
from django.db.models import Q

import shuniu.core.dated

TABLE, COLUMN = "hubs_hub", "recognized_until"


def shift(days: int):
    def run(apps, schema_editor):
        quote = schema_editor.quote_name
        table, column = quote(TABLE), quote(COLUMN)
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"UPDATE {table} SET {column} = {column} + %s WHERE {column} IS NOT NULL", [days])
        elif schema_editor.connection.vendor == "sqlite":
            schema_editor.execute(
                f"UPDATE {table} SET {column} = date({column}, %s) WHERE {column} IS NOT NULL", [f"{days:+d} day"]
            )
        else:
            raise NotImplementedError(schema_editor.connection.vendor)

    return run


class Migration(migrations.Migration):
    dependencies = [("hubs", "0005_link_organization_hub_index")]

    operations = [
        migrations.RemoveConstraint(model_name="hub", name="hubs_hub_revoked_after_recognized"),
        migrations.RenameField(model_name="hub", old_name="revoked_on", new_name="recognized_until"),
        migrations.AlterField(
            model_name="hub",
            name="recognized_until",
            field=models.DateField(
                blank=True,
                help_text="认定有效的最后一天，即撤销认定之日的前一天；仍在认定期内的留空",
                null=True,
                verbose_name="认定截止日期",
            ),
        ),
        migrations.RunPython(shift(-1), shift(+1), elidable=False),
        migrations.AddConstraint(
            model_name="hub",
            constraint=models.CheckConstraint(
                condition=Q(recognized_until__isnull=True) | Q(recognized_until__gte=models.F("recognized_on")),
                name="hubs_hub_end_after_start",
                violation_error_message="认定截止日期不能早于认定日期。",
            ),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddConstraint(
                    model_name="link",
                    constraint=shuniu.core.dated.DatedExclusion(
                        name="hubs_link_no_overlap",
                        start="start_date",
                        end="end_date",
                        per=("hub", "organization", "role"),
                    ),
                ),
                migrations.AddConstraint(
                    model_name="link",
                    constraint=shuniu.core.dated.DatedExclusion(
                        name="hubs_link_one_manager",
                        start="start_date",
                        end="end_date",
                        per=("organization",),
                        condition=Q(role="manage"),
                    ),
                ),
            ]
        ),
    ]
