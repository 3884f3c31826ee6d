"""The foreign keys of a change record are not indexed on their own: the composite indexes (audit_change_object,
audit_change_related, audit_change_user) lead with them.

The indexes are dropped by name: an AlterField would also drop and re-add each foreign key, which checks every row
of what is the largest table, three times."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_append_only"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    [
                        f"DROP INDEX IF EXISTS {name}"
                        for name in (
                            "audit_objectchange_content_type_id_0c7bd1ad",
                            "audit_objectchange_related_content_type_id_5c6330e5",
                            "audit_objectchange_user_id_f28180f5",
                        )
                    ],
                    [
                        "CREATE INDEX audit_objectchange_content_type_id_0c7bd1ad ON audit_objectchange (content_type_id)",
                        "CREATE INDEX audit_objectchange_related_content_type_id_5c6330e5 "
                        "ON audit_objectchange (related_content_type_id)",
                        "CREATE INDEX audit_objectchange_user_id_f28180f5 ON audit_objectchange (user_id)",
                    ],
                )
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="objectchange",
                    name="content_type",
                    field=models.ForeignKey(
                        db_index=False,
                        editable=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="contenttypes.contenttype",
                        verbose_name="记录类型",
                    ),
                ),
                migrations.AlterField(
                    model_name="objectchange",
                    name="related_content_type",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="contenttypes.contenttype",
                        verbose_name="相关记录类型",
                    ),
                ),
                migrations.AlterField(
                    model_name="objectchange",
                    name="user",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="用户",
                    ),
                ),
            ],
        )
    ]
