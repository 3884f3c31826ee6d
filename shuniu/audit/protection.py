"""The database's own guard of the audit log (installed by migration `0004_evidence`), and the two doors through it.

The triggers refuse every UPDATE, DELETE and TRUNCATE of `audit_objectchange`, whoever asks. Two ways through:

- `purge_permitted()`: the archive command's, inside its transaction. It lets DELETE through only for rows older
  than the retention (never younger than 180 days, checked by the trigger itself against the row's time). On
  PostgreSQL it sets the transaction-local settings `shuniu.audit_purge` and `shuniu.audit_retention_days`, which
  vanish at commit or rollback; on SQLite, which has no session settings, it writes a row into the table
  `audit_purge_permit` and removes it before the transaction ends, so that no other connection ever sees it
  committed (SQLite has one writer at a time). Neither is a privilege: on PostgreSQL the application's role has no
  DELETE on the table at all (`shuniu audit db_roles`), so only the owner can purge; on SQLite whoever can write the
  file can do anything, so the guard there stops the application's paths and mistakes, not an administrator.
- `suspended()`: the triggers off for one transaction, for the owner of the database only (ALTER TABLE needs the
  owner on PostgreSQL): the test framework's flush between tests (`management/commands/flush.py`, allowed by
  `SHUNIU_AUDIT_FLUSH_ALLOWED` in the test settings only) and the import benchmark's own database.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction

from .retention import MINIMUM_DAYS

TABLE = "audit_objectchange"
SQLITE_PERMIT_TABLE = "audit_purge_permit"


@contextmanager
def purge_permitted(connection, *, retention_days: int) -> Iterator[None]:
    """Inside the block, DELETE of audit rows older than `retention_days` (at least 180) is let through by the
    triggers; younger rows stay refused. The block is a transaction (a savepoint inside the caller's): the permit
    ends with it, also when it fails."""
    days = max(int(retention_days), MINIMUM_DAYS)
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT set_config('shuniu.audit_retention_days', %s, true)", [str(days)])
            cursor.execute("SELECT set_config('shuniu.audit_purge', 'on', true)")
        else:
            cursor.execute(f"INSERT INTO {SQLITE_PERMIT_TABLE} (retention_days) VALUES (%s)", [days])
        yield
        if connection.vendor == "postgresql":
            cursor.execute("SELECT set_config('shuniu.audit_purge', 'off', true)")
        else:
            cursor.execute(f"DELETE FROM {SQLITE_PERMIT_TABLE}")


@contextmanager
def suspended(connection) -> Iterator[None]:
    """The audit table's triggers off inside one transaction, on again at its end. For the database's owner in
    tests and benchmarks: never called by the application (PostgreSQL refuses it to the application's role)."""
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER USER")
            yield
            cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER USER")
        else:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TABLE])
            triggers = cursor.fetchall()
            for name, _sql in triggers:
                cursor.execute(f'DROP TRIGGER "{name}"')
            yield
            for _name, sql in triggers:
                cursor.execute(sql)
