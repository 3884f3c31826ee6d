"""Writing many rows fast, the same way on both databases: ids are allocated first (so the caller can write child rows
that point at them), then the rows go in with PostgreSQL's COPY or SQLite's executemany. Used by the importer, inside
its transaction; model validation is the caller's business (these rows skip `save()` and signals)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence, Sized
from datetime import date, datetime

from django.db import connection
from django.db.models import Field, ForeignObject, Lookup
from django.utils import timezone


def allocate_ids(model, count: int) -> list[int]:
    """`count` primary keys no other writer will take."""
    if count == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
            )
            return [row[0] for row in cursor.fetchall()]
        # SQLite: one writer at a time, and the caller's transaction holds the write lock (transaction_mode IMMEDIATE)
        cursor.execute(f'SELECT COALESCE(MAX("id"), 0) FROM "{table}"')
        start = cursor.fetchone()[0] + 1
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        start = max(start, (row[0] + 1) if row else 1)
        return list(range(start, start + count))


def insert_rows(model, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """Insert `rows` (values in the order of `columns`, database column names, `id` included). `rows` may be a
    generator: on PostgreSQL the database then stores the rows sent while the next ones are made."""
    if isinstance(rows, Sized) and not rows:
        return
    table = model._meta.db_table
    quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            cursor.executemany(
                f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({placeholders})",
                [[_sqlite_value(value) for value in row] for row in rows],
            )


def _sqlite_value(value):
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def timestamps() -> tuple:
    """(created_at, updated_at) for rows written here, as `BaseModel` would set them."""
    now = timezone.now()
    return now, now


class Among(Lookup):
    """`field__among=values`: like `__in`, for long lists. On PostgreSQL one array parameter (`= ANY(%s)`), which
    is planned and sent far faster than thousands of placeholders; elsewhere `IN (…)` (keep lists under SQLite's
    32,766 variables)."""

    lookup_name = "among"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = list(self.rhs)
        if not values:
            return "1 = 0", list(lhs_params)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*lhs_params, values]
        return f"{lhs} IN ({', '.join(['%s'] * len(values))})", [*lhs_params, *values]


Field.register_lookup(Among)
ForeignObject.register_lookup(Among)
