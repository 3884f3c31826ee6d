import time

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from shuniu.organizations.models import Organization

DEMO_USERNAME = "admin"
DEMO_PASSWORD = "shuniu-demo"


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
        User = get_user_model()
        if not User.objects.filter(username=DEMO_USERNAME).exists():
            User.objects.create_superuser(DEMO_USERNAME, "admin@example.com", DEMO_PASSWORD)
        self.stdout.write(
            self.style.SUCCESS(f"登录：http://127.0.0.1:{port}/   用户名 {DEMO_USERNAME}   密码 {DEMO_PASSWORD}")
        )
        if not no_serve:
            call_command("serve", port=port)
