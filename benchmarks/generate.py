"""Build the benchmark data set (organizations, hubs, dated links with history) into a fresh database.

    DJANGO_SETTINGS_MODULE=shuniu.config.settings.dev \
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shuniu_bench \
    .venv/bin/python -m benchmarks.generate [--organizations 100000 --hubs 1000 --links 1000000 --seed 20150630]

Steps, kept separate so a test can run the last two inside its own (already migrated) test database:
1. `create_database(url)`: drop and recreate the PostgreSQL database, or delete the SQLite file;
2. `call_command("migrate")`: real Beijing areas, systems and fields come from the migrations;
3. `generate(sizes, seed)`: plain Python (random.Random, fixed seed), no numpy;
4. `load(dataset)`: COPY on PostgreSQL, executemany on SQLite, with the exclusion constraints, foreign keys and
   secondary indexes of the loaded tables dropped first and re-created after (as a real bulk load would), then
   VACUUM ANALYZE / ANALYZE.

The shape follows a real city registry's, adapted to our schema and semantics:
uneven districts; each organization has 1-3 concurrent "slots" of successive periods (renewals) with gaps and hub
switches; the last period of a running slot is open-ended; about 8 % of organizations are dissolved; hubs are
operated by mass organizations founded before 2009, recognised 2009-2016, about 3 % revoked. Our end dates are
inclusive (the last valid day), so a half-open period [start, end) of the floor's generator is stored as
start_date=start, end_date=end - 1. Two periods of the same organization + hub + role never share a day, and only
an organization's first slot ever has the role "manage", so it has at most one managing hub on any day.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

SEED = 20150630
OUT_DIR = Path(__file__).resolve().parent / "out"
PG_DATABASE = "shuniu_bench"
SQLITE_FILE = OUT_DIR / "bench.sqlite3"

FOREVER = date(9999, 12, 31).toordinal()  # stands for a NULL end date / never dissolved / never revoked
HORIZON = date(2025, 12, 31).toordinal()  # slots of live organizations run to here
CREATED_AT = "2026-11-22 00:00:00"

# kinds of the organizations that do not operate a hub; hub operators are all mass organizations
KIND_WEIGHTS = [
    ("social_group", 0.30),
    ("private_non_enterprise", 0.27),
    ("foundation", 0.03),
    ("community", 0.24),
    ("grassroots", 0.10),
    ("university_club", 0.04),
    ("mass_organization", 0.02),
]
HUB_LEVEL_WEIGHTS = [("street", 0.6), ("district", 0.3), ("city", 0.1)]
FIRST_SLOT_ROLES = [("contact", 0.60), ("serve", 0.25), ("manage", 0.15)]
OTHER_SLOT_ROLES = [("contact", 0.70), ("serve", 0.30)]


@dataclass(frozen=True)
class Sizes:
    organizations: int = 100_000
    hubs: int = 1_000
    links: int = 1_000_000


@dataclass
class Dataset:
    """Columns of the generated rows. Dates are ordinals; FOREVER means NULL. Ids are index + 1."""

    sizes: Sizes
    seed: int
    # organizations
    org_district: list = field(default_factory=list)
    org_street: list = field(default_factory=list)
    org_kind: list = field(default_factory=list)
    org_founded: list = field(default_factory=list)
    org_dissolved: list = field(default_factory=list)
    org_fields: list = field(default_factory=list)  # tuples of field ids
    # hubs
    hub_org: list = field(default_factory=list)  # organization index
    hub_level: list = field(default_factory=list)
    hub_area: list = field(default_factory=list)
    hub_system: list = field(default_factory=list)
    hub_recognized: list = field(default_factory=list)
    hub_revoked: list = field(default_factory=list)
    # links, in start_date order: (start, organization index, hub index, role, inclusive end or FOREVER)
    links: list = field(default_factory=list)
    n_slots: int = 0
    n_segments: int = 0
    timings: dict = field(default_factory=dict)


@dataclass
class Reference:
    """What the migrations loaded: districts with their streets, the city, systems and fields (database ids)."""

    city: int
    districts: list  # [(district id, [street ids])], in code order
    systems: list
    fields: list

    @classmethod
    def from_database(cls) -> Reference:
        from shuniu.areas.models import Area
        from shuniu.hubs.models import System
        from shuniu.organizations.models import Field

        streets = {}
        for pk, parent in Area.objects.streets().order_by("code").values_list("pk", "parent_id"):
            streets.setdefault(parent, []).append(pk)
        districts = [
            (pk, streets.get(pk, [])) for pk in Area.objects.districts().order_by("code").values_list("pk", flat=True)
        ]
        return cls(
            city=Area.objects.get(level="city").pk,
            districts=districts,
            systems=list(System.objects.order_by("sort", "code").values_list("pk", flat=True)),
            fields=list(Field.objects.order_by("sort", "code").values_list("pk", flat=True)),
        )


def _d(text: str) -> int:
    return date.fromisoformat(text).toordinal()


def _dirichlet(rng: random.Random, n: int, alpha: float) -> list[float]:
    draws = [rng.gammavariate(alpha, 1.0) for _ in range(n)]
    total = sum(draws)
    return [x / total for x in draws]


def _cumulative(weights):
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return out


def generate(sizes: Sizes = Sizes(), seed: int = SEED, reference: Reference | None = None) -> Dataset:
    reference = reference or Reference.from_database()
    rng = random.Random(seed)
    t0 = time.perf_counter()
    ds = Dataset(sizes=sizes, seed=seed)
    districts = [d for d in reference.districts if d[1]]
    n_districts = len(districts)

    # ------------------------------------------------------------ organizations
    district_cw = _cumulative(_dirichlet(rng, n_districts, 3.0))  # uneven district popularity
    kinds, kind_w = zip(*KIND_WEIGHTS, strict=True)
    kind_cw = _cumulative(kind_w)
    n_fields = len(reference.fields)
    lo_founded, hi_founded, hi_dissolved = _d("1990-01-01"), _d("2020-12-31"), _d("2025-06-30")
    org_district_index = []
    for _ in range(sizes.organizations):
        di = min(int(_bisect(district_cw, rng.random())), n_districts - 1)
        district, streets = districts[di]
        org_district_index.append(di)
        ds.org_district.append(district)
        ds.org_street.append(streets[int(rng.random() * len(streets))])
        ds.org_kind.append(kinds[_bisect(kind_cw, rng.random())])
        founded = rng.randint(lo_founded, hi_founded)
        ds.org_founded.append(founded)
        if rng.random() < 0.08:
            lo = founded + 90
            ds.org_dissolved.append(lo + int(rng.random() * (hi_dissolved - lo)))
        else:
            ds.org_dissolved.append(FOREVER)
        first = rng.randrange(n_fields)
        if rng.random() < 0.3:
            second = rng.randrange(n_fields - 1)
            ds.org_fields.append((reference.fields[first], reference.fields[second + (second >= first)]))
        else:
            ds.org_fields.append((reference.fields[first],))

    # ------------------------------------------------------------ hubs
    before_2009 = _d("2009-01-01")
    candidates = [
        i for i in range(sizes.organizations) if ds.org_founded[i] < before_2009 and ds.org_dissolved[i] == FOREVER
    ]
    if len(candidates) < sizes.hubs:
        raise ValueError(f"only {len(candidates)} organizations can operate a hub; ask for fewer hubs")
    ds.hub_org = rng.sample(candidates, sizes.hubs)
    levels, level_w = zip(*HUB_LEVEL_WEIGHTS, strict=True)
    level_cw = _cumulative(level_w)
    system_cw = _cumulative(_dirichlet(rng, len(reference.systems), 4.0))
    lo_rec, hi_rec, hi_rev = _d("2009-01-01"), _d("2016-12-31"), _d("2024-12-31")
    hubs_by_district = [[] for _ in range(n_districts)]
    for h, org in enumerate(ds.hub_org):
        ds.org_kind[org] = "mass_organization"
        level = levels[_bisect(level_cw, rng.random())]
        ds.hub_level.append(level)
        ds.hub_area.append(
            {"street": ds.org_street[org], "district": ds.org_district[org], "city": reference.city}[level]
        )
        ds.hub_system.append(reference.systems[min(_bisect(system_cw, rng.random()), len(reference.systems) - 1)])
        recognized = rng.randint(lo_rec, hi_rec)
        ds.hub_recognized.append(recognized)
        if rng.random() < 0.03:
            lo = recognized + 180
            ds.hub_revoked.append(lo + int(rng.random() * (hi_rev - lo)))
        else:
            ds.hub_revoked.append(FOREVER)
        hubs_by_district[org_district_index[org]].append(h)

    # ------------------------------------------------------------ link slots
    slots = []  # (org, slot number within the org, start, end, closed early)
    base_lo = _d("2005-01-01")
    for i in range(sizes.organizations):
        base = base_lo + rng.randrange(4 * 365)
        span_start = max(ds.org_founded[i], base) + int(rng.expovariate(1 / 45))
        span_end = min(ds.org_dissolved[i], HORIZON)
        if span_end - span_start <= 60:
            continue
        u = rng.random()
        k = 1 if u < 0.50 else 2 if u < 0.86 else 3
        for j in range(k):
            s_start = span_start + (0 if j == 0 else int(rng.expovariate(1 / 120)))
            s_end = span_end
            early = rng.random() < 0.15
            if early:
                s_end = s_start + int((s_end - s_start) * (0.3 + 0.7 * rng.random()))
            if s_end - s_start > 30:
                slots.append((i, j, s_start, s_end, early))
    ds.n_slots = len(slots)

    # periods per slot, proportional to the slot's length, exactly sizes.links in all
    total_len = sum(s[3] - s[2] for s in slots)
    if ds.n_slots > sizes.links:
        raise ValueError(f"{ds.n_slots} slots need at least as many links")
    rate = sizes.links / total_len
    counts, caps = [], []
    for _, _, s_start, s_end, _ in slots:
        expected = (s_end - s_start) * rate
        n = max(1, int(expected) + (rng.random() < expected - int(expected)))
        cap = (s_end - s_start) // 2
        counts.append(min(n, cap))
        caps.append(cap)
    diff = sizes.links - sum(counts)
    if diff > sum(caps) - sum(counts):
        raise ValueError("too many links for the slots' lengths")
    while diff:
        s = rng.randrange(ds.n_slots)
        if diff > 0 and counts[s] < caps[s]:
            counts[s] += 1
            diff -= 1
        elif diff < 0 and counts[s] > 1:
            counts[s] -= 1
            diff += 1

    # ------------------------------------------------------------ periods, segments, hubs, roles
    first_roles, first_w = zip(*FIRST_SLOT_ROLES, strict=True)
    first_cw = _cumulative(first_w)
    other_roles, other_w = zip(*OTHER_SLOT_ROLES, strict=True)
    other_cw = _cumulative(other_w)
    n_hubs = sizes.hubs
    links = ds.links
    taken = {}  # (hub, role) -> [(start, inclusive end)] of the current organization
    current_org = -1
    for (org, j, s_start, s_end, early), n in zip(slots, counts, strict=True):
        if org != current_org:
            taken, current_org = {}, org
        # boundaries b[0] = start < b[1] < ... < b[n] = end; period p is [b[p], b[p+1]) before its gap
        weights = [rng.gammavariate(4.0, 1.0) for _ in range(n)]
        total = sum(weights)
        length = s_end - s_start
        bounds, acc = [s_start], 0.0
        for w in weights[:-1]:
            acc += w
            bounds.append(s_start + int(acc / total * length))
        bounds.append(s_end)
        for p in range(1, n):
            bounds[p] = max(bounds[p], bounds[p - 1] + 1)
        for p in range(n - 1, 0, -1):
            bounds[p] = min(bounds[p], bounds[p + 1] - 1)
        periods = []
        open_ended = not early and ds.org_dissolved[org] == FOREVER
        for p in range(n):
            start, end = bounds[p], bounds[p + 1]
            if p and rng.random() < 0.35:  # a renewal that starts late
                start += min(rng.randint(1, 180), (end - start) // 2)
            last = end - 1 if not (open_ended and p == n - 1) else FOREVER
            new_segment = p == 0 or rng.random() < 0.20  # a renewal that moves to another hub
            periods.append((start, last, new_segment))
        segment = []
        for k, period in enumerate(periods):
            segment.append(period)
            if k + 1 < n and not periods[k + 1][2]:
                continue
            ds.n_segments += 1
            role = (
                first_roles[_bisect(first_cw, rng.random())] if j == 0 else other_roles[_bisect(other_cw, rng.random())]
            )
            local = hubs_by_district[org_district_index[org]]
            is_local = rng.random() < 0.70 and local
            for attempt in range(200):
                if attempt < 100:
                    hub = local[int(rng.random() * len(local))] if is_local else rng.randrange(n_hubs)
                else:
                    hub = (attempt * 7919 + org) % n_hubs
                used = taken.get((hub, role), ())
                if not any(s <= e2 and s2 <= e for s, e, _ in segment for s2, e2 in used):
                    break
            else:
                raise RuntimeError(f"no free hub for organization {org}")
            spans = taken.setdefault((hub, role), [])
            for start, last, _ in segment:
                spans.append((start, last))
                links.append((start, org, hub, role, last))
            segment = []
    links.sort(key=lambda row: (row[0], row[1]))  # in start order, as an application would have inserted them
    ds.timings["generate"] = time.perf_counter() - t0
    return ds


def _bisect(cumulative, x):
    lo, hi = 0, len(cumulative) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if cumulative[mid] <= x:
            lo = mid + 1
        else:
            hi = mid
    return lo


# ---------------------------------------------------------------- checks computed in Python


def python_coverage(ds: Dataset, day: date) -> tuple[int, int]:
    """(covered, counted) on `day`, computed from the generated rows with our semantics."""
    d = day.toordinal()
    counted = [
        k != "mass_organization" and f <= d < x
        for k, f, x in zip(ds.org_kind, ds.org_founded, ds.org_dissolved, strict=True)
    ]
    hub_ok = [r <= d < v for r, v in zip(ds.hub_recognized, ds.hub_revoked, strict=True)]
    covered = set()
    for start, org, hub, _, last in ds.links:
        if start > d:
            break  # links are in start order
        if last >= d and hub_ok[hub] and counted[org]:
            covered.add(org)
    return len(covered), sum(counted)


def describe(ds: Dataset) -> str:
    n_links = len(ds.links)
    pairs = len({(org, hub) for _, org, hub, _, _ in ds.links})
    roles = {}
    for row in ds.links:
        roles[row[3]] = roles.get(row[3], 0) + 1
    lines = [
        f"organizations={len(ds.org_kind)} hubs={len(ds.hub_org)} links={n_links} "
        f"slots={ds.n_slots} segments={ds.n_segments}",
        f"links per organization {n_links / len(ds.org_kind):.2f}, distinct hubs per organization "
        f"{pairs / len(ds.org_kind):.2f}, roles "
        + ", ".join(f"{k} {v / n_links:.3f}" for k, v in sorted(roles.items())),
        f"open-ended links {sum(r[4] == FOREVER for r in ds.links) / n_links:.3f}, dissolved organizations "
        f"{sum(x != FOREVER for x in ds.org_dissolved) / len(ds.org_kind):.3f}, revoked hubs "
        f"{sum(x != FOREVER for x in ds.hub_revoked) / len(ds.hub_org):.3f}, mass organizations "
        f"{sum(k == 'mass_organization' for k in ds.org_kind)}",
    ]
    return "\n".join(lines)


# ---------------------------------------------------------------- database


def create_database(url: str) -> None:
    """Drop and recreate the benchmark database named by `url` (PostgreSQL), or delete the SQLite file."""
    import dj_database_url

    config = dj_database_url.parse(url)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        path = Path(config["NAME"])
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    name = config["NAME"]
    conninfo = {
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
        "dbname": "postgres",
    }
    with psycopg.connect(**{k: v for k, v in conninfo.items() if v}, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


class _Iso(dict):
    def __missing__(self, ordinal):
        value = self[ordinal] = None if ordinal == FOREVER else date.fromordinal(ordinal).isoformat()
        return value


def _last_day(event: int, start: int) -> int:
    """The stored end of a record an event ends (dissolution, revocation): the day before it, never before the start
    (`shuniu.core.dated`); FOREVER stays FOREVER (NULL)."""
    return event if event == FOREVER else max(event - 1, start)


def _table_rows(ds: Dataset, connection):
    """(model, varying columns, rows of varying values) per table; constant columns are filled in by `_constants`."""
    from shuniu.hubs.models import Hub, Link
    from shuniu.organizations.models import Organization

    iso = _Iso()
    org_rows = (
        (
            i + 1,
            f"基准社会组织{i + 1:06d}",
            ds.org_kind[i],
            ds.org_district[i],
            ds.org_street[i],
            iso[ds.org_founded[i]],
            "active" if ds.org_dissolved[i] == FOREVER else ("revoked" if i % 5 == 0 else "deregistered"),
            iso[_last_day(ds.org_dissolved[i], ds.org_founded[i])],
        )
        for i in range(len(ds.org_kind))
    )
    fields_model = Organization.fields.through
    fields_rows = ((i + 1, f) for i, fs in enumerate(ds.org_fields) for f in fs)
    hub_rows = (
        (
            h + 1,
            ds.hub_org[h] + 1,
            ds.hub_level[h],
            ds.hub_area[h],
            ds.hub_system[h],
            iso[ds.hub_recognized[h]],
            iso[_last_day(ds.hub_revoked[h], ds.hub_recognized[h])],
        )
        for h in range(len(ds.hub_org))
    )
    link_rows = (
        (n, hub + 1, org + 1, role, iso[start], iso[last])
        for n, (start, org, hub, role, last) in enumerate(ds.links, start=1)
    )
    return [
        (
            Organization,
            ["id", "name", "kind", "district_id", "street_id", "founded_on", "status", "active_until"],
            org_rows,
        ),
        (fields_model, ["organization_id", "field_id"], fields_rows),
        (
            Hub,
            ["id", "organization_id", "level", "area_id", "system_id", "recognized_on", "recognized_until"],
            hub_rows,
        ),
        (Link, ["id", "hub_id", "organization_id", "role", "start_date", "end_date"], link_rows),
    ]


def _constants(model, varying, connection, vendor):
    """Values for the columns the generator does not vary: timestamps, blanks, NULLs and model defaults."""
    out = {}
    for f in model._meta.concrete_fields:
        if f.column in varying or f.primary_key:
            continue
        if f.column in ("created_at", "updated_at"):
            out[f.column] = CREATED_AT + ("+00" if vendor == "postgresql" else "")
        elif f.has_default() or not f.null:
            value = f.get_default()
            if value is None and not f.null:
                raise ValueError(f"{model.__name__}.{f.name} needs a value in benchmarks/generate.py")
            out[f.column] = f.get_db_prep_save(value, connection)
        else:
            out[f.column] = None
    return out


def _bulk_objects(connection, tables):
    """Exclusion and foreign-key constraints, and non-constraint indexes, of `tables`: (drop, create) statements."""
    drops, creates = [], []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = ANY(%s::regclass[]) AND contype IN ('f', 'x') ORDER BY contype, conname",
                [tables],
            )
            constraints = cursor.fetchall()
            cursor.execute(
                "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                "WHERE i.indrelid = ANY(%s::regclass[]) AND NOT EXISTS "
                "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) ORDER BY 1",
                [tables],
            )
            indexes = cursor.fetchall()
            for table, name, _definition in constraints:
                drops.append(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
            for name, definition in indexes:
                drops.append(f'DROP INDEX "{name}"')
                creates.append(definition)
            for table, name, definition in constraints:
                creates.append(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
        else:
            placeholders = ", ".join(["%s"] * len(tables))
            cursor.execute(
                f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                f"AND tbl_name IN ({placeholders}) ORDER BY name",
                tables,
            )
            for name, definition in cursor.fetchall():
                drops.append(f'DROP INDEX "{name}"')
                creates.append(definition)
    return drops, creates


def _pg_text(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, str):
        if "\\" in value or "\t" in value or "\n" in value:
            value = value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
        return value
    return str(value)


def load(ds: Dataset, *, using: str = "default", verbose: bool = True) -> dict:
    """Load the generated rows into the (migrated, empty) database; returns seconds per step.

    Works inside a transaction too (pytest's test database): then VACUUM is skipped, ANALYZE still runs."""
    from django.core.management.color import no_style
    from django.db import connections, transaction

    from shuniu.hubs.models import Hub, Link
    from shuniu.organizations.models import Organization

    connection = connections[using]
    vendor = connection.vendor
    timings = {}
    for model in (Organization, Hub, Link):
        if model.objects.using(using).exists():
            raise RuntimeError(f"{model._meta.db_table} is not empty: load() expects a freshly migrated database")
    tables = _table_rows(ds, connection)
    table_names = [model._meta.db_table for model, _, _ in tables]
    with transaction.atomic(using=using):
        t = time.perf_counter()
        drops, creates = _bulk_objects(connection, table_names)
        with connection.cursor() as cursor:
            for statement in drops:
                cursor.execute(statement)
        timings["drop constraints and indexes"] = time.perf_counter() - t
        for model, varying, rows in tables:
            t = time.perf_counter()
            constants = _constants(model, varying, connection, vendor)
            columns = varying + list(constants)
            column_sql = ", ".join(connection.ops.quote_name(c) for c in columns)
            table = connection.ops.quote_name(model._meta.db_table)
            n = 0
            with connection.cursor() as cursor:
                if vendor == "postgresql":
                    suffix = "".join("\t" + _pg_text(v) for v in constants.values()) + "\n"
                    with cursor.cursor.copy(f"COPY {table} ({column_sql}) FROM STDIN") as copy:
                        chunk = []
                        for row in rows:
                            chunk.append("\t".join(["\\N" if v is None else str(v) for v in row]) + suffix)
                            if len(chunk) >= 50_000:
                                copy.write("".join(chunk).encode())
                                n += len(chunk)
                                chunk = []
                        copy.write("".join(chunk).encode())
                        n += len(chunk)
                else:
                    tail = tuple(constants.values())
                    sql = f"INSERT INTO {table} ({column_sql}) VALUES ({', '.join(['?'] * len(columns))})"
                    raw = cursor.cursor  # the sqlite3 cursor: '?' placeholders, no per-row Python formatting
                    batch = []
                    for row in rows:
                        batch.append(row + tail)
                        if len(batch) >= 50_000:
                            raw.executemany(sql, batch)
                            n += len(batch)
                            batch = []
                    raw.executemany(sql, batch)
                    n += len(batch)
            timings[f"insert {model._meta.db_table} ({n} rows)"] = time.perf_counter() - t
        t = time.perf_counter()
        with connection.cursor() as cursor:
            if vendor == "postgresql":  # index builds (the GiST exclusion constraints above all) sort in memory
                cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
            for statement in creates:
                cursor.execute(statement)
            if vendor == "postgresql":
                models = [Organization, Organization.fields.through, Hub, Link]
                for statement in connection.ops.sequence_reset_sql(no_style(), models):
                    cursor.execute(statement)
        timings["re-create indexes and constraints"] = time.perf_counter() - t
    t = time.perf_counter()
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            if connection.in_atomic_block:
                cursor.execute(f"ANALYZE {', '.join(table_names)}")
            else:
                cursor.execute(f"VACUUM (ANALYZE) {', '.join(table_names)}")
        else:
            cursor.execute("ANALYZE")
    timings["vacuum analyze" if vendor == "postgresql" and not connection.in_atomic_block else "analyze"] = (
        time.perf_counter() - t
    )
    if verbose:
        for step, seconds in timings.items():
            print(f"  {step}: {seconds:.2f}s")
    return timings


def setup_django(url: str | None = None) -> None:
    if url:
        os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shuniu.config.settings.dev")
    import django

    django.setup()


def database_url(target: str) -> str:
    return {
        "postgresql": f"postgres://postgres@127.0.0.1:5432/{PG_DATABASE}",
        "sqlite": f"sqlite:///{SQLITE_FILE}",
    }.get(target, target)


def build(url: str, sizes: Sizes, seed: int = SEED) -> Dataset:
    """The whole thing for the command line: fresh database, migrations, rows, stored trend."""
    from django.core.management import call_command

    t0 = time.perf_counter()
    create_database(url)
    setup_django(url)
    from django.db import connection

    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"{connection.vendor} {connection.settings_dict['NAME']}: migrated in {time.perf_counter() - t:.1f}s")
    ds = generate(sizes, seed)
    print(f"generated in {ds.timings['generate']:.1f}s (seed {seed})")
    print(describe(ds))
    t = time.perf_counter()
    load(ds)
    print(f"loaded in {time.perf_counter() - t:.1f}s")

    from shuniu.hubs.selectors import organizations_counted_on, organizations_covered_on
    from shuniu.indicators.services import trend_refresh

    for day in (date(2010, 6, 30), date(2015, 6, 30)):
        expected = python_coverage(ds, day)
        got = (organizations_covered_on(day=day).count(), organizations_counted_on(day=day).count())
        status = "ok" if got == expected else f"MISMATCH: Python says {expected}"
        print(f"coverage on {day}: {got[0]} of {got[1]} ({got[0] / got[1]:.3f}) {status}")
        if got != expected:
            sys.exit(1)
    t = time.perf_counter()
    days = trend_refresh(until=date.today(), force=True)
    print(f"stored trend: {days} year ends in {time.perf_counter() - t:.1f}s")
    print(f"total {time.perf_counter() - t0:.1f}s")
    return ds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database",
        default=os.environ.get("DATABASE_URL"),
        help="a DATABASE_URL, or 'postgresql' / 'sqlite' for the default benchmark databases (default: $DATABASE_URL)",
    )
    parser.add_argument("--organizations", type=int, default=Sizes.organizations)
    parser.add_argument("--hubs", type=int, default=Sizes.hubs)
    parser.add_argument("--links", type=int, default=Sizes.links)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument(
        "--if-missing",
        action="store_true",
        help="keep an existing benchmark database that holds the asked number of rows (only migrating it)",
    )
    args = parser.parse_args(argv)
    if not args.database:
        parser.error("give --database or set DATABASE_URL")
    url, sizes = database_url(args.database), Sizes(args.organizations, args.hubs, args.links)
    if args.if_missing and _is_built(url, sizes):
        return
    build(url, sizes, args.seed)


def _is_built(url: str, sizes: Sizes) -> bool:
    """Whether the database exists and holds the asked sizes; if so, bring its schema up to date."""
    import dj_database_url

    config = dj_database_url.parse(url)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        if not Path(config["NAME"]).exists():
            return False
    else:
        import psycopg

        try:
            psycopg.connect(
                host=config.get("HOST") or None,
                port=config.get("PORT") or None,
                user=config.get("USER") or None,
                password=config.get("PASSWORD") or None,
                dbname=config["NAME"],
            ).close()
        except psycopg.OperationalError:
            return False
    setup_django(url)
    from django.core.management import call_command
    from django.db import DatabaseError

    from shuniu.hubs.models import Hub, Link
    from shuniu.organizations.models import Organization

    try:
        counts = (Organization.objects.count(), Hub.objects.count(), Link.objects.count())
    except DatabaseError:
        return False
    if counts != (sizes.organizations, sizes.hubs, sizes.links):
        return False
    call_command("migrate", verbosity=0)
    print(f"{url}: already built ({counts[0]} organizations, {counts[1]} hubs, {counts[2]} links)")
    return True


if __name__ == "__main__":
    main()
