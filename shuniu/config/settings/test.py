"""Test settings: fast password hashing; the database comes from DATABASE_URL like everywhere else."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import DATABASES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Tasks run at once, inside the request or command that enqueues them; tests of the worker path select the
# database backend themselves.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# each test process keeps its figures in memory (a test of the Redis and file caches configures them itself)
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "figures": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "figures"},
}
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="shuniu-test-media-"))
# a fixed key: tests never write a key file, and what one test encrypts another can read
SHUNIU_PERSONAL_DATA_KEY = "test-personal-data-key-not-for-production-use-0123456789"
# Django's test framework empties the database after each transactional test; only here may `flush` empty the audit
# log too (shuniu/audit/management/commands/flush.py)
SHUNIU_AUDIT_FLUSH_ALLOWED = True
