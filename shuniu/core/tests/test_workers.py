"""A worker proves it is alive by its lock file (this machine) or its heartbeat (any machine), and stops when the
server that started it stops, even when the server was killed."""

import os
import signal
import socket
import subprocess
import sys
import textwrap
from datetime import timedelta

import pytest
from django.utils import timezone

from shuniu.core.tests.processes import SubprocessDatabase, is_running, shuniu_command, stop, wait_until
from shuniu.core.workers import Worker, WorkerProcess, is_alive, lock_path


@pytest.fixture
def run_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path / "run"


def worker_row(worker_id, *, seconds_ago, hostname=None) -> Worker:
    seen = timezone.now() - timedelta(seconds=seconds_ago)
    return Worker.objects.create(
        worker_id=worker_id, hostname=hostname or socket.gethostname(), pid=1, started_at=seen, last_seen=seen
    )


@pytest.mark.django_db
def test_a_held_lock_keeps_a_silent_worker_alive_and_a_released_one_is_dead_at_once(run_dir, settings):
    """On SQLite a long import holds the one write lock and the heartbeat waits: the lock file speaks for it."""
    settings.SHUNIU_WORKER_GRACE_SECONDS = 60
    process = WorkerProcess("held")
    process._lock()
    silent = worker_row("held", seconds_ago=600)
    assert is_alive(silent)
    process.lock_file.close()  # what the operating system does when the process ends, kill -9 included
    fresh = worker_row("released", seconds_ago=0)
    lock_path("released").write_text("")
    assert not is_alive(fresh)


@pytest.mark.django_db
def test_without_a_lock_to_look_at_the_heartbeat_decides(run_dir, settings):
    settings.SHUNIU_WORKER_GRACE_SECONDS = 5
    assert is_alive(worker_row("elsewhere-fresh", seconds_ago=1, hostname="another-machine"))
    assert not is_alive(worker_row("elsewhere-silent", seconds_ago=6, hostname="another-machine"))
    assert not is_alive(worker_row("here-no-lock-file", seconds_ago=6))


PARENT = textwrap.dedent(
    """
    import os, subprocess, sys
    worker = subprocess.Popen(
        [sys.executable, "-m", "shuniu", "worker", "--parent-pid", str(os.getpid()), "--no-startup-delay",
         "--interval", "0.2"],
        stdout=subprocess.DEVNULL,
    )
    print(worker.pid, flush=True)
    worker.wait()
    """
)


@pytest.mark.django_db(transaction=True)
def test_the_worker_stops_by_itself_when_the_server_that_started_it_is_killed(run_dir, tmp_path):
    shared = SubprocessDatabase(tmp_path)
    shared.hand_over()
    parent = subprocess.Popen([sys.executable, "-c", PARENT], stdout=subprocess.PIPE, text=True, env=shared.env())
    worker_pid = None
    try:
        worker_pid = int(parent.stdout.readline())
        registered = wait_until(lambda: shared.query("SELECT pid FROM core_worker WHERE pid = ?", [worker_pid]), 30)
        assert registered, "the worker never registered"
        assert is_running(worker_pid)

        os.kill(parent.pid, signal.SIGKILL)  # the server dies without a chance to stop its worker
        parent.wait(timeout=10)
        assert wait_until(lambda: not is_running(worker_pid), timeout=5), "the worker outlived its server"
        # it stopped as a worker stops, not killed: it took its row with it
        assert not shared.query("SELECT pid FROM core_worker WHERE pid = ?", [worker_pid])
    finally:
        stop(parent)
        if worker_pid and is_running(worker_pid):
            os.kill(worker_pid, signal.SIGKILL)


@pytest.mark.django_db(transaction=True)
def test_a_worker_started_by_hand_keeps_running(run_dir, tmp_path):
    """Without --parent-pid nothing watches the parent: `shuniu worker` under systemd runs until it is stopped."""
    shared = SubprocessDatabase(tmp_path)
    shared.hand_over()
    worker = subprocess.Popen(
        shuniu_command("worker", "--no-startup-delay", "--interval", "0.2"),
        stdout=subprocess.DEVNULL,
        env=shared.env(),
    )
    try:
        assert wait_until(lambda: shared.query("SELECT pid FROM core_worker WHERE pid = ?", [worker.pid]), 30)
        assert not wait_until(lambda: worker.poll() is not None, timeout=1.5)
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=10) == 0
        assert not shared.query("SELECT pid FROM core_worker WHERE pid = ?", [worker.pid])
    finally:
        stop(worker)
