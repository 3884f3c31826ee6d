"""Backup and recovery: one archive holds all that is needed to bring Shuniu back on another machine.

Why an archive of our own rather than a bare `pg_dump`: the database alone is not enough. Uploaded import files and
their results live under MEDIA_ROOT (sealed with the personal-data key), and in the demo that key lives in a file
beside the database: a database restored without them has import histories whose files are gone and identity and
phone numbers nobody can read. The archive is a plain tar file (mode 0600) of

  manifest.json      what the backup is: when, which versions, the database vendor, the latest migration of each
                     app, the rows of each table, the personal-data key settings in use (their names, never a
                     value), and the SHA-256 and size of every other member
  manifest.sha256    the manifest's own SHA-256, as `sha256sum -c` reads it, so a damaged manifest is noticed too
  database.dump      PostgreSQL: `pg_dump --format=custom`; or
  database.sqlite3   SQLite: a copy made with SQLite's online backup API
  media/…            every file under MEDIA_ROOT
  personal-data.key  the key file, when there is one (the demo's; production keeps its key in the environment, and
                     that key is kept apart from the backups)

Consistency while the server runs. The rows the manifest counts are the rows dumped: on PostgreSQL they are counted
in a REPEATABLE READ transaction whose snapshot pg_dump is handed (`--snapshot`); on SQLite they are counted in the
copy. Media files are copied after the database, so a file a dumped record names is there unless it was deleted in
between.

Restore checks every hash before it changes anything (a damaged archive changes nothing), writes only into an empty
database of the backup's vendor (SQLite: or, when forced, over the file), never replaces a different key file
unless forced (the replaced one is kept), then counts the rows again and compares them with the manifest.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path, PurePosixPath

import dj_database_url
import django
from django.conf import settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django.utils.translation import gettext as _

FORMAT = "shuniu-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MANIFEST_HASH = "manifest.sha256"
MEDIA = "media"
KEY_MEMBER = "personal-data.key"
DATABASE_MEMBERS = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
VENDOR_NAMES = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
KEY_SETTINGS_PREFIX = "SHUNIU_PERSONAL_DATA_"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or a restore that cannot go on. The message, in the user's language, says why and what to do."""


def _damaged(detail: str) -> BackupError:
    return BackupError(_("备份文件已损坏，未做任何更改：%(detail)s") % {"detail": detail})


#
# Databases: the one being backed up (Django's connection) and the one restored into (its own connection)
#


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _count_rows(cursor, tables: list[str]) -> dict[str, int]:
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")
        counts[table] = cursor.fetchone()[0]
    return counts


def _latest_migrations(cursor, tables: list[str]) -> dict[str, str]:
    """The latest migration applied of each app (migration names begin with their number)."""
    if "django_migrations" not in tables:
        return {}
    cursor.execute("SELECT app, MAX(name) FROM django_migrations GROUP BY app ORDER BY app")
    return dict(cursor.fetchall())


def _sqlite_tables(db: sqlite3.Connection) -> list[str]:
    rows = db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")
    return [name for (name,) in rows]


def _postgresql_tables(cursor) -> list[str]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    return [name for (name,) in cursor.fetchall()]


def _libpq_parameters(database: dict) -> dict[str, str]:
    """libpq's connection parameters for a Django DATABASES entry (password included)."""
    from psycopg import pq

    known = {option.keyword.decode() for option in pq.Conninfo.get_defaults()}
    parameters = {
        "dbname": database.get("NAME"),
        "user": database.get("USER"),
        "password": database.get("PASSWORD"),
        "host": database.get("HOST"),
        "port": database.get("PORT"),
    }
    parameters.update((key, value) for key, value in (database.get("OPTIONS") or {}).items() if key in known)
    return {key: str(value) for key, value in parameters.items() if value not in (None, "")}


def _run_client(program: str, arguments: list[str], parameters: dict[str, str]) -> None:
    """Run pg_dump or pg_restore against the database of `parameters`. The password reaches it through PGPASSWORD,
    never on the command line (which every user of the machine can read)."""
    from psycopg.conninfo import make_conninfo

    executable = shutil.which(program)
    if executable is None:
        raise BackupError(
            _("找不到 %(program)s：请安装 PostgreSQL 15 客户端（Debian：apt-get install postgresql-client-15）。")
            % {"program": program}
        )
    environment = dict(os.environ)
    password = parameters.get("password")
    if password:
        environment["PGPASSWORD"] = password
    conninfo = make_conninfo(**{key: value for key, value in parameters.items() if key != "password"})
    result = subprocess.run(
        [executable, "--no-password", f"--dbname={conninfo}", *arguments],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        lines = result.stderr.strip().splitlines()
        said = [line for line in lines if line.startswith(f"{program}:")] or lines  # not the SQL it was running
        output = "\n".join(said[-3:])
        raise BackupError(_("%(program)s 失败：%(output)s") % {"program": program, "output": output})


@dataclass
class DatabaseSnapshot:
    """What was dumped: the rows of each table and the latest migration of each app, counted in the dump itself."""

    tables: dict[str, int]
    migrations: dict[str, str]


def dump_database(path: Path) -> DatabaseSnapshot:
    """Dump the default database to `path` while the server may be running, and count what was dumped."""
    if connection.vendor == "sqlite":
        return _dump_sqlite(path)
    if connection.vendor == "postgresql":
        return _dump_postgresql(path)
    raise BackupError(_("不支持备份 %(vendor)s 数据库。") % {"vendor": connection.vendor})


def _dump_sqlite(path: Path) -> DatabaseSnapshot:
    connection.ensure_connection()
    if connection.in_atomic_block:  # SQLite's backup would wait for ever for this connection's own transaction
        raise BackupError(_("SQLite 数据库须在事务之外备份。"))
    with closing(sqlite3.connect(path)) as copy:
        connection.connection.backup(copy)  # one step: a consistent copy, while other connections keep writing
        tables = _sqlite_tables(copy)
        cursor = copy.cursor()
        return DatabaseSnapshot(tables=_count_rows(cursor, tables), migrations=_latest_migrations(cursor, tables))


def _dump_postgresql(path: Path) -> DatabaseSnapshot:
    import psycopg

    parameters = _libpq_parameters(connection.settings_dict)
    with closing(psycopg.connect(**parameters)) as session:
        session.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        session.read_only = True
        with session.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            (snapshot,) = cursor.fetchone()
            tables = _postgresql_tables(cursor)
            counted = DatabaseSnapshot(
                tables=_count_rows(cursor, tables), migrations=_latest_migrations(cursor, tables)
            )
        # pg_dump reads the same snapshot as the counts, which stays valid while this transaction is open
        _run_client("pg_dump", ["--format=custom", f"--snapshot={snapshot}", f"--file={path}"], parameters)
        session.rollback()
    return counted


class SqliteTarget:
    """A SQLite file to restore into."""

    vendor = "sqlite"

    def __init__(self, name: str):
        if not name or name == ":memory:" or name.startswith("file:"):
            raise BackupError(_("不能恢复到内存中的 SQLite 数据库：请指定数据库文件。"))
        self.path = Path(name)

    def __str__(self):
        return f"SQLite {self.path}"

    def tables(self) -> list[str]:
        if not self.path.exists() or self.path.stat().st_size == 0:
            return []
        try:
            with closing(sqlite3.connect(self.path)) as db:
                return _sqlite_tables(db)
        except sqlite3.DatabaseError as error:
            raise BackupError(
                _("目标文件 %(path)s 不是可读的 SQLite 数据库：%(error)s") % {"path": self.path, "error": error}
            ) from error

    def load(self, dump: Path) -> None:
        """Copy the backup's database into the file, replacing whatever it held, in one transaction."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(dump)) as source, closing(sqlite3.connect(self.path)) as target:
            source.backup(target)

    def counts(self) -> dict[str, int]:
        with closing(sqlite3.connect(self.path)) as db:
            return _count_rows(db.cursor(), _sqlite_tables(db))


class PostgresqlTarget:
    """A PostgreSQL database to restore into: it must exist (`createdb`) and be empty."""

    vendor = "postgresql"

    def __init__(self, database: dict):
        self.parameters = _libpq_parameters(database)

    def __str__(self):
        where = self.parameters.get("host", "")
        return f"PostgreSQL {self.parameters.get('dbname', '')}" + (f"@{where}" if where else "")

    @contextmanager
    def session(self):
        import psycopg

        try:
            db = psycopg.connect(**self.parameters, autocommit=True)
        except psycopg.OperationalError as error:
            raise BackupError(
                _("无法连接目标数据库 %(target)s：%(error)s（恢复前须先建好一个空数据库，例如 createdb）")
                % {"target": self, "error": str(error).strip()}
            ) from error
        with closing(db):
            yield db

    def tables(self) -> list[str]:
        """Every table, view and sequence outside the system schemas: a database with any is not empty."""
        with self.session() as db:
            rows = db.execute(
                "SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')"
                " AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'"
            ).fetchall()
        return [name for (name,) in rows]

    def load(self, dump: Path) -> None:
        """pg_restore in one transaction: an error leaves the database as empty as it was. Objects are owned by the
        user restoring, without the old server's grants (its roles need not exist here)."""
        self.tables()  # a clear message when the database cannot be reached
        try:
            _run_client(
                "pg_restore",
                ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", str(dump)],
                self.parameters,
            )
        except BackupError as error:
            raise BackupError(_("%(error)s（恢复在一个事务中进行，目标数据库未改变。）") % {"error": error}) from error

    def counts(self) -> dict[str, int]:
        with self.session() as db, db.cursor() as cursor:
            return _count_rows(cursor, _postgresql_tables(cursor))


def restore_target(database_url: str | None = None) -> SqliteTarget | PostgresqlTarget:
    """The database `database_url` names, or the configured one."""
    if database_url:
        try:
            database = dj_database_url.parse(database_url)
        except ValueError as error:
            raise BackupError(_("无法识别的数据库地址：%(error)s") % {"error": error}) from error
    else:
        database = settings.DATABASES["default"]
    engine = database.get("ENGINE", "")
    if engine == "django.db.backends.sqlite3":
        return SqliteTarget(str(database.get("NAME") or ""))
    if engine == "django.db.backends.postgresql":
        return PostgresqlTarget(database)
    raise BackupError(_("只能恢复到 SQLite 或 PostgreSQL 数据库，不支持 %(engine)s。") % {"engine": engine})


#
# The archive
#


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class _HashingReader(io.RawIOBase):
    """Reads a file for tarfile and hashes what it read, so each member is read once."""

    def __init__(self, file):
        self.file = file
        self.digest = hashlib.sha256()

    def readable(self):
        return True

    def read(self, size=-1):
        data = self.file.read(size)
        self.digest.update(data)
        return data


def _add_file(archive: tarfile.TarFile, name: str, path: Path, *, mode: int | None = None) -> dict:
    info = archive.gettarinfo(str(path), arcname=name)
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    if mode is not None:
        info.mode = mode
    with path.open("rb") as file:
        reader = _HashingReader(file)
        archive.addfile(info, reader)
    return {"sha256": reader.digest.hexdigest(), "size": info.size}


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    info.mtime = int(timezone.now().timestamp())
    archive.addfile(info, io.BytesIO(data))


def _media_files(media_root: Path) -> Iterator[tuple[str, Path]]:
    """(member name, path) of every regular file under MEDIA_ROOT, in a stable order; links are not followed."""
    if not media_root.is_dir():
        return
    for directory, subdirectories, files in os.walk(media_root):
        subdirectories.sort()
        for name in sorted(files):
            path = Path(directory) / name
            if path.is_file() and not path.is_symlink():
                yield f"{MEDIA}/{path.relative_to(media_root).as_posix()}", path


def key_file_in_use() -> Path | None:
    """The key file, when it holds the key in use: only without `SHUNIU_PERSONAL_DATA_KEY` (the demo). A file left
    over from before the key moved to the environment stays out of the archive."""
    key_file = Path(settings.SHUNIU_PERSONAL_DATA_KEY_FILE)
    if (getattr(settings, "SHUNIU_PERSONAL_DATA_KEY", "") or "").strip() or not key_file.is_file():
        return None
    return key_file


def key_settings() -> dict:
    """Which personal-data key settings are in use, by name: never a key's value. The cipher's name is no secret."""
    names = []
    for name in sorted(dir(settings)):
        if not name.startswith(KEY_SETTINGS_PREFIX) or name.endswith("_FILE"):
            continue
        if getattr(settings, name):
            names.append(name)
    in_use = key_file_in_use() is not None
    return {
        "settings": names + (["SHUNIU_PERSONAL_DATA_KEY_FILE"] if in_use else []),
        "key_file": KEY_MEMBER if in_use else None,
        "cipher": str(getattr(settings, "SHUNIU_PERSONAL_DATA_CIPHER", "") or "") or None,
    }


def _version() -> str:
    try:
        return metadata.version("shuniu")
    except metadata.PackageNotFoundError:
        return "unknown"


def default_name() -> str:
    return f"shuniu-backup-{timezone.localtime():%Y%m%d-%H%M%S}.tar"


def _destination(output: str | None) -> Path:
    """The archive's path: in the directory `output` (default var/backups/), or the file `output`."""
    if not output:
        directory = Path(settings.VAR_DIR) / "backups"
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        output = f"{directory}{os.sep}"
    path = Path(output)
    if output.endswith(os.sep) and not path.is_dir():
        raise BackupError(_("目录 %(path)s 不存在。") % {"path": path})
    destination = path / default_name() if path.is_dir() else path
    if destination.exists():
        raise BackupError(_("%(path)s 已存在，不会覆盖：请换一个文件名。") % {"path": destination})
    if not destination.parent.is_dir():
        raise BackupError(_("目录 %(path)s 不存在。") % {"path": destination.parent})
    media_root = Path(settings.MEDIA_ROOT).resolve()
    if destination.parent.resolve().is_relative_to(media_root):
        raise BackupError(_("备份不能放在媒体目录 %(path)s 内。") % {"path": media_root})
    return destination


@dataclass
class Backup:
    path: Path
    manifest: dict
    sha256: str  # of the whole archive, for the audit log

    @property
    def rows(self) -> int:
        return sum(self.manifest["tables"].values())

    @property
    def media_files(self) -> int:
        return sum(1 for name in self.manifest["members"] if name.startswith(f"{MEDIA}/"))


def create_backup(output: str | None = None, *, progress: Callable[[str], None] = lambda message: None) -> Backup:
    """Write one archive of the database, the media files and the key file; see the module's docstring. `output`: a
    directory (an existing one, or a path ending in a slash) or the archive's file name."""
    destination = _destination(output)
    vendor = connection.vendor
    with tempfile.TemporaryDirectory(prefix="shuniu-backup-") as work:
        dump = Path(work) / DATABASE_MEMBERS.get(vendor, "database")
        progress(_("正在备份数据库（%(vendor)s）…") % {"vendor": VENDOR_NAMES.get(vendor, vendor)})
        snapshot = dump_database(dump)
        progress(_("正在打包媒体文件和密钥文件…"))
        partial = destination.with_name(f".{destination.name}.partial")
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # never readable by others
        try:
            with os.fdopen(descriptor, "wb") as file:
                with tarfile.open(fileobj=file, mode="w", format=tarfile.PAX_FORMAT) as archive:
                    members = {dump.name: _add_file(archive, dump.name, dump, mode=0o600)}
                    for name, path in _media_files(Path(settings.MEDIA_ROOT)):
                        members[name] = _add_file(archive, name, path)
                    if (key_file := key_file_in_use()) is not None:
                        members[KEY_MEMBER] = _add_file(archive, KEY_MEMBER, key_file, mode=0o600)
                    manifest = {
                        "format": FORMAT,
                        "format_version": FORMAT_VERSION,
                        "created_at": timezone.localtime().isoformat(),
                        "shuniu_version": _version(),
                        "django_version": django.get_version(),
                        "database": {
                            "vendor": vendor,
                            "member": dump.name,
                            "name": str(connection.settings_dict["NAME"]),
                        },
                        "migrations": snapshot.migrations,
                        "tables": snapshot.tables,
                        "personal_data_key": key_settings(),
                        "members": members,
                    }
                    data = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
                    _add_bytes(archive, MANIFEST, data)
                    _add_bytes(archive, MANIFEST_HASH, f"{hashlib.sha256(data).hexdigest()}  {MANIFEST}\n".encode())
                file.flush()
                os.fsync(file.fileno())
            partial.rename(destination)  # complete or absent: a half-written archive never bears the name
        finally:
            partial.unlink(missing_ok=True)
    return Backup(path=destination, manifest=manifest, sha256=_sha256(destination))


def _member_path(name: str) -> PurePosixPath:
    """A member's name, checked: a relative path without `..` (a crafted archive writes nowhere else)."""
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise _damaged(_("成员名 %(name)s 不合法") % {"name": name})
    return path


@contextmanager
def open_archive(path: Path) -> Iterator[tarfile.TarFile]:
    if not path.is_file():
        raise BackupError(_("找不到备份文件 %(path)s。") % {"path": path})
    try:
        with tarfile.open(path, mode="r:") as archive:
            yield archive
    except (tarfile.TarError, EOFError) as error:
        raise _damaged(str(error)) from error


def _read(archive: tarfile.TarFile, name: str) -> bytes:
    try:
        member = archive.getmember(name)
    except KeyError:
        raise _damaged(_("缺少 %(name)s") % {"name": name}) from None
    file = archive.extractfile(member)
    if file is None:
        raise _damaged(_("%(name)s 不是普通文件") % {"name": name})
    return file.read()


def _copy_member(archive: tarfile.TarFile, member: tarfile.TarInfo, target) -> str:
    """Copy a member's content to the open file `target` (None: only read it); its SHA-256."""
    digest = hashlib.sha256()
    source = archive.extractfile(member)
    if source is None:
        raise _damaged(_("%(name)s 不是普通文件") % {"name": member.name})
    while chunk := source.read(CHUNK):
        digest.update(chunk)
        if target is not None:
            target.write(chunk)
    return digest.hexdigest()


def verify_archive(archive: tarfile.TarFile) -> dict:
    """The manifest, once the manifest and every member have been read and found as it says; else BackupError."""
    data = _read(archive, MANIFEST)
    expected_hash = _read(archive, MANIFEST_HASH).decode("ascii", "replace").split(" ")[0].strip()
    if hashlib.sha256(data).hexdigest() != expected_hash:
        raise _damaged(_("清单 %(name)s 的 SHA-256 不符") % {"name": MANIFEST})
    try:
        manifest = json.loads(data)
    except ValueError as error:
        raise _damaged(_("清单无法读取") + f"（{error}）") from error
    if manifest.get("format") != FORMAT or not isinstance(manifest.get("members"), dict):
        raise BackupError(_("这不是枢纽的备份文件。"))
    if manifest.get("format_version", 0) > FORMAT_VERSION:
        raise BackupError(_("备份文件来自较新版本的枢纽，请先升级。"))
    members = {member.name: member for member in archive.getmembers()}
    expected = manifest["members"]
    unexpected = sorted(set(members) - set(expected) - {MANIFEST, MANIFEST_HASH})
    if unexpected:
        raise _damaged(_("清单中没有 %(names)s") % {"names": "、".join(unexpected[:5])})
    for name, facts in expected.items():
        _member_path(name)
        member = members.get(name)
        if member is None:
            raise _damaged(_("缺少 %(name)s") % {"name": name})
        if not member.isreg() or member.size != facts["size"] or _copy_member(archive, member, None) != facts["sha256"]:
            raise _damaged(_("%(name)s 与清单中的 SHA-256 不符") % {"name": name})
    return manifest


def _write_file(path: Path, archive: tarfile.TarFile, member: tarfile.TarInfo, expected: str, mode: int) -> None:
    """Write a member to `path` through a temporary file beside it, checking its hash again on the way."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "wb") as file:
            if _copy_member(archive, member, file) != expected:
                raise _damaged(_("%(name)s 与清单中的 SHA-256 不符") % {"name": member.name})
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@dataclass
class Restored:
    target: str
    manifest: dict
    counts: dict[str, int]
    media_written: int = 0
    media_kept: int = 0
    key_file: str = ""  # what happened to the key file, said in words
    notes: list[str] = field(default_factory=list)

    def comparison(self) -> list[tuple[str, int | None, int | None]]:
        """(table, rows in the backup, rows restored) of every table in either."""
        expected = self.manifest["tables"]
        return [(table, expected.get(table), self.counts.get(table)) for table in sorted({*expected, *self.counts})]

    @property
    def differences(self) -> list[tuple[str, int | None, int | None]]:
        return [row for row in self.comparison() if row[1] != row[2]]


def _key_notes(manifest: dict) -> list[str]:
    used = manifest.get("personal_data_key", {}).get("settings", [])
    notes = []
    if "SHUNIU_PERSONAL_DATA_KEY" in used:
        notes.append(
            _(
                "备份时个人信息密钥来自环境变量 SHUNIU_PERSONAL_DATA_KEY，备份中不含密钥："
                "此处须设置同一密钥，否则身份证号、电话和导入文件无法解密。"
            )
        )
    if "SHUNIU_PERSONAL_DATA_OLD_KEYS" in used:
        notes.append(_("备份时还设置了旧密钥 SHUNIU_PERSONAL_DATA_OLD_KEYS：尚未轮换的数据需要它们。"))
    cipher = manifest.get("personal_data_key", {}).get("cipher")
    here = key_settings()["cipher"]
    if cipher != here:
        notes.append(
            _("备份时的加密算法是 SHUNIU_PERSONAL_DATA_CIPHER=%(cipher)s，此处是 %(here)s。")
            % {"cipher": cipher or "—", "here": here or "—"}
        )
    return notes


def _migration_notes(manifest: dict) -> list[str]:
    """Whether the code here is older or newer than the backup's database."""
    on_disk: dict[str, set[str]] = {}
    for app, name in MigrationLoader(None, ignore_no_migrations=True).disk_migrations:
        on_disk.setdefault(app, set()).add(name)
    unknown, behind = [], False
    for app, latest in manifest.get("migrations", {}).items():
        names = on_disk.get(app)
        if names is None:
            continue  # an app no longer installed
        if latest not in names:
            unknown.append(f"{app}.{latest}")
        elif max(names) > latest:
            behind = True
    notes = []
    if unknown:
        notes.append(
            _("备份来自较新版本的代码（此处没有迁移 %(names)s）：请先升级代码。") % {"names": "、".join(unknown)}
        )
    if behind:
        notes.append(_("此处的代码比备份新：恢复后请运行 shuniu migrate。"))
    return notes


def restore_backup(
    path: Path,
    *,
    database_url: str | None = None,
    force: bool = False,
    progress: Callable[[str], None] = lambda message: None,
) -> Restored:
    """Restore the archive at `path` into the database `database_url` (default: the configured one), MEDIA_ROOT and
    the key file; see the module's docstring. Every check comes before the first write."""
    target = restore_target(database_url)
    with open_archive(path) as archive:
        progress(_("正在校验备份文件…"))
        manifest = verify_archive(archive)
        vendor = manifest["database"]["vendor"]
        if vendor != target.vendor:
            raise BackupError(
                _("此备份来自 %(source)s 数据库，不能恢复到 %(target)s 数据库。")
                % {"source": VENDOR_NAMES.get(vendor, vendor), "target": VENDOR_NAMES[target.vendor]}
            )
        existing = target.tables()
        if existing and not (force and target.vendor == "sqlite"):
            hint = _("如确要用备份替换该文件，加 --force（先停止服务）。") if target.vendor == "sqlite" else ""
            raise BackupError(
                _("目标数据库 %(target)s 不是空的（已有 %(count)s 张表），未做任何更改。恢复只写入空数据库%(hint)s")
                % {"target": target, "count": len(existing), "hint": "；" + hint if hint else "。"}
            )
        members = {member.name: member for member in archive.getmembers()}
        media_plan, kept = _plan_media(manifest, force)
        key_plan = _plan_key(manifest, force)

        progress(_("正在恢复数据库到 %(target)s…") % {"target": target})
        database_member = manifest["database"]["member"]
        with tempfile.TemporaryDirectory(prefix="shuniu-restore-") as work:
            dump = Path(work) / database_member
            _write_file(dump, archive, members[database_member], manifest["members"][database_member]["sha256"], 0o600)
            target.load(dump)

        progress(_("正在恢复媒体文件和密钥文件…"))
        for name, destination in media_plan:
            member = members[name]
            _write_file(destination, archive, member, manifest["members"][name]["sha256"], member.mode & 0o777)
        key_file = _apply_key(key_plan, archive, members, manifest)

    progress(_("正在核对行数…"))
    return Restored(
        target=str(target),
        manifest=manifest,
        counts=target.counts(),
        media_written=len(media_plan),
        media_kept=kept,
        key_file=key_file,
        notes=_key_notes(manifest) + _migration_notes(manifest),
    )


def _plan_media(manifest: dict, force: bool) -> tuple[list[tuple[str, Path]], int]:
    """(member, destination) of the media files to write, and how many are there already with the same content. A
    different file under the same name is replaced only when forced."""
    media_root = Path(settings.MEDIA_ROOT)
    writes, same, different = [], 0, []
    for name, facts in manifest["members"].items():
        parts = _member_path(name).parts
        if parts[0] != MEDIA or len(parts) < 2:
            continue
        destination = media_root.joinpath(*parts[1:])
        if destination.is_file() and _sha256(destination) == facts["sha256"]:
            same += 1
            continue
        if destination.exists():
            different.append(str(destination))
        writes.append((name, destination))
    if different and not force:
        raise BackupError(
            _(
                "媒体目录中已有 %(count)s 个与备份同名而内容不同的文件（如 %(example)s），未做任何更改。"
                "如确要用备份中的文件替换它们，加 --force。"
            )
            % {"count": len(different), "example": different[0]}
        )
    return writes, same


@dataclass
class _KeyPlan:
    destination: Path
    action: str  # "none" (no key file in the backup), "same", "write" or "replace"


def _plan_key(manifest: dict, force: bool) -> _KeyPlan:
    destination = Path(settings.SHUNIU_PERSONAL_DATA_KEY_FILE)
    facts = manifest["members"].get(KEY_MEMBER)
    if facts is None:
        return _KeyPlan(destination, "none")
    if not destination.exists():
        return _KeyPlan(destination, "write")
    if destination.is_file() and _sha256(destination) == facts["sha256"]:
        return _KeyPlan(destination, "same")
    if not force:
        raise BackupError(
            _(
                "已有另一个个人信息密钥文件 %(path)s，与备份中的不同，未做任何更改：替换它会使用它加密的身份证号、"
                "电话和导入文件再也无法解密。请先确认并另存该文件；如确要使用备份中的密钥，加 --force"
                "（原文件会改名保留）。"
            )
            % {"path": destination}
        )
    return _KeyPlan(destination, "replace")


def _apply_key(plan: _KeyPlan, archive: tarfile.TarFile, members: dict, manifest: dict) -> str:
    if plan.action == "none":
        return _("备份中没有密钥文件")
    if plan.action == "same":
        return _("密钥文件 %(path)s 与备份中的相同") % {"path": plan.destination}
    message = _("已恢复密钥文件 %(path)s") % {"path": plan.destination}
    if plan.action == "replace":  # the replaced key is kept: values it encrypted elsewhere stay readable
        kept = plan.destination.with_name(f"{plan.destination.name}.replaced-{timezone.localtime():%Y%m%d-%H%M%S}")
        plan.destination.rename(kept)
        message += _("；原密钥文件已改名保留为 %(path)s") % {"path": kept}
    _write_file(plan.destination, archive, members[KEY_MEMBER], manifest["members"][KEY_MEMBER]["sha256"], 0o600)
    return message
