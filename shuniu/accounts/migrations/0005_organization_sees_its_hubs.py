"""An organization's account sees the hubs that link it (the hub of each link on its own page): `hubs.view_hub`,
within its scope, which for a hub is its own recognitions and the hubs one of its links belongs to (`Hub.scope`'s
`seen_with`)."""

from django.db import migrations

PERMISSION = "hubs.view_hub"


def load(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for role in Role.objects.filter(slug="organization"):
        if PERMISSION not in role.permissions:
            role.permissions = [*role.permissions, PERMISSION]
            role.save(update_fields=["permissions"])


def remove(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for role in Role.objects.filter(slug="organization"):
        role.permissions = [name for name in role.permissions if name != PERMISSION]
        role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_signin_hardening")]

    operations = [migrations.RunPython(load, remove)]
