"""Background jobs whose process died are seen to die.

A process that runs jobs (`shuniu worker`, `shuniu import`) registers itself as a `Worker` row and proves it is alive
in two ways: a heartbeat thread touches the row's `last_seen` every few seconds, and the process holds an exclusive
lock on a file of its own under `VAR_DIR/run/`, which the operating system releases the moment the process ends,
however it ends (`kill -9` too). The heartbeat serves a checker on another machine; the lock file one on the same
machine, and it also covers the case the heartbeat cannot: on SQLite a long import holds the database's one write
lock, so the heartbeat cannot be written until it commits, yet the worker is alive.

A job model inherits `WorkerJob`: it records the id of the worker working on it, and `reap_dead_workers()` marks
every job in one of its running statuses whose worker is dead (lock released, or not seen for
`SHUNIU_WORKER_GRACE_SECONDS`, or gone from the table) as failed with the model's message, so the user sees the truth
and may start again. The check is cheap and runs where someone looks: the job pages call it, and every worker calls it
at start and with each heartbeat. django-tasks' own record of the task (`DBTaskResult`) is marked failed too.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
from contextlib import contextmanager, suppress
from datetime import timedelta
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, connection, models, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext_lazy as _

try:
    import fcntl
except ImportError:  # not POSIX: liveness rests on the heartbeat alone
    fcntl = None

logger = logging.getLogger(__name__)

#: sent when a worker has started and cleaned up after dead ones: work a dead worker left undone may be queued again
#: (the indicators queue the refresh of stored figures still marked stale)
worker_started = Signal()


class Worker(models.Model):
    """A process that runs background jobs, alive while it holds its lock file or touches `last_seen`."""

    worker_id = models.CharField(verbose_name=_("进程标识"), max_length=64, unique=True)
    hostname = models.CharField(verbose_name=_("主机"), max_length=255)
    pid = models.PositiveIntegerField(verbose_name=_("进程号"))
    started_at = models.DateTimeField(verbose_name=_("启动时间"))
    last_seen = models.DateTimeField(verbose_name=_("最近心跳"), db_index=True)

    class Meta:
        verbose_name = _("后台任务进程")
        verbose_name_plural = _("后台任务进程")

    def __str__(self):
        return f"{self.hostname}:{self.pid}"


class WorkerJob(models.Model):
    """A job run in the background by a `Worker`. The subclass names its running and failed statuses and the message
    a user reads when the process died; `abandon()` may be overridden where failing takes more than that."""

    #: the statuses in which a worker is working on the job
    running_statuses: tuple[str, ...] = ()
    failed_status: str = "failed"
    worker_died_message = _("后台进程意外中止（服务器重启或进程被结束），任务没有完成。请重新开始。")

    worker_id = models.CharField(verbose_name=_("后台进程"), max_length=64, blank=True, default="")

    class Meta:
        abstract = True

    @classmethod
    def abandon(cls, queryset) -> int:
        """Mark the jobs of `queryset` (running, their worker dead) failed with the message; returns how many."""
        return queryset.update(status=cls.failed_status, error=str(cls.worker_died_message), finished_at=timezone.now())


# --- the settings: how long a silent worker counts as alive -----------------------------------------------------------


def grace_seconds() -> float:
    """How long a worker may go without a heartbeat before its jobs are failed (setting, default one minute)."""
    return float(getattr(settings, "SHUNIU_WORKER_GRACE_SECONDS", 60))


def heartbeat_seconds() -> float:
    """A few beats within the grace period, so one missed beat does not count as death."""
    return max(0.2, min(5.0, grace_seconds() / 4))


def run_dir() -> Path:
    return Path(settings.VAR_DIR) / "run"


def lock_path(worker_id: str) -> Path:
    return run_dir() / f"worker-{worker_id}.lock"


# --- the process that works -------------------------------------------------------------------------------------------

_current: WorkerProcess | None = None


def current_worker_id() -> str:
    """The id of the worker this process runs as, or "" (a web request, a plain `db_worker`): the job records it."""
    return _current.worker_id if _current else ""


class WorkerProcess:
    """This process, registered as a worker: the lock file, the row and the heartbeat thread."""

    def __init__(self, worker_id: str | None = None, parent_pid: int | None = None):
        self.worker_id = worker_id or get_random_string(32)
        self.parent_pid = parent_pid
        self.stopping = threading.Event()
        self.lock_file = None
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        self._lock()
        now = timezone.now()
        Worker.objects.update_or_create(
            worker_id=self.worker_id,
            defaults={"hostname": socket.gethostname(), "pid": os.getpid(), "started_at": now, "last_seen": now},
        )
        reap_dead_workers(idle_too=True)  # a fresh worker cleans up after a dead one
        worker_started.send(sender=WorkerProcess, worker_id=self.worker_id)
        self.thread = threading.Thread(target=self._beat, name="shuniu-worker-heartbeat", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        if self.thread is not None:
            self.thread.join(timeout=2)  # a daemon: a beat waiting for the database does not hold the exit up
        with suppress(DatabaseError):
            Worker.objects.filter(worker_id=self.worker_id).delete()
        if self.lock_file is not None:
            lock_path(self.worker_id).unlink(missing_ok=True)
            self.lock_file.close()

    def _lock(self) -> None:
        if fcntl is None:
            return
        run_dir().mkdir(parents=True, exist_ok=True)
        self.lock_file = open(lock_path(self.worker_id), "w")  # noqa: SIM115  (held open for the process's life)
        fcntl.flock(self.lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def parent_gone(self) -> bool:
        """The process that started this one has ended (we were handed to another parent)."""
        return self.parent_pid is not None and os.getppid() != self.parent_pid

    def _beat(self) -> None:
        """Every few seconds: touch the row, fail the jobs of dead workers; every half second: is the parent alive?"""
        next_beat = time.monotonic() + heartbeat_seconds()  # `start` has just written the row
        try:
            while not self.stopping.wait(min(0.5, heartbeat_seconds())):
                if self.parent_gone():
                    logger.warning("worker %s: the server that started it has stopped; stopping", self.worker_id)
                    os.kill(os.getpid(), signal.SIGTERM)  # the worker's own shutdown: finish the task, then exit
                    return
                if time.monotonic() < next_beat:
                    continue
                next_beat = time.monotonic() + heartbeat_seconds()
                self._touch()
        finally:
            connection.close()

    def _touch(self) -> None:
        try:
            if not Worker.objects.filter(worker_id=self.worker_id).update(last_seen=timezone.now()):
                # removed by a checker on another machine that did not hear us for the grace period (the database was
                # out of reach): our jobs were failed. Not written again: the lock file still speaks for us here.
                logger.warning("worker %s: its row is gone; jobs it runs are watched by its lock file", self.worker_id)
            reap_dead_workers(idle_too=True)
        except DatabaseError as error:  # e.g. SQLite's write lock held by a long import: the lock file speaks for us
            logger.info("worker %s: heartbeat not written (%s)", self.worker_id, error)
            connection.close()


@contextmanager
def running_worker(worker_id: str | None = None, parent_pid: int | None = None):
    """Run the body as a registered worker: jobs started inside record it, and are failed if the process dies."""
    global _current
    process = WorkerProcess(worker_id, parent_pid)
    process.start()
    _current = process
    try:
        yield process
    finally:
        _current = None
        process.stop()


# --- the checker ------------------------------------------------------------------------------------------------------


def _lock_released(worker_id: str) -> bool | None:
    """On this machine: True when the worker's lock is free (the process ended), False while it is held; None when
    that cannot be told here (no lock file: another machine, or the worker is gone)."""
    if fcntl is None:
        return None
    try:
        with open(lock_path(worker_id)) as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            fcntl.flock(handle, fcntl.LOCK_UN)
            return True
    except FileNotFoundError:
        return None


def is_alive(worker: Worker, now=None) -> bool:
    """Held lock: alive. Released lock: dead. Otherwise the heartbeat decides."""
    released = _lock_released(worker.worker_id) if worker.hostname == socket.gethostname() else None
    if released is not None:
        return not released
    return worker.last_seen >= (now or timezone.now()) - timedelta(seconds=grace_seconds())


def job_models() -> list[type[WorkerJob]]:
    return [model for model in apps.get_models() if issubclass(model, WorkerJob)]


def reap_dead_workers(*, idle_too: bool = False) -> int:
    """Fail the running jobs of dead workers; returns how many were failed. With `idle_too` (the workers' own calls)
    also fail what else the dead were running (django-tasks' records) and forget them, busy or not.

    A page may call it on every look: one query while no job runs, and no write unless something died."""
    running = {
        model: list(
            model.objects.filter(status__in=model.running_statuses).exclude(worker_id="").values_list("pk", "worker_id")
        )
        for model in job_models()
    }
    if not idle_too and not any(running.values()):
        return 0
    workers = list(Worker.objects.all())
    now = timezone.now()
    alive = {worker.worker_id for worker in workers if is_alive(worker, now)}
    dead = [worker for worker in workers if worker.worker_id not in alive]
    # a worker missing from the table is dead, unless it still holds its lock here (its row was removed by a checker
    # elsewhere that did not hear it while the database was out of reach)
    known = {worker.worker_id for worker in workers}
    row_less = {worker_id for jobs in running.values() for _pk, worker_id in jobs if worker_id not in known}
    alive |= {worker_id for worker_id in row_less if _lock_released(worker_id) is False}
    abandoned = {model: [pk for pk, worker_id in jobs if worker_id not in alive] for model, jobs in running.items()}
    if not idle_too:  # a page: only the dead workers whose jobs it fails; the idle dead are the workers' business
        busy = {worker_id for jobs in running.values() for _pk, worker_id in jobs}
        dead = [worker for worker in dead if worker.worker_id in busy]
    abandoned = {model: pks for model, pks in abandoned.items() if pks}
    if not dead and not abandoned:
        return 0
    failed = 0
    try:
        with transaction.atomic():
            for model, pks in abandoned.items():
                jobs = model.objects.filter(pk__in=pks, status__in=model.running_statuses).exclude(worker_id__in=alive)
                failed += model.abandon(jobs)
            _fail_tasks({worker.worker_id for worker in dead} | (row_less - alive))
            Worker.objects.filter(pk__in=[worker.pk for worker in dead]).delete()
    except DatabaseError as error:  # e.g. SQLite busy: the next look tries again
        logger.warning("could not mark the jobs of dead workers failed: %s", error)
        return 0
    for worker in dead:
        if worker.hostname == socket.gethostname():
            lock_path(worker.worker_id).unlink(missing_ok=True)
    if failed:
        logger.warning("marked %d job(s) of dead worker(s) %s failed", failed, ", ".join(str(w) for w in dead))
    return failed


class WorkerDied(Exception):
    """The error recorded on a task whose worker process died while running it."""


def _fail_tasks(dead_ids: set[str]) -> None:
    """django-tasks' record of what the dead workers were running: failed, not running for ever. `task_finished` is
    sent as the worker sends it for a task that failed, so that whoever enqueued a task without a job model of its own
    (e.g. a refresh of stored figures) may enqueue it again."""
    if not dead_ids:
        return
    from django_tasks_db.compat import task_finished
    from django_tasks_db.models import DBTaskResult

    for result in DBTaskResult.objects.running():
        if result.worker_ids and result.worker_ids[-1] in dead_ids:
            result.set_failed(WorkerDied(f"worker {result.worker_ids[-1]} died while running this task"))
            with suppress(ImportError):  # a task whose code is gone: nobody to tell
                task_finished.send(sender=type(result.task.get_backend()), task_result=result.task_result)
