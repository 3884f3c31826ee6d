"""Indexes for the links list's sorts (`LinkTable`): page 1 of 1,000,000 links by start date (the default order,
-start_date then pk, and start_date either way), end date, role or basis reads an index instead of sorting every
link (about 2 s each at the benchmark's scale, a few ms with the index)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("hubs", "0006_recognized_until"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="link",
            index=models.Index(fields=["-start_date", "id"], name="hubs_link_start_date"),
        ),
        migrations.AddIndex(
            model_name="link",
            index=models.Index(fields=["end_date"], name="hubs_link_end_date"),
        ),
        migrations.AddIndex(
            model_name="link",
            index=models.Index(fields=["role"], name="hubs_link_role"),
        ),
        migrations.AddIndex(
            model_name="link",
            index=models.Index(fields=["basis"], name="hubs_link_basis"),
        ),
    ]
