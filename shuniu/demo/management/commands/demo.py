"""`shuniu demo`: build the demo city (the same city for the same seed), give it its accounts, and serve it."""

import time

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from shuniu.accounts.models import Role, RoleAssignment
from shuniu.accounts.services import role_assign
from shuniu.organizations.models import Organization

DEMO_PASSWORD = "Shuniu-demo1"  # one password for the demo's accounts (it meets the password rules)
#: the demo's accounts: user name, role, what each is for. Three administrators (三权分立), none of them a
#: superuser and none able to see the city's data, and the city's business account, which sees everything of it.
DEMO_ACCOUNTS = [
    ("city", "city-admin", "市级管理员：全市的社会组织、枢纽、联系关系、指标和导入"),
    ("admin", "system-admin", "系统管理员：新增、停用用户（不能分配角色、看不到业务数据）"),
    ("security", "security-admin", "安全管理员：分配角色、重置两步验证、解除登录锁定"),
    ("auditor", "audit-admin", "审计管理员：只读审计日志"),
]


class Command(BaseCommand):
    help = "Build the demo city (the same city for the same seed) and serve it."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0, help="1 = about 32,000 organizations")
        parser.add_argument("--seed", type=int, default=2015)
        parser.add_argument("--no-serve", action="store_true", help="only build the database")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args, scale, seed, no_serve, port, **options):
        from shuniu import demo

        if scale <= 0 or scale > 20:
            raise CommandError("--scale 须在 0 到 20 之间（1 约为 32,000 个社会组织）。")
        call_command("migrate", verbosity=0, interactive=False)
        if Organization.objects.exists():
            self.stdout.write(
                "数据库中已有数据，直接使用（如需重建，请删除 var/shuniu.sqlite3 或换一个 DATABASE_URL）。"
            )
        else:
            self.stdout.write(f"正在生成示范城市（规模 {scale}，种子 {seed}）……")
            started = time.perf_counter()
            summary = demo.build(scale=scale, seed=seed, stdout=self.stdout)
            self.stdout.write(self.style.SUCCESS(f"示范城市已生成，用时 {time.perf_counter() - started:.1f} 秒。"))
            for key, value in summary.items():
                self.stdout.write(f"  {key}: {value}")
        demo_accounts()
        self.stdout.write(self.style.SUCCESS(f"登录：http://127.0.0.1:{port}/   密码（各账户相同）{DEMO_PASSWORD}"))
        for username, _slug, purpose in DEMO_ACCOUNTS:
            self.stdout.write(f"  用户名 {username:<9} {purpose}")
        if not no_serve:
            call_command("serve", port=port)


def demo_accounts() -> None:
    """Creates the demo's accounts, or brings those of an older demo database in line: the `admin` of old was a
    superuser, and becomes the system administrator."""
    User = get_user_model()
    for username, slug, _purpose in DEMO_ACCOUNTS:
        user, created = User.objects.get_or_create(username=username, defaults={"email": f"{username}@example.com"})
        if created or user.is_superuser:
            user.set_password(DEMO_PASSWORD)
            user.is_superuser = user.is_staff = False
            user.save()
        role = Role.objects.get(slug=slug)
        if not RoleAssignment.objects.filter(user=user, role=role).exists():
            role_assign(user=user, role=role)
