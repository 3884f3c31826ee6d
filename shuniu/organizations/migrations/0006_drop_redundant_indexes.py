"""Each index once, as a plain B-tree. Field-level db_index also made a varchar_pattern_ops copy on PostgreSQL (for
LIKE 'prefix%', which no query makes on these columns); each extra index slowed every insert, an import's most. The
keyed hashes are indexed only where a number is recorded: they are looked up by a number's hash, never by ""."""

from django.db import migrations, models

import shuniu.core.fields


class Migration(migrations.Migration):
    dependencies = [
        ("areas", "0002_load_beijing"),
        ("organizations", "0005_legal_representative_personal_data"),
    ]

    operations = [
        # KeyedHashField used to index itself (the model does now): the state is told of the old indexes, then the
        # field drops them where they exist (a database migrated before this; a new one never had them)
        *[
            operation
            for name, source in (
                ("legal_representative_id_number_hash", "legal_representative_id_number"),
                ("legal_representative_phone_hash", "legal_representative_phone"),
            )
            for operation in (
                migrations.SeparateDatabaseAndState(
                    state_operations=[
                        migrations.AlterField(
                            model_name="organization",
                            name=name,
                            field=shuniu.core.fields.KeyedHashField(
                                source=source, verbose_name="查找摘要", db_index=True
                            ),
                        )
                    ]
                ),
                migrations.AlterField(
                    model_name="organization",
                    name=name,
                    field=shuniu.core.fields.KeyedHashField(source=source, verbose_name="查找摘要"),
                ),
            )
        ],
        migrations.AlterField(
            model_name="organization",
            name="name",
            field=models.CharField(max_length=200, verbose_name="名称"),
        ),
        migrations.AddIndex(
            model_name="organization",
            index=models.Index(fields=["name"], name="organizations_name"),
        ),
        migrations.AddIndex(
            model_name="organization",
            index=models.Index(
                condition=models.Q(("legal_representative_id_number_hash", ""), _negated=True),
                fields=["legal_representative_id_number_hash"],
                name="organizations_id_number_hash",
            ),
        ),
        migrations.AddIndex(
            model_name="organization",
            index=models.Index(
                condition=models.Q(("legal_representative_phone_hash", ""), _negated=True),
                fields=["legal_representative_phone_hash"],
                name="organizations_phone_hash",
            ),
        ),
    ]
