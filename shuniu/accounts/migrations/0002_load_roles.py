"""The roles of the hub work system: who may do what, and which kind of scope each is assigned with."""

from django.db import migrations

REFERENCE = ["areas.view_area", "areas.view_areapopulation", "organizations.view_field", "hubs.view_system"]
LINK_WORK = ["hubs.view_link", "hubs.add_link", "hubs.change_link", "hubs.end_link"]
IMPORTS = ["imports.view_importjob", "imports.view_importtemplate", "imports.add_importtemplate"]

ROLES = [
    ("city-admin", "市级管理员", "city", "", "全市的一切，包括用户、角色和审计日志", ["*"]),
    (
        "city-analyst",
        "市级分析员",
        "city",
        "",
        "只读全市的数据和指标",
        [
            *REFERENCE,
            "organizations.view_organization",
            "organizations.view_organizationmerge",
            "organizations.view_duplicatedismissal",
            "hubs.view_hub",
            "hubs.view_link",
            "imports.view_importjob",
        ],
    ),
    (
        "district-office",
        "区级工作人员",
        "area",
        "district",
        "本区的社会组织、枢纽和联系关系",
        [
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
    ),
    (
        "street-office",
        "街道（乡镇）工作人员",
        "area",
        "street",
        "本街道（乡镇）的社会组织和联系关系",
        [
            *REFERENCE,
            "organizations.view_organization",
            "organizations.add_organization",
            "organizations.change_organization",
            "hubs.view_hub",
            *LINK_WORK,
            *IMPORTS,
        ],
    ),
    (
        "hub-staff",
        "枢纽工作人员",
        "hub",
        "",
        "本枢纽的记录和它联系过的社会组织；只能维护本枢纽当前的联系关系",
        [*REFERENCE, "organizations.view_organization", "hubs.view_hub", *LINK_WORK, *IMPORTS],
    ),
    (
        "organization",
        "社会组织账号",
        "organization",
        "",
        "本组织的记录和联系关系（只读）",
        [*REFERENCE, "organizations.view_organization", "hubs.view_link"],
    ),
    (
        "leader",
        "领导",
        "area",
        "",
        "范围内的指标看板和明细（只读）；不选区划即全市",
        [*REFERENCE, "organizations.view_organization", "hubs.view_hub", "hubs.view_link"],
    ),
]


def load(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for ordering, (slug, name, scope_kind, area_level, description, permissions) in enumerate(ROLES, start=1):
        Role.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "scope_kind": scope_kind,
                "area_level": area_level,
                "description": description,
                "permissions": permissions,
                "ordering": ordering,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
