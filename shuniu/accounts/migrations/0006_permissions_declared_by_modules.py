"""The built-in roles' permissions on the business apps are now declared by each app (`module.py`,
`core.modules.Module.permissions`) and added to the stored ones at run time; the stored lists keep what is the
accounts' own (the administrators' roles). This migration removes the business apps' permissions from the stored lists,
and puts them back when reversed (the lists as migrations 0002, 0004 and 0005 left them)."""

from django.db import migrations

APPS = ("areas", "organizations", "hubs", "indicators", "imports")
BUILT_IN = ("city-admin", "city-analyst", "district-office", "street-office", "hub-staff", "organization", "leader")

REFERENCE = ["areas.view_area", "areas.view_areapopulation", "organizations.view_field", "hubs.view_system"]
LINK_WORK = ["hubs.view_link", "hubs.add_link", "hubs.change_link", "hubs.end_link"]
IMPORTS = ["imports.view_importjob", "imports.view_importtemplate", "imports.add_importtemplate"]
STORED_BEFORE = {
    "city-admin": ["areas.*", "organizations.*", "hubs.*", "indicators.*", "imports.*"],
    "city-analyst": [
        *REFERENCE,
        "organizations.view_organization",
        "organizations.view_organizationmerge",
        "organizations.view_duplicatedismissal",
        "hubs.view_hub",
        "hubs.view_link",
        "imports.view_importjob",
    ],
    "district-office": [
        *REFERENCE,
        "organizations.view_organization",
        "organizations.add_organization",
        "organizations.change_organization",
        "organizations.delete_organization",
        "organizations.view_organizationmerge",
        "organizations.view_duplicatedismissal",
        "organizations.add_duplicatedismissal",
        "hubs.view_hub",
        "hubs.add_hub",
        "hubs.change_hub",
        *LINK_WORK,
        *IMPORTS,
    ],
    "street-office": [
        *REFERENCE,
        "organizations.view_organization",
        "organizations.add_organization",
        "organizations.change_organization",
        "hubs.view_hub",
        *LINK_WORK,
        *IMPORTS,
    ],
    "hub-staff": [*REFERENCE, "organizations.view_organization", "hubs.view_hub", *LINK_WORK, *IMPORTS],
    "organization": [*REFERENCE, "organizations.view_organization", "hubs.view_link", "hubs.view_hub"],
    "leader": [*REFERENCE, "organizations.view_organization", "hubs.view_hub", "hubs.view_link"],
}


def declared_by_modules(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for role in Role.objects.filter(slug__in=BUILT_IN):
        role.permissions = [name for name in role.permissions if name.split(".", 1)[0] not in APPS]
        role.save(update_fields=["permissions"])


def stored(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for role in Role.objects.filter(slug__in=BUILT_IN):
        role.permissions = [
            *STORED_BEFORE[role.slug],
            *(name for name in role.permissions if name not in STORED_BEFORE[role.slug]),
        ]
        role.save(update_fields=["permissions"])


load = declared_by_modules  # the name the tests' `reference_data` fixture calls


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_organization_sees_its_hubs")]

    operations = [migrations.RunPython(declared_by_modules, stored)]
