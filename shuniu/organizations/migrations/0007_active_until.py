"""Every dated record ends on its last valid day (`shuniu.core.dated`), as links already did.

An organization's `dissolved_on` was the day it was deregistered or revoked (no longer active that day); it becomes
`active_until`, its last active day: the stored dates move one day back (and forward again when migrating back). The
checks are restated: `active_until >= founded_on` (it was `dissolved_on >= founded_on`), and a deregistered or revoked
organization has an `active_until`, an active one none.

An organization dissolved on the day it was founded (never active under the old reading) cannot end before it starts:
its last active day becomes its founding day, and migrating back gives it the day after as its dissolution.
"""

from django.db import migrations, models
from django.db.models import Q

TABLE, COLUMN, START = "organizations_organization", "active_until", "founded_on"


def shift(days: int):
    def run(apps, schema_editor):
        quote = schema_editor.quote_name
        table, column, start = quote(TABLE), quote(COLUMN), quote(START)
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            moved = f"{column} + %s"
            if days < 0:
                moved = f"GREATEST({moved}, {start})"
            schema_editor.execute(f"UPDATE {table} SET {column} = {moved} WHERE {column} IS NOT NULL", [days])
        elif vendor == "sqlite":
            moved = f"date({column}, %s)"
            if days < 0:
                moved = f"max({moved}, {start})"
            schema_editor.execute(
                f"UPDATE {table} SET {column} = {moved} WHERE {column} IS NOT NULL", [f"{days:+d} day"]
            )
        else:
            raise NotImplementedError(vendor)

    return run


class Migration(migrations.Migration):
    dependencies = [("organizations", "0006_drop_redundant_indexes")]

    operations = [
        migrations.RemoveConstraint(model_name="organization", name="organizations_organization_status_dates"),
        migrations.RemoveConstraint(
            model_name="organization", name="organizations_organization_dissolved_after_founded"
        ),
        migrations.RemoveIndex(model_name="organization", name="organizations_active_dates"),
        migrations.RenameField(model_name="organization", old_name="dissolved_on", new_name="active_until"),
        migrations.AlterField(
            model_name="organization",
            name="active_until",
            field=models.DateField(
                blank=True,
                help_text="存续的最后一天，即注销或撤销之日的前一天；正常存续的组织留空",
                null=True,
                verbose_name="存续截止日期",
            ),
        ),
        migrations.RunPython(shift(-1), shift(+1), elidable=False),
        migrations.AddIndex(
            model_name="organization",
            index=models.Index(fields=["founded_on", "active_until"], name="organizations_active_dates"),
        ),
        migrations.AddConstraint(
            model_name="organization",
            constraint=models.CheckConstraint(
                condition=Q(active_until__isnull=True, status="active")
                | (~Q(status="active") & Q(active_until__isnull=False)),
                name="organizations_organization_status_dates",
                violation_error_message="注销或撤销的组织须有存续截止日期，正常存续的组织不能有。",
            ),
        ),
        migrations.AddConstraint(
            model_name="organization",
            constraint=models.CheckConstraint(
                condition=Q(active_until__isnull=True) | Q(active_until__gte=models.F("founded_on")),
                name="organizations_organization_end_after_start",
                violation_error_message="存续截止日期不能早于成立日期。",
            ),
        ),
    ]
