"""Real worker processes beside a test: they must reach the test's database, and the test must see what they left.

On PostgreSQL the process connects to the test database itself (the test is transactional, so its rows are
committed). On SQLite the test database lives in the test's memory: it is copied to a file for the process, and the
file is copied back when the process has done its part (`SubprocessDatabase.take_back`)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection


class SubprocessDatabase:
    def __init__(self, directory: Path):
        self.directory = directory
        self.file = directory / "shared.sqlite3" if connection.vendor == "sqlite" else None

    def url(self) -> str:
        if self.file is not None:
            return f"sqlite:///{self.file}"
        db = connection.settings_dict
        password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
        return f"postgres://{quote(db['USER'])}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"

    def hand_over(self) -> None:
        """Make what the test wrote visible to the process."""
        if self.file is None:
            return
        connection.ensure_connection()
        target = sqlite3.connect(self.file)
        connection.connection.backup(target)
        target.close()

    def take_back(self) -> None:
        """Make what the process wrote visible to the test (SQLite: the file replaces the memory database)."""
        if self.file is None:
            return
        source = sqlite3.connect(self.file)
        source.backup(connection.connection)
        source.close()

    def query(self, sql: str, params=()) -> list[tuple]:
        """Read the shared database as the process sees it, now."""
        if self.file is None:
            with connection.cursor() as cursor:
                cursor.execute(sql.replace("?", "%s"), params)
                return cursor.fetchall()
        reader = sqlite3.connect(self.file, timeout=10)
        try:
            return reader.execute(sql, params).fetchall()
        finally:
            reader.close()

    def env(self, **extra) -> dict[str, str]:
        """The environment of a `shuniu` process sharing the test's database, files, keys and run directory."""
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "shuniu.config.settings.dev",  # the database task backend, unlike the tests'
            "DATABASE_URL": self.url(),
            "SHUNIU_VAR_DIR": str(settings.VAR_DIR),
            "SHUNIU_MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "SHUNIU_PERSONAL_DATA_KEY": settings.SHUNIU_PERSONAL_DATA_KEY,
            **extra,
        }


def shuniu_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "shuniu", *args]


def is_running(pid: int) -> bool:
    """The process exists and has not ended (a zombie waiting for its parent to collect it has ended)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def wait_until(condition, timeout: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.kill()
    process.wait(timeout=10)
