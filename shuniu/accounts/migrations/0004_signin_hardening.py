"""Sign-in hardening (issue 10): the password history (`PasswordHistory`, old hashes for the no-reuse rule) and
separation of duties (三权分立) in the roles. The system, security and audit administrators become three roles, and
the city administrator, who held everything ("*"), keeps the city's business data — organizations, hubs, links,
imports, unmasking — but no longer users, roles or the audit log. Holders of 市级管理员 who administered users must be
given one of the new roles (`shuniu user assign NAME system-admin`)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

BUSINESS = ["areas.*", "organizations.*", "hubs.*", "indicators.*", "imports.*"]

ROLES = [
    ("city-admin", "市级管理员", 1, "全市的业务数据：社会组织、枢纽、联系关系、导入和完整证件号码（不含用户、角色和审计日志）", BUSINESS),
    (
        "system-admin",
        "系统管理员",
        8,
        "用户账户：新增、修改、停用（三权分立，不能兼任安全管理员或审计管理员）",
        ["auth.view_user", "auth.add_user", "auth.change_user"],
    ),
    (
        "security-admin",
        "安全管理员",
        9,
        "角色分配、两步验证重置、解除登录锁定、API 令牌（三权分立，不能兼任系统管理员或审计管理员）",
        [
            "auth.view_user",
            "accounts.view_role",
            "accounts.view_roleassignment",
            "accounts.add_roleassignment",
            "accounts.delete_roleassignment",
            "accounts.view_apitoken",
            "accounts.delete_apitoken",
            "otp_totp.view_totpdevice",
            "otp_totp.delete_totpdevice",
            "otp_static.delete_staticdevice",
            "axes.view_accessattempt",
            "axes.delete_accessattempt",
        ],
    ),
    (
        "audit-admin",
        "审计管理员",
        10,
        "只读审计日志，别无其他权限（三权分立，不能兼任系统管理员或安全管理员）",
        ["audit.view_objectchange"],
    ),
]


def load(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for slug, name, ordering, description, permissions in ROLES:
        Role.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "scope_kind": "city",
                "area_level": "",
                "description": description,
                "permissions": permissions,
                "ordering": ordering,
            },
        )


def unload(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    Role.objects.filter(slug="city-admin").update(permissions=["*"], description="全市的一切，包括用户、角色和审计日志")
    administrators = Role.objects.filter(slug__in=["system-admin", "security-admin", "audit-admin"])
    apps.get_model("accounts", "RoleAssignment").objects.filter(role__in=administrators).delete()
    administrators.delete()


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_api_tokens'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='PasswordHistory',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('password', models.CharField(max_length=128, verbose_name='密码哈希')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='设置时间')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='password_history', to=settings.AUTH_USER_MODEL, verbose_name='用户')),
            ],
            options={
                'verbose_name': '历史密码',
                'verbose_name_plural': '历史密码',
                'ordering': ('-created_at', '-pk'),
            },
        ),
        migrations.RunPython(load, unload),
    ]
