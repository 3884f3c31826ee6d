"""Time importing a 100,000-row organizations workbook end to end (read, normalise, validate, upsert) against the
floor (python-calamine reading the file + PostgreSQL COPY of the same rows) and against django-import-export, in
the same run, on a freshly migrated PostgreSQL database.

    DJANGO_SETTINGS_MODULE=shuniu.config.settings.dev \
    .venv/bin/python -m benchmarks.imports [--database postgresql] [--rows 100000] [--sample 5000]

Steps:
1. drop and recreate the database (`benchmarks.generate.create_database`), `migrate`;
2. write the workbook (`benchmarks.import_file.write_organizations_xlsx`: Chinese content, mixed office formats,
   5 % bad rows of seven kinds) and check that it holds exactly the bad rows the generator says;
3. the floor, ours on the empty database, the floor, ours again with the same file (which must change nothing:
   0 new, 0 updated, every good row unchanged), the floor: the floor's figure is the median of its three runs, so it
   meets the same load as ours;
4. django-import-export (`benchmarks.import_baseline`) on the first `--sample` rows of the same file, into an
   emptied organizations table: with its default settings and with `skip_diff`.

The floor reads every cell with python-calamine and COPYs every row as text into a plain (logged) table with the
file's 13 columns, no index and no constraint: what moving the file's cells into the database costs with no
parsing, look-ups, validation, duplicate or change detection. Our import does all of that, and writes into
organizations_organization (six indexes, two check constraints), its fields table and the job's records. The table
is logged because our write is; a temporary or unlogged table would only make the floor cheaper.

Exit status 1 if our counts are not exactly: new = good rows and rejected = bad rows on the empty database, then
unchanged = good rows and rejected = bad rows on the second run.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from .import_file import OUT_DIR, SEED, check_file, read_rows, write_organizations_xlsx

PG_DATABASE = "shuniu_bench_import"
FLOOR_TABLE = "bench_import_floor"
SAMPLE = 5000
TARGET_FLOOR_SHARE = 1 / 3
TARGET_OVER_BASELINE = 10


@dataclass
class Step:
    path: str
    rows: int
    seconds: float
    note: str = ""

    @property
    def rate(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


# ---------------------------------------------------------------- the floor


def floor_read(path) -> tuple[float, list[list]]:
    t = time.perf_counter()
    rows = read_rows(path)
    return time.perf_counter() - t, rows


def _text(value) -> str:
    """A cell as COPY text: empty -> NULL, whole floats without ".0", dates in ISO form."""
    if type(value) is str:
        if not value:
            return "\\N"
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            value = value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
        return value
    if value is None:
        return "\\N"
    if type(value) is float and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def floor_copy(rows: list[list]) -> tuple[float, int]:
    """COPY the data rows (as text) into a fresh plain table with the file's columns; (seconds, rows copied)."""
    from django.db import connection, transaction

    headers, data = rows[0], rows[1:]
    columns = ", ".join(f'"{header}" text' for header in headers)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {FLOOR_TABLE}")
        cursor.execute(f"CREATE TABLE {FLOOR_TABLE} ({columns})")
    t = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {FLOOR_TABLE} FROM STDIN") as copy:
            for start in range(0, len(data), 20_000):
                chunk = data[start : start + 20_000]
                copy.write("".join("\t".join(map(_text, row)) + "\n" for row in chunk).encode())
    seconds = time.perf_counter() - t
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {FLOOR_TABLE}")
        copied = cursor.fetchone()[0]
    return seconds, copied


def floor(path) -> tuple[float, float, int]:
    read_s, rows = floor_read(path)
    copy_s, copied = floor_copy(rows)
    if copied != len(rows) - 1:
        raise AssertionError(f"the floor copied {copied} of {len(rows) - 1} rows")
    return read_s, copy_s, copied


def drop_floor_table() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {FLOOR_TABLE}")


def stored_write_reference() -> Step:
    """For reference, not the floor: the write alone. Every row our import stored — its organizations, their fields
    and its audit records — is copied out, the tables are emptied, and the same rows go back in with one COPY per
    table and a commit, into the real tables with their indexes, check constraints and foreign keys (checked at the
    commit, as in our import). What storing our result costs with no reading, checking or building before it."""
    from django.db import connection, transaction

    from shuniu.audit import protection
    from shuniu.audit.models import ObjectChange
    from shuniu.organizations.models import Organization

    tables = [
        Organization._meta.db_table,
        Organization.fields.through._meta.db_table,
        ObjectChange._meta.db_table,
    ]
    data = {}
    with connection.cursor() as cursor:
        for table in tables:
            data[table] = bytearray()
            with cursor.cursor.copy(f"COPY {table} TO STDOUT") as copy:
                for chunk in copy:
                    data[table] += chunk
        with protection.suspended(connection):  # the audit log's TRUNCATE trigger: off for this (owner's) statement
            cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")  # nothing else refers to them in this database
    t = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for table in tables:
            with cursor.cursor.copy(f"COPY {table} FROM STDIN") as copy:
                copy.write(bytes(data[table]))
    seconds = time.perf_counter() - t
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {tables[0]}")
        organizations = cursor.fetchone()[0]
    lines = {table: bytes(data[table]).count(b"\n") for table in tables}
    return Step(
        "reference: the write alone — COPY of the stored rows back into their tables, and commit",
        organizations,
        seconds,
        f"not the floor; {lines[tables[1]]} field rows and {lines[tables[2]]} audit records with them",
    )


# ---------------------------------------------------------------- ours


def ours_available() -> str:
    """Empty if our importer can run here, otherwise why not."""
    from django.apps import apps

    try:
        from shuniu.imports.services import import_file  # noqa: F401
    except ImportError as error:
        return f"shuniu.imports.services.import_file cannot be imported: {error}"
    if not apps.is_installed("shuniu.imports"):
        return "shuniu.imports is not in INSTALLED_APPS"
    return ""


def ours(path, user, *, dry_run: bool = False):
    """`shuniu.imports.services.import_file` on the workbook; (seconds, job)."""
    from shuniu.imports.services import import_file

    t = time.perf_counter()
    job = import_file(
        data=Path(path).read_bytes(), filename=Path(path).name, kind="organizations", user=user, dry_run=dry_run
    )
    return time.perf_counter() - t, job


def counts_note(counts: dict) -> str:
    return ", ".join(f"{key} {counts.get(key, 0)}" for key in ("new", "updated", "unchanged", "rejected"))


def expected_counts(generated, *, first: bool) -> dict:
    good = generated.good
    return {"new": good if first else 0, "updated": 0, "unchanged": 0 if first else good, "rejected": generated.bad}


# ---------------------------------------------------------------- django-import-export


def empty_organizations() -> None:
    """Empty the organizations table (and what refers to it) so the baseline also imports into an empty registry:
    TRUNCATE on PostgreSQL, the ORM's delete inside a transaction (a test) or on another database."""
    from django.db import connection

    from shuniu.organizations.models import Organization

    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {Organization._meta.db_table} RESTART IDENTITY CASCADE")
    else:
        Organization.objects.all().delete()


def baseline(path, sample: int) -> list[Step]:
    from .import_baseline import OrganizationResource, QuietOrganizationResource, import_sample, read_dataset, totals

    t = time.perf_counter()
    dataset, how = read_dataset(path)
    steps = [Step(f"django-import-export: read ({how})", len(dataset), time.perf_counter() - t)]
    for label, resource_class in (
        ("default settings", OrganizationResource),
        ("skip_diff", QuietOrganizationResource),
    ):
        empty_organizations()
        seconds, result = import_sample(dataset, sample, resource_class)
        counts = totals(result)
        note = ", ".join(f"{key} {value}" for key, value in counts.items())
        steps.append(Step(f"django-import-export: import_data, first {sample} rows, {label}", sample, seconds, note))
    return steps


# ---------------------------------------------------------------- report


def _rate(value: float) -> str:
    return f"{value:,.0f}".replace(",", " ")


def markdown(steps: list[Step]) -> str:
    out = ["| path | rows | seconds | rows/s | note |", "|---|---:|---:|---:|---|"]
    for s in steps:
        out.append(f"| {s.path} | {s.rows} | {s.seconds:.2f} | {_rate(s.rate)} | {s.note} |")
    return "\n".join(out)


def environment() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0].split(" on ")[0]
    from importlib.metadata import version as package_version

    packages = ", ".join(f"{name} {package_version(name)}" for name in ("python-calamine", "django-import-export"))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"{version}; Python {platform.python_version()}; {os.cpu_count()} cores (load average {load}); {packages}"


def run(url: str, *, rows: int, bad_share: float, seed: int, sample: int, path: Path | None = None) -> bool:
    from django.core.management import call_command

    from .dashboard import bench_user
    from .generate import create_database, setup_django

    create_database(url)
    setup_django(url)
    from django.db import connection

    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"## {connection.vendor}: {connection.settings_dict['NAME']}\n")
    print(f"migrated in {time.perf_counter() - t:.1f}s; {environment()}\n", flush=True)

    path = path or OUT_DIR / f"organizations-{rows}.xlsx"
    generated = write_organizations_xlsx(path, rows=rows, bad_share=bad_share, seed=seed)
    found = check_file(path)
    print(generated.describe())
    ok = found == generated.bad_rows
    check = "the file holds exactly the generated bad rows" if ok else f"DIFFERS: {len(found)} bad rows found"
    print(f"file check: {check}\n", flush=True)

    user = bench_user()
    missing = ours_available()
    floors, steps = [floor(path)], []
    if missing:
        print(f"OURS SKIPPED: {missing}\n")
        ok = False
    else:
        our_first, job = ours(path, user)
        steps.append(Step("ours: import_file, empty database", rows, our_first, counts_note(job.counts)))
        ok &= _check(job, expected_counts(generated, first=True), "first run")
    floors.append(floor(path))
    if not missing:
        our_second, job = ours(path, user)
        steps.append(Step("ours: the same file again", rows, our_second, counts_note(job.counts)))
        ok &= _check(job, expected_counts(generated, first=False), "second run (idempotence)")
    floors.append(floor(path))
    drop_floor_table()

    from shuniu.organizations.models import Organization

    stored = Organization.objects.count()
    if not missing and stored != generated.good:
        print(f"MISMATCH: {stored} organizations stored, {generated.good} good rows")
        ok = False
    if stored:
        steps.append(stored_write_reference())

    read_s = statistics.median(f[0] for f in floors)
    copy_s = statistics.median(f[1] for f in floors)
    total_s = statistics.median(f[0] + f[1] for f in floors)
    floor_steps = [
        Step("floor: read (python-calamine to_python)", rows, read_s, "median of 3"),
        Step("floor: COPY as text into a plain table", rows, copy_s, "median of 3"),
        Step("floor: total", rows, total_s, "median of 3"),
    ]
    die_steps = baseline(path, sample)
    all_steps = floor_steps + steps + die_steps
    print(markdown(all_steps) + "\n")

    die_read = die_steps[0]
    die_best = max(die_steps[1:], key=lambda s: s.rate)
    die_rate = 1 / (1 / die_read.rate + 1 / die_best.rate)  # read + import, per row
    if missing:
        print(f"- django-import-export, read + import: {_rate(die_rate)} rows/s; ours not measured")
        return ok
    floor_rate, our_rate = floor_steps[2].rate, steps[0].rate
    share = our_rate / floor_rate
    over = our_rate / die_rate
    print(
        f"- ours / floor: {share:.2f} of the floor's rows/s (target ≥ {TARGET_FLOOR_SHARE:.2f}): "
        f"{'met' if share >= TARGET_FLOOR_SHARE else 'NOT met'}"
    )
    write = next((step for step in steps if step.path.startswith("reference: the write alone")), None)
    if write is not None:
        print(
            f"- the write alone: {write.seconds / total_s:.2f} times the floor's time, so storing this result with "
            f"nothing before it reaches {total_s / write.seconds:.2f} of the floor's rows/s; ours takes "
            f"{steps[0].seconds / write.seconds:.2f} times the write alone"
        )
    print(
        f"- ours / django-import-export (read + {die_best.path.rsplit(', ', 1)[1]}, {_rate(die_rate)} rows/s): "
        f"{over:.1f}× (target ≥ {TARGET_OVER_BASELINE}×): {'met' if over >= TARGET_OVER_BASELINE else 'NOT met'}"
    )
    print("- counts: " + ("as expected" if ok else "NOT as expected (see above)"))
    print(f"- load average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return ok


def _check(job, expected: dict, label: str) -> bool:
    got = {key: job.counts.get(key, 0) for key in expected}
    if job.status != "done" or got != expected:
        print(f"MISMATCH in the {label}: status {job.status} {job.error}; counts {got}, expected {expected}")
        return False
    return True


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database",
        default="postgresql",
        help=f"'postgresql' (database {PG_DATABASE}, dropped and recreated) or a PostgreSQL URL",
    )
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--bad-share", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--sample", type=int, default=SAMPLE, help="rows django-import-export imports")
    args = parser.parse_args(argv)
    url = f"postgres://postgres@127.0.0.1:5432/{PG_DATABASE}" if args.database == "postgresql" else args.database
    if not url.startswith("postgres"):
        parser.error("the floor uses COPY: give a PostgreSQL database")
    ok = run(url, rows=args.rows, bad_share=args.bad_share, seed=args.seed, sample=args.sample)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
