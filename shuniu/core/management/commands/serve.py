import os
import subprocess
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


class Command(BaseCommand):
    help = "Serve Shuniu with waitress (a production-grade WSGI server that needs no compiler)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="不启动后台任务进程（导入检查与写入）；生产环境单独运行 shuniu worker",
        )

    def handle(self, *args, host, port, threads, no_worker=False, **options):
        import waitress
        from django.core.servers.basehttp import get_internal_wsgi_application

        application = get_internal_wsgi_application()  # settings.WSGI_APPLICATION

        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            raise CommandError("数据库尚未迁移：请先运行 `shuniu migrate`（或 `shuniu demo`）。")
        if not (settings.BASE_DIR / "static" / "vendor").exists():
            raise CommandError("缺少前端资源 shuniu/static/vendor：请先运行 scripts/setup。")
        worker = None
        if not no_worker:  # background imports: django-tasks' database worker, beside the web server
            # given our pid, the worker stops by itself when this process stops, even by kill -9 (`core.workers`)
            worker = subprocess.Popen(
                [sys.executable, "-m", "shuniu", "worker", "--interval", "0.5", "--parent-pid", str(os.getpid())]
            )
        self.stdout.write(self.style.SUCCESS(f"枢纽已启动：http://{host}:{port}/   （按 Ctrl+C 停止）"))
        try:
            waitress.serve(application, host=host, port=port, threads=threads, ident="shuniu", _quiet=True)
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=10)
