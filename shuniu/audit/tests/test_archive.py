"""`shuniu audit archive` exports the rows older than a day to a hash-chained file and, with --purge, deletes exactly
those rows; `shuniu audit verify` finds any change, removal, insertion or reordering of the file's lines."""

import hashlib
import io
import json
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from shuniu.audit import archive
from shuniu.audit.choices import AuditAction
from shuniu.audit.models import ObjectChange

from .rows import audit_row

pytestmark = pytest.mark.django_db


def days_ago(days: int) -> str:
    return (timezone.localdate() - timedelta(days=days)).isoformat()


def run(*args) -> str:
    out = io.StringIO()
    call_command("audit", *map(str, args), stdout=out)
    return out.getvalue()


def read(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def rewrite(path, lines: list[dict]) -> None:
    path.write_text("".join(archive.canonical(line) + "\n" for line in lines), encoding="utf-8")


@pytest.fixture
def rows():
    """Rows of several ages, created out of time order (the archive orders them by time)."""
    return {
        "old": audit_row(400),
        "oldest": audit_row(500, name="最早的协会"),
        "middle": audit_row(200),
        "recent": audit_row(185),  # older than the retention, but not before the archive's day
        "young": audit_row(10),
    }


@pytest.fixture
def archived(rows, tmp_path):
    path = tmp_path / "archive.jsonl"
    run("archive", "--before", days_ago(190), "--output", path)
    return path


#
# Archive
#


def test_a_day_within_the_retention_is_refused(rows, tmp_path, settings):
    path = tmp_path / "archive.jsonl"
    with pytest.raises(CommandError, match=f"--before 最晚为 {days_ago(180)}"):
        run("archive", "--before", days_ago(179), "--output", path, "--purge")
    settings.SHUNIU_AUDIT_RETENTION_DAYS = 365
    with pytest.raises(CommandError, match="至少保留 365 天"):
        run("archive", "--before", days_ago(190), "--output", path, "--purge")
    with pytest.raises(CommandError, match="日期「2025/01/01」无效"):
        run("archive", "--before", "2025/01/01", "--output", path)
    assert not path.exists()
    assert ObjectChange.objects.count() == len(rows)


def test_the_archive_holds_every_column_in_time_order_chained(archived, rows):
    header, *lines = read(archived)
    assert header["format"] == "shuniu-audit-archive" and header["algorithm"] == "sha256"
    assert header["rows"] == 3 and header["before"] == days_ago(190)
    assert header["previous_hash"] == "0" * 64 and header["previous_file"] is None
    assert [line["id"] for line in lines] == [rows["oldest"].pk, rows["old"].pk, rows["middle"].pk]
    columns = {field.attname for field in ObjectChange._meta.concrete_fields}
    assert set(lines[0]) == columns | {"hash"}
    oldest = rows["oldest"]
    assert lines[0]["object_repr"] == "最早的协会" and lines[0]["after"] == oldest.after
    assert lines[0]["request_id"] == str(oldest.request_id) and lines[0]["time"] == oldest.time.isoformat()
    previous = header["hash"]
    for line in lines:
        claimed = line.pop("hash")
        digest = hashlib.sha256((previous + archive.canonical(line)).encode()).hexdigest()
        assert claimed == digest
        previous = digest
    assert ObjectChange.objects.filter(pk__in=[row.pk for row in rows.values()]).count() == 5  # nothing purged


def test_the_archive_records_itself_in_the_log(archived):
    event = ObjectChange.objects.get(action=AuditAction.ARCHIVE)
    assert event.get_action_display() == "归档审计日志" and event.user_name == "系统"
    assert event.after["rows"] == 3 and event.after["purged"] == 0 and event.after["file"] == "archive.jsonl"
    assert event.after["file_sha256"] == hashlib.sha256(archived.read_bytes()).hexdigest()
    assert event.after["last_hash"] == read(archived)[-1]["hash"]


def test_purge_deletes_exactly_the_archived_rows(rows, tmp_path):
    path = tmp_path / "archive.jsonl"
    output = run("archive", "--before", days_ago(190), "--output", path, "--purge")
    assert "已归档 3 条审计记录" in output and "删除 3 条" in output
    remaining = set(ObjectChange.objects.exclude(action=AuditAction.ARCHIVE).values_list("pk", flat=True))
    assert remaining == {rows["recent"].pk, rows["young"].pk}
    assert ObjectChange.objects.get(action=AuditAction.ARCHIVE).after["purged"] == 3
    assert "OK：3 条记录" in run("verify", path)


def test_nothing_to_archive_writes_no_file(tmp_path):
    audit_row(10)
    path = tmp_path / "archive.jsonl"
    assert "没有早于" in run("archive", "--before", days_ago(190), "--output", path, "--purge")
    assert not path.exists() and not ObjectChange.objects.filter(action=AuditAction.ARCHIVE).exists()


def test_an_existing_file_is_not_overwritten(rows, tmp_path):
    path = tmp_path / "archive.jsonl"
    path.write_text("keep")
    with pytest.raises(CommandError, match="已存在"):
        run("archive", "--before", days_ago(190), "--output", path, "--purge")
    assert path.read_text() == "keep" and ObjectChange.objects.count() == len(rows)


def test_the_file_is_for_its_owner_only(archived, rows, tmp_path):
    assert archived.stat().st_mode & 0o777 == 0o600
    with pytest.raises(CommandError, match="无法创建文件"):
        run("archive", "--before", days_ago(190), "--output", tmp_path / "missing" / "archive.jsonl", "--purge")
    assert ObjectChange.objects.filter(pk=rows["old"].pk).exists()


def test_a_failed_archive_deletes_nothing_and_leaves_no_file(rows, tmp_path, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("the audit event could not be written")

    monkeypatch.setattr(archive, "_record", fail)  # fails after the file is written and the rows deleted
    path = tmp_path / "archive.jsonl"
    with pytest.raises(RuntimeError):
        run("archive", "--before", days_ago(190), "--output", path, "--purge")
    assert not path.exists()
    assert ObjectChange.objects.count() == len(rows)


def test_successive_archives_chain_on(rows, tmp_path):
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    run("archive", "--before", days_ago(300), "--output", first, "--purge")
    run("archive", "--before", days_ago(180), "--output", second, "--previous", first, "--purge")
    header = read(second)[0]
    assert header["previous_hash"] == read(first)[-1]["hash"] and header["previous_file"] == "first.jsonl"
    assert [line["id"] for line in read(second)[1:]] == [rows["middle"].pk, rows["recent"].pk]
    assert "OK：2 条记录" in run("verify", second, "--previous", first)
    with pytest.raises(CommandError, match="不是接续 second.jsonl"):
        run("verify", first, "--previous", second)


#
# Verify
#


def test_verify_accepts_an_untouched_file(archived):
    output = run("verify", archived)
    assert "OK：3 条记录" in output and read(archived)[-1]["hash"] in output
    assert "与审计日志中的归档记录一致" in output


def test_verify_names_a_changed_field(archived):
    lines = read(archived)
    lines[2]["after"]["name"] = "改过的名称"
    rewrite(archived, lines)
    with pytest.raises(CommandError, match="第 3 行的哈希不符"):
        run("verify", archived)


def test_verify_names_a_removed_line(archived):
    lines = read(archived)
    del lines[2]
    rewrite(archived, lines)
    with pytest.raises(CommandError, match="第 3 行的哈希不符"):
        run("verify", archived)


def test_verify_finds_the_last_line_removed(archived):
    rewrite(archived, read(archived)[:-1])
    with pytest.raises(CommandError, match="文件头记载 3 条记录，文件中有 2 条"):
        run("verify", archived)


def test_verify_names_a_swapped_pair(archived):
    lines = read(archived)
    lines[1], lines[2] = lines[2], lines[1]
    rewrite(archived, lines)
    with pytest.raises(CommandError, match="第 2 行的哈希不符"):
        run("verify", archived)


def test_verify_names_an_inserted_line(archived):
    lines = read(archived)
    lines.insert(2, dict(lines[1]))
    rewrite(archived, lines)
    with pytest.raises(CommandError, match="第 3 行的哈希不符"):
        run("verify", archived)


def test_verify_finds_a_chain_computed_afresh_against_the_log(archived):
    """Whoever alters a row and recomputes every hash gets a consistent file, but not the one the log recorded."""
    header, *lines = read(archived)
    lines[0]["user_name"] = "别人"
    previous = header["hash"]
    for line in lines:
        line.pop("hash")
        line["hash"] = previous = archive.chain_hash(previous, line)
    rewrite(archived, [header, *lines])
    with pytest.raises(CommandError, match="审计日志中没有与该文件一致的归档记录"):
        run("verify", archived)


def test_verify_finds_a_chain_computed_afresh_with_a_changed_header(archived):
    """Changing a header field as well leaves nothing in the file that points at the log's record of it."""
    header, *lines = read(archived)
    header.pop("hash")
    header["created_at"] = "2020-01-01T00:00:00+08:00"
    lines[0]["user_name"] = "别人"
    header["hash"] = previous = archive.chain_hash(header["previous_hash"], header)
    for line in lines:
        line.pop("hash")
        line["hash"] = previous = archive.chain_hash(previous, line)
    rewrite(archived, [header, *lines])
    with pytest.raises(CommandError, match="审计日志中没有与该文件一致的归档记录"):
        run("verify", archived)


def test_verify_refuses_what_is_not_an_archive(tmp_path):
    path = tmp_path / "other.jsonl"
    path.write_text('{"hash": "x", "format": "something else"}\n')
    with pytest.raises(CommandError, match="第 1 行不是枢纽审计归档的文件头"):
        run("verify", path)
    path.write_text("not json\n")
    with pytest.raises(CommandError, match="第 1 行不是有效的 JSON"):
        run("verify", path)
    with pytest.raises(CommandError, match="找不到文件"):
        run("verify", tmp_path / "missing.jsonl")
