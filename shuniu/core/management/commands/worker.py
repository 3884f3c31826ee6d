"""`shuniu worker`: django-tasks-db's `db_worker`, registered as a worker whose death is seen (`core.workers`).

The jobs it runs record it; if it dies (`kill -9`, a crash, a reboot) they are failed with a message within the grace
period instead of staying 「正在导入」 for ever. Given `--parent-pid` (as `shuniu serve` does), it stops when that
process has stopped, even if the server was killed and could not stop it itself."""

from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from shuniu.core.workers import running_worker


class Command(DatabaseWorkerCommand):
    help = "运行后台任务进程（导入的检查与写入等）；进程意外中止时，它正在做的任务会被标记为失败。"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--parent-pid",
            type=int,
            default=None,
            help="启动本进程的服务器进程号：服务器停止（包括被强制结束）后，本进程在几秒内自行退出",
        )

    def handle(self, *args, parent_pid=None, **options):
        if parent_pid is not None:
            options["reload"] = False  # the reloader would put a process between the server and the worker
        with running_worker(worker_id=options["worker_id"], parent_pid=parent_pid):
            super().handle(*args, **options)
