"""An import whose worker died is seen to die: its page shows it failed with a message the user understands, nothing
of it was written, and the same file can be imported again."""

import os
import signal
import socket
import subprocess
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.compat import task_finished
from django_tasks_db.models import DBTaskResult

from shuniu.core.tests.processes import SubprocessDatabase, shuniu_command, stop, wait_until
from shuniu.core.workers import Worker, WorkerProcess, reap_dead_workers
from shuniu.imports.choices import ImportStatus
from shuniu.imports.models import ImportJob
from shuniu.imports.tasks import import_plan_task
from shuniu.imports.tests.test_views import good_rows, org_file, upload
from shuniu.organizations.models import Organization

DIED = "导入进程意外中止（服务器重启或进程被结束），没有写入任何数据。请重新开始导入。"
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path  # where workers keep their lock files
    return tmp_path


def planned_import(client, rows: int) -> ImportJob:
    upload(client, org_file(good_rows(rows)))  # checked at once (the tests' immediate task backend)
    job = ImportJob.objects.latest("pk")
    assert job.status == ImportStatus.PLANNED, job.error
    return job


def confirm_and_apply(client, job: ImportJob) -> ImportJob:
    client.post(reverse("imports:importjob_confirm", args=[job.pk]))
    job.refresh_from_db()
    return job


def test_a_job_whose_worker_went_silent_is_failed_on_its_page_and_can_be_imported_again(
    admin_client, var_dir, settings
):
    settings.SHUNIU_WORKER_GRACE_SECONDS = 2
    job = planned_import(admin_client, 2)
    seen = timezone.now() - timedelta(seconds=3)  # a worker on another machine, silent for longer than the grace
    Worker.objects.create(worker_id="silent", hostname="another-machine", pid=42, started_at=seen, last_seen=seen)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.APPLYING, worker_id="silent")
    busy = planned_import(admin_client, 1)  # a job of a worker seen a moment ago is left alone
    now = timezone.now()
    Worker.objects.create(worker_id="busy", hostname="another-machine", pid=43, started_at=now, last_seen=now)
    ImportJob.objects.filter(pk=busy.pk).update(status=ImportStatus.APPLYING, worker_id="busy")

    page = admin_client.get(job.get_absolute_url()).content.decode()

    assert DIED in page and "失败" in page
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and job.error == DIED and job.finished_at
    busy.refresh_from_db()
    assert busy.status == ImportStatus.APPLYING
    assert list(Worker.objects.values_list("worker_id", flat=True)) == ["busy"]  # the dead one is forgotten

    retry = planned_import_same_file(admin_client, job)
    assert confirm_and_apply(admin_client, retry).status == ImportStatus.DONE
    assert Organization.objects.count() == 2


def planned_import_same_file(client, job: ImportJob) -> ImportJob:
    """Upload again the file of `job` (what 「再导入一个文件」 leads to): nothing refuses a file that failed."""
    with job.file.open("rb") as handle:
        upload(client, handle.read(), name=job.filename)
    retry = ImportJob.objects.latest("pk")
    assert retry.pk != job.pk and retry.sha256 == job.sha256 and retry.status == ImportStatus.PLANNED, retry.error
    return retry


def test_the_progress_poll_and_the_history_see_it_too(admin_client, var_dir, settings):
    settings.SHUNIU_WORKER_GRACE_SECONDS = 2
    job = planned_import(admin_client, 1)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.PLANNING, worker_id="gone-without-a-row")
    poll = admin_client.get(job.get_absolute_url() + "?progress=1", HTTP_HX_REQUEST="true")
    assert poll["HX-Refresh"] == "true"  # the page reloads and shows the failure
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and job.error == DIED

    other = planned_import(admin_client, 1)
    ImportJob.objects.filter(pk=other.pk).update(status=ImportStatus.APPLYING, worker_id="also-gone")
    admin_client.get(reverse("imports:importjob_list"))
    other.refresh_from_db()
    assert other.status == ImportStatus.FAILED


def test_a_job_no_worker_watches_is_left_alone(admin_client, var_dir):
    """A job run by a plain `db_worker` (or a queued one) records no worker: there is nothing to tell its death by."""
    job = planned_import(admin_client, 1)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.APPLYING, worker_id="")
    admin_client.get(job.get_absolute_url())
    job.refresh_from_db()
    assert job.status == ImportStatus.APPLYING


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
def test_an_import_whose_worker_is_killed_shows_failed_wrote_nothing_and_runs_again(admin_client, var_dir, tmp_path):
    rows = 4000  # enough for the write to take a while, so that the kill lands inside it
    job = planned_import(admin_client, rows)
    with override_settings(TASKS=DATABASE_TASKS):  # queued for the worker instead of run at once
        job = confirm_and_apply(admin_client, job)
    assert job.status == ImportStatus.QUEUED
    shared = SubprocessDatabase(tmp_path)
    shared.hand_over()

    worker = subprocess.Popen(
        shuniu_command("worker", "--no-startup-delay", "--interval", "0.1"), stdout=subprocess.DEVNULL, env=shared.env()
    )
    try:
        status = "SELECT status FROM imports_importjob WHERE id = ?"
        assert wait_until(lambda: shared.query(status, [job.pk]) == [("applying",)], timeout=60, step=0.02), (
            shared.query(status, [job.pk])
        )
        os.kill(worker.pid, signal.SIGKILL)  # in the middle of the write
        worker.wait(timeout=10)
    finally:
        stop(worker)
    shared.take_back()

    job.refresh_from_db()
    assert job.status == ImportStatus.APPLYING and job.worker_id  # what the dead worker left behind
    assert Organization.objects.count() == 0  # its one transaction was rolled back: nothing written
    page = admin_client.get(job.get_absolute_url()).content.decode()  # its lock is released: dead at once
    assert DIED in page
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    task = DBTaskResult.objects.get()
    assert task.status == "FAILED" and "WorkerDied" in task.exception_class_path
    assert not Worker.objects.filter(hostname=socket.gethostname(), worker_id=job.worker_id).exists()

    retry = planned_import_same_file(admin_client, job)
    assert confirm_and_apply(admin_client, retry).status == ImportStatus.DONE
    assert Organization.objects.count() == rows


def test_a_worker_missing_from_the_table_but_holding_its_lock_here_is_alive(admin_client, var_dir):
    """A checker elsewhere may forget a worker it did not hear while the database was out of reach; here its lock
    file still says it works, so its job is left alone."""
    job = planned_import(admin_client, 1)
    process = WorkerProcess("row-less")
    process._lock()
    try:
        ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.APPLYING, worker_id="row-less")
        admin_client.get(job.get_absolute_url())
        job.refresh_from_db()
        assert job.status == ImportStatus.APPLYING
    finally:
        process.lock_file.close()
    admin_client.get(job.get_absolute_url())
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and job.error == DIED


@pytest.mark.django_db
def test_the_import_command_runs_as_a_watched_worker(var_dir, tmp_path):
    path = tmp_path / "名录.xlsx"
    path.write_bytes(org_file(good_rows(2)))
    call_command("import", str(path), kind="organizations")
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.DONE and job.worker_id  # had it been killed, its job would have been failed
    assert not Worker.objects.exists() and not list((var_dir / "run").iterdir())  # and it left nothing behind


def test_a_fresh_worker_forgets_the_dead_and_fails_the_tasks_they_were_running(admin_client, var_dir, settings):
    """What a worker does at start and with each heartbeat (`idle_too`): also the dead that left no job behind."""
    settings.SHUNIU_WORKER_GRACE_SECONDS = 2
    job = planned_import(admin_client, 1)
    with override_settings(TASKS=DATABASE_TASKS):
        queued = import_plan_task.enqueue(job.pk)
    DBTaskResult.objects.get(id=queued.id).claim("idle-dead")
    seen = timezone.now() - timedelta(seconds=3)
    Worker.objects.create(worker_id="idle-dead", hostname="another-machine", pid=7, started_at=seen, last_seen=seen)

    admin_client.get(job.get_absolute_url())  # a page fails jobs; this worker left none
    assert Worker.objects.filter(worker_id="idle-dead").exists()

    told = []
    task_finished.connect(lambda sender, task_result, **kwargs: told.append(task_result.id), weak=False, dispatch_uid=1)
    try:
        reap_dead_workers(idle_too=True)
    finally:
        task_finished.disconnect(dispatch_uid=1)
    assert not Worker.objects.exists()
    task = DBTaskResult.objects.get(id=queued.id)
    assert task.status == "FAILED" and task.exception_class_path == "shuniu.core.workers.WorkerDied"
    assert told == [str(queued.id)]  # as a worker tells of a failed task: who enqueued it may enqueue it again
