from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from shuniu import audit
from shuniu.core.workers import running_worker
from shuniu.imports.choices import ImportStatus, RowOutcome
from shuniu.imports.exports import rejected_rows_xlsx
from shuniu.imports.registry import kinds
from shuniu.imports.services import import_file


class Command(BaseCommand):
    help = "导入 Excel/CSV 文件：shuniu import FILE --kind KIND [--dry-run]（KIND：各模块声明的导入类型）"

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--kind", required=True, choices=kinds())
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument("--user", help="以该用户的身份和权限范围导入（默认：不限范围）")
        parser.add_argument("--rejected", type=Path, help="被拒绝的行写到此文件（默认：FILE 旁的 .rejected.xlsx）")

    def handle(self, *args, file: Path, kind: str, dry_run: bool, user: str | None, rejected: Path | None, **options):
        if not file.is_file():
            raise CommandError(f"找不到文件：{file}")
        account = None
        if user:
            account = get_user_model().objects.filter(username=user).first()
            if account is None:
                raise CommandError(f"没有用户「{user}」。")
        # registered as a worker: if this command is killed, the job is failed with a message, not left running
        with running_worker(), audit.context(user=account, message=f"shuniu import {file.name}"):
            job = import_file(
                data=file.read_bytes(),
                filename=file.name,
                kind=kind,
                user=account,
                dry_run=dry_run,
                progress=self.progress,
            )
        self.stderr.write("")
        if job.status == ImportStatus.FAILED:
            raise CommandError(f"导入失败（记录 #{job.pk}）：{job.error}")
        for note in job.notes:
            self.stdout.write(f"提示：{note}")
        counts = "，".join(f"{outcome.label} {job.count(outcome):,}" for outcome in RowOutcome)
        verb = "检查完成（未写入）" if dry_run else "导入完成"
        self.stdout.write(self.style.SUCCESS(f"{verb}：共 {job.total_rows:,} 行：{counts}。记录 #{job.pk}"))
        if job.count(RowOutcome.REJECTED):
            target = rejected or file.with_name(f"{file.stem}.rejected.xlsx")
            with audit.context(user=account, message=f"shuniu import {file.name}"):  # masked as --user may see it
                target.write_bytes(rejected_rows_xlsx(job, viewer=account))
            self.stdout.write(f"被拒绝的行及原因：{target}")

    def progress(self, done: int, total: int) -> None:
        percent = 100 * done // total if total else 100
        self.stderr.write(f"\r检查中 {done:,}/{total:,} 行（{percent}%）", ending="")
        self.stderr.flush()
