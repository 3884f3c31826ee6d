"""Backup and recovery, drilled on real databases: a backup restores into a fresh database with the same rows in every
table, the same records and personal numbers that still decrypt, the uploaded files and the key file; a damaged
archive, a database of the other vendor, a database that is not empty or a different key file change nothing.

The tests are transactional: SQLite's backup and pg_dump read committed data only."""

import hashlib
import io
import json
import re
import sqlite3
import stat
import tarfile
import uuid
from contextlib import closing
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from shuniu.audit.choices import AuditAction
from shuniu.audit.models import ObjectChange
from shuniu.core import crypto
from shuniu.hubs.tests.factories import HubFactory, LinkFactory
from shuniu.organizations.tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db(transaction=True)

PEOPLE = [("11010519491231002X", "13812345678"), ("11010519800101001X", "010-62345678"), ("110108197512121239", "")]
KEY_FILE_SECRET = "backup-test-key-file-secret-0123456789-abcdefghij"
MEDIA_FILE = "imports/2025/12/organizations.xlsx"
MEDIA_CONTENT = b"PK\x03\x04 an uploaded spreadsheet \x00\xff"
SAMPLES = {
    "organizations_organization": "id, name, uscc, kind, district_id, founded_on, legal_representative_id_number, "
    "legal_representative_id_number_hash, legal_representative_phone, legal_representative_phone_hash",
    "hubs_hub": "id, organization_id, level, area_id, system_id, recognized_on",
    "hubs_link": "id, hub_id, organization_id, role, start_date, end_date",
    "audit_objectchange": "id, action, user_name, content_type_id, object_id, object_repr, message",
}


@pytest.fixture(autouse=True)
def places(settings, tmp_path):
    """This machine's media directory and key file place (no key file: the test settings' key, as in production)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SHUNIU_PERSONAL_DATA_KEY_FILE = tmp_path / "source" / "personal-data.key"


@pytest.fixture
def world(reference_data, settings):
    """Organizations whose legal representatives have identity and phone numbers, a hub linking them, the audit rows
    all that wrote, and an uploaded file."""
    (settings.MEDIA_ROOT / MEDIA_FILE).parent.mkdir(parents=True)
    (settings.MEDIA_ROOT / MEDIA_FILE).write_bytes(MEDIA_CONTENT)
    hub = HubFactory()
    organizations = [
        OrganizationFactory(legal_representative_id_number=number, legal_representative_phone=phone)
        for number, phone in PEOPLE
    ]
    for organization in organizations[:2]:
        LinkFactory(hub=hub, organization=organization)
    return organizations


@pytest.fixture
def key_file(settings):
    """The demo's way: no key setting, the secret in a key file (made before the world is encrypted with it)."""
    path = Path(settings.SHUNIU_PERSONAL_DATA_KEY_FILE)
    path.parent.mkdir()
    path.write_text(KEY_FILE_SECRET + "\n")
    path.chmod(0o600)
    settings.SHUNIU_PERSONAL_DATA_KEY = ""
    return path


def backup(tmp_path) -> Path:
    directory = tmp_path / "backups"
    directory.mkdir(exist_ok=True)
    call_command("backup", output=str(directory), stdout=io.StringIO())
    (archive,) = directory.iterdir()
    return archive


def restore(archive, url, **options) -> str:
    out = io.StringIO()
    call_command("restore", str(archive), database_url=url, stdout=out, **options)
    return out.getvalue()


def elsewhere(settings, tmp_path):
    """Point media and the key file at a fresh machine's places."""
    settings.MEDIA_ROOT = tmp_path / "restored" / "media"
    settings.SHUNIU_PERSONAL_DATA_KEY_FILE = tmp_path / "restored" / "personal-data.key"


def live_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        counts = {}
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
        return counts


def live_rows(table: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {SAMPLES[table]} FROM {table} ORDER BY id")
        return [tuple(row) for row in cursor.fetchall()]


def sqlite_counts(path: Path) -> dict[str, int]:
    with closing(sqlite3.connect(path)) as db:
        tables = [name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t: db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables if t != "sqlite_sequence"}


def sqlite_rows(path: Path, table: str) -> list[tuple]:
    # dates as Django's SQLite connection reads them (its converters, by declared column type)
    with closing(sqlite3.connect(path, detect_types=sqlite3.PARSE_DECLTYPES | sqlite3.PARSE_COLNAMES)) as db:
        return [tuple(row) for row in db.execute(f"SELECT {SAMPLES[table]} FROM {table} ORDER BY id")]


def decrypted(rows: list[tuple]) -> list[tuple[str, str]]:
    """(identity number, phone) of each organization row, decrypted with the key configured now."""
    return [
        (
            crypto.decrypt(row[6], purpose="ric") if row[6] else "",
            crypto.decrypt(row[8], purpose="phone") if row[8] else "",
        )
        for row in rows
    ]


def manifest(archive: Path) -> dict:
    with tarfile.open(archive) as tar:
        return json.loads(tar.extractfile("manifest.json").read())


def flip_a_byte(archive: Path, member: str) -> None:
    with tarfile.open(archive) as tar:
        info = tar.getmember(member)
        offset = info.offset_data + info.size // 2
    with archive.open("r+b") as file:
        file.seek(offset)
        byte = file.read(1)
        file.seek(offset)
        file.write(bytes([byte[0] ^ 0x01]))


#
# SQLite
#

sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite backup")


@sqlite_only
def test_a_backup_restores_into_a_fresh_database_with_the_same_rows_and_readable_personal_numbers(
    key_file, world, settings, tmp_path
):
    before = live_counts()
    samples = {table: live_rows(table) for table in SAMPLES}
    assert len(samples["organizations_organization"]) == 4 and len(samples["hubs_link"]) == 2  # the hub's and 3
    assert samples["audit_objectchange"]
    archive = backup(tmp_path)

    assert re.fullmatch(r"shuniu-backup-\d{8}-\d{6}\.tar", archive.name)
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    described = manifest(archive)
    assert described["database"]["vendor"] == "sqlite" and described["tables"] == before
    assert described["migrations"]["organizations"] and described["migrations"]["audit"] >= "0005"
    assert "SHUNIU_PERSONAL_DATA_KEY_FILE" in described["personal_data_key"]["settings"]
    assert "SHUNIU_PERSONAL_DATA_KEY" not in described["personal_data_key"]["settings"]
    assert described["personal_data_key"]["key_file"] == "personal-data.key"
    assert KEY_FILE_SECRET not in json.dumps(described)
    assert f"media/{MEDIA_FILE}" in described["members"]
    event = ObjectChange.objects.get(action=AuditAction.BACKUP)  # written after the dump: not in the archive
    assert event.get_action_display() == "备份" and event.after["file"] == archive.name
    assert event.after["file_sha256"] == hashlib.sha256(archive.read_bytes()).hexdigest()

    elsewhere(settings, tmp_path)
    target = tmp_path / "restored" / "shuniu.sqlite3"
    output = restore(archive, f"sqlite:///{target}")

    assert "行数一致" in output and "organizations_organization" in output
    assert sqlite_counts(target) == before
    for table, rows in samples.items():
        assert sqlite_rows(target, table) == rows, table
    assert not [row for row in sqlite_rows(target, "audit_objectchange") if row[1] == AuditAction.BACKUP]
    restored_key = Path(settings.SHUNIU_PERSONAL_DATA_KEY_FILE)
    assert restored_key.read_text().strip() == KEY_FILE_SECRET and stat.S_IMODE(restored_key.stat().st_mode) == 0o600
    assert (Path(settings.MEDIA_ROOT) / MEDIA_FILE).read_bytes() == MEDIA_CONTENT
    # the restored key reads the restored numbers
    restored_people = decrypted(sqlite_rows(target, "organizations_organization"))
    assert [person for person in restored_people if person != ("", "")] == PEOPLE


@sqlite_only
def test_a_damaged_archive_is_refused_and_changes_nothing(world, settings, tmp_path):
    archive = backup(tmp_path)
    flip_a_byte(archive, "database.sqlite3")
    elsewhere(settings, tmp_path)
    target = tmp_path / "restored" / "shuniu.sqlite3"

    with pytest.raises(CommandError, match="备份文件已损坏，未做任何更改：database.sqlite3 与清单中的 SHA-256 不符"):
        restore(archive, f"sqlite:///{target}")
    assert not target.exists() and not Path(settings.MEDIA_ROOT).exists()


@sqlite_only
def test_a_damaged_manifest_is_refused(world, settings, tmp_path):
    archive = backup(tmp_path)
    flip_a_byte(archive, "manifest.json")
    elsewhere(settings, tmp_path)
    target = tmp_path / "restored" / "shuniu.sqlite3"

    with pytest.raises(CommandError, match="已损坏.*清单 manifest.json 的 SHA-256 不符"):
        restore(archive, f"sqlite:///{target}")
    assert not target.exists()


@sqlite_only
def test_a_database_that_is_not_empty_is_refused_unless_forced(world, settings, tmp_path):
    before = live_counts()
    archive = backup(tmp_path)
    elsewhere(settings, tmp_path)
    target = tmp_path / "restored" / "shuniu.sqlite3"
    target.parent.mkdir(parents=True)
    with closing(sqlite3.connect(target)) as db:
        db.execute("CREATE TABLE something (x)")
        db.execute("INSERT INTO something VALUES (1)")
        db.commit()

    with pytest.raises(CommandError, match="不是空的（已有 1 张表），未做任何更改.*--force"):
        restore(archive, f"sqlite:///{target}")
    assert sqlite_counts(target) == {"something": 1} and not Path(settings.MEDIA_ROOT).exists()

    restore(archive, f"sqlite:///{target}", force=True)
    assert sqlite_counts(target) == before


@sqlite_only
def test_a_backup_of_one_vendor_is_refused_by_the_other(world, settings, tmp_path):
    archive = backup(tmp_path)
    elsewhere(settings, tmp_path)
    with pytest.raises(CommandError, match="此备份来自 SQLite 数据库，不能恢复到 PostgreSQL 数据库"):
        restore(archive, "postgres://nobody@127.0.0.1:1/nowhere")  # refused before any connection
    assert not Path(settings.MEDIA_ROOT).exists()


@sqlite_only
def test_a_restore_whose_rows_differ_from_the_manifest_fails(world, settings, tmp_path):
    """The comparison is the drill's proof: an archive whose manifest counts one organization more than its database
    holds (hashes made afresh, so that only the counts disagree) ends in an error naming the table."""
    archive = backup(tmp_path)
    described = manifest(archive)
    described["tables"]["organizations_organization"] += 1
    data = json.dumps(described).encode()
    rewritten = tmp_path / "rewritten.tar"
    with tarfile.open(archive) as source, tarfile.open(rewritten, "w") as target:
        for member in source.getmembers():
            content = source.extractfile(member).read()
            if member.name == "manifest.json":
                content = data
            elif member.name == "manifest.sha256":
                content = f"{hashlib.sha256(data).hexdigest()}  manifest.json\n".encode()
            member.size = len(content)
            target.addfile(member, io.BytesIO(content))
    elsewhere(settings, tmp_path)
    out = io.StringIO()

    with pytest.raises(CommandError, match="有 1 张表的行数与备份不同：organizations_organization"):
        call_command("restore", str(rewritten), database_url=f"sqlite:///{tmp_path / 'restored.sqlite3'}", stdout=out)
    assert re.search(r"organizations_organization\s+5\s+4  ≠", out.getvalue())


@sqlite_only
def test_a_different_key_file_is_kept_unless_forced(key_file, world, settings, tmp_path):
    archive = backup(tmp_path)
    elsewhere(settings, tmp_path)
    other = Path(settings.SHUNIU_PERSONAL_DATA_KEY_FILE)
    other.parent.mkdir(parents=True)
    other.write_text("the-key-of-another-installation-0123456789-abcdef\n")
    target = tmp_path / "restored" / "shuniu.sqlite3"

    with pytest.raises(CommandError, match="已有另一个个人信息密钥文件.*未做任何更改.*再也无法解密"):
        restore(archive, f"sqlite:///{target}")
    assert not target.exists() and other.read_text().startswith("the-key-of-another-installation")

    output = restore(archive, f"sqlite:///{target}", force=True)
    assert other.read_text().strip() == KEY_FILE_SECRET
    (kept,) = other.parent.glob("personal-data.key.replaced-*")
    assert kept.read_text().startswith("the-key-of-another-installation") and "原密钥文件已改名保留" in output


@sqlite_only
def test_an_environment_key_is_not_in_the_archive_and_restore_says_so(world, settings, tmp_path):
    stale = Path(settings.SHUNIU_PERSONAL_DATA_KEY_FILE)  # a key file left from before the key moved to the environment
    stale.parent.mkdir(parents=True, exist_ok=True)
    stale.write_text(KEY_FILE_SECRET + "\n")
    archive = backup(tmp_path)
    stale.unlink()
    described = manifest(archive)
    assert "SHUNIU_PERSONAL_DATA_KEY" in described["personal_data_key"]["settings"]
    assert "personal-data.key" not in described["members"]
    assert settings.SHUNIU_PERSONAL_DATA_KEY.encode() not in archive.read_bytes()
    assert KEY_FILE_SECRET.encode() not in archive.read_bytes()
    elsewhere(settings, tmp_path)

    output = restore(archive, f"sqlite:///{tmp_path / 'restored.sqlite3'}")
    assert "备份中不含密钥" in output and not Path(settings.SHUNIU_PERSONAL_DATA_KEY_FILE).exists()


#
# PostgreSQL
#

postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL backup")


@pytest.fixture
def fresh_database():
    """A new, empty PostgreSQL database beside the test database (URL, psycopg connection factory); dropped after."""
    import psycopg

    params = connection.get_connection_params()
    server = {key: params[key] for key in ("host", "port", "user", "password") if params.get(key)}
    name = f"test_shuniu_restore_{uuid.uuid4().hex[:12]}"
    with closing(psycopg.connect(dbname="postgres", autocommit=True, **server)) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    password = f":{quote(server['password'], safe='')}" if server.get("password") else ""
    where = f"{server.get('host', '')}:{server.get('port', 5432)}"
    url = f"postgres://{quote(server.get('user', ''))}{password}@{where}/{name}"
    try:
        yield url, lambda: psycopg.connect(dbname=name, **server)
    finally:
        with closing(psycopg.connect(dbname="postgres", autocommit=True, **server)) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def postgresql_counts(db) -> dict[str, int]:
    tables = [name for (name,) in db.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")]
    return {table: db.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0] for table in tables}


@postgresql_only
def test_a_postgresql_backup_restores_into_a_fresh_database_with_the_same_rows(
    world, settings, tmp_path, fresh_database
):
    url, connect = fresh_database
    before = live_counts()
    samples = {table: live_rows(table) for table in SAMPLES}
    archive = backup(tmp_path)
    described = manifest(archive)
    assert described["database"]["vendor"] == "postgresql" and "database.dump" in described["members"]
    assert described["tables"] == before
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600

    elsewhere(settings, tmp_path)
    output = restore(archive, url)

    assert "行数一致" in output
    with closing(connect()) as db:
        assert postgresql_counts(db) == before
        for table, rows in samples.items():
            assert [tuple(row) for row in db.execute(f"SELECT {SAMPLES[table]} FROM {table} ORDER BY id")] == rows
        people = decrypted(
            db.execute(f"SELECT {SAMPLES['organizations_organization']} FROM organizations_organization ORDER BY id")
        )
        triggers = {name for (name,) in db.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")}
    assert [person for person in people if person != ("", "")] == PEOPLE
    assert "audit_objectchange_append_only" in triggers  # the audit log's guard came back with it
    assert (Path(settings.MEDIA_ROOT) / MEDIA_FILE).read_bytes() == MEDIA_CONTENT


@postgresql_only
def test_a_damaged_postgresql_archive_or_a_database_that_is_not_empty_is_refused(
    world, settings, tmp_path, fresh_database
):
    url, connect = fresh_database
    archive = backup(tmp_path)
    elsewhere(settings, tmp_path)
    with pytest.raises(CommandError, match="目标数据库 PostgreSQL test_shuniu.* 不是空的"):
        restore(archive, url.rsplit("/", 1)[0] + "/" + connection.settings_dict["NAME"], force=True)

    flip_a_byte(archive, "database.dump")
    with pytest.raises(CommandError, match="备份文件已损坏，未做任何更改：database.dump 与清单中的 SHA-256 不符"):
        restore(archive, url)
    with closing(connect()) as db:
        assert postgresql_counts(db) == {}
    assert not Path(settings.MEDIA_ROOT).exists()
