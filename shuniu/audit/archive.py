"""Archives of the audit log: the rows older than a day, exported to a file in which tampering shows, and then (with
`purge`) removed from the database in the same transaction. `shuniu audit archive` and `shuniu audit verify`.

The file is JSON Lines, UTF-8. Line 1 is the header: the format, the day before which rows were taken, their count,
the first and last row's time and the chain's start (`previous_hash`: the last hash of the archive before it, or 64
zeros). Each following line is one row with every column of `audit_objectchange` by name, in (time, id) order. Every
line, the header too, carries `hash` = SHA-256 (hex) of the previous line's hash followed by the line's canonical JSON
without `hash` (keys sorted, no spaces, UTF-8). A changed field, a removed, inserted or reordered line breaks the
chain at that line; a line removed at the end leaves fewer rows than the header's count.

Why SHA-256 and not an HMAC: the archive is evidence, to be checked by whoever holds it (an assessor, a court)
without a secret of ours, and a key kept on the same server as the archives would protect little against whoever
controls that server. What a plain hash chain cannot stop (the whole chain computed afresh over altered rows) is
stopped by anchoring its ends elsewhere: each archive writes an 归档审计日志 event into the audit log itself, which
the database protects, with the file's SHA-256, its header hash and its last hash; and the next archive starts its
chain from this one's last hash (`previous`), so the archives and the log form one chain. `archive_verify` compares a
file with its event when the database still holds it.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from datetime import time as clock
from itertools import chain
from pathlib import Path

from django.db import DatabaseError, connection, transaction
from django.db.models import Count, Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from . import protection
from .choices import AuditAction
from .context import context
from .models import ObjectChange
from .retention import latest_archivable_day, retention_days
from .services import record

FORMAT = "shuniu-audit-archive"
VERSION = 1
ALGORITHM = "sha256"
CHAIN_START = "0" * 64
COLUMNS = tuple(field.attname for field in ObjectChange._meta.concrete_fields)
CHUNK = 2000


class ArchiveError(Exception):
    """An archive that cannot be written, or a file that does not verify; the message says why, in Chinese."""


@dataclass(frozen=True)
class Archive:
    path: Path
    rows: int
    purged: int
    header_hash: str
    last_hash: str
    file_sha256: str


@dataclass(frozen=True)
class Verified:
    rows: int
    header: dict
    last_hash: str
    event: ObjectChange | None  # the 归档审计日志 event that recorded this file, when the database holds it


def canonical(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def chain_hash(previous_hash: str, record: dict) -> str:
    """The line's hash: SHA-256 over the previous line's hash and the line's canonical JSON (without `hash`)."""
    return hashlib.sha256((previous_hash + canonical(record)).encode("utf-8")).hexdigest()


def _line(previous_hash: str, record: dict) -> tuple[str, bytes]:
    digest = chain_hash(previous_hash, record)
    return digest, (canonical({**record, "hash": digest}) + "\n").encode("utf-8")


def _plain(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, clock.min))


#
# Writing
#


def archive_create(*, before: date, path: Path, previous: Path | None = None, purge: bool = False) -> Archive | None:
    """Export the audit rows older than `before` (local time) to a new file at `path`, chained on from the archive
    `previous`; with `purge`, delete exactly those rows once the file is on disk. One transaction: the file, the
    deletion and the 归档审计日志 event that records them all happen, or none (the file is removed again).

    `before` must lie at least the retention in the past (ArchiveError otherwise). None when no row is older.
    """
    latest = latest_archivable_day()
    if before > latest:
        raise ArchiveError(
            _("--before 最晚为 %(latest)s：审计日志至少保留 %(days)s 天（SHUNIU_AUDIT_RETENTION_DAYS）。")
            % {"latest": latest.isoformat(), "days": retention_days()}
        )
    previous = Path(previous) if previous is not None else None
    previous_hash = archive_verify(previous).last_hash if previous is not None else CHAIN_START
    path = Path(path)
    rows = ObjectChange.objects.filter(time__lt=_start_of(before))
    created = False
    try:
        with transaction.atomic():
            summary = rows.aggregate(count=Count("pk"), first=Min("time"), last=Max("time"))
            if not summary["count"]:
                return None
            header = {
                "format": FORMAT,
                "version": VERSION,
                "algorithm": ALGORITHM,
                "table": ObjectChange._meta.db_table,
                "before": before.isoformat(),
                "time_zone": timezone.get_current_timezone_name(),
                "rows": summary["count"],
                "first_time": _plain(summary["first"]),
                "last_time": _plain(summary["last"]),
                "previous_hash": previous_hash,
                "previous_file": previous.name if previous is not None else None,
                "created_at": _plain(timezone.now()),
            }
            with _new_file(path) as file:
                created = True
                written = _write(file, header, rows.order_by("time", "pk").values_list(*COLUMNS))
                file.flush()
                os.fsync(file.fileno())
            _fsync_directory(path.parent)
            archive = Archive(
                path=path,
                rows=len(written.ids),
                purged=_purge(written.ids) if purge else 0,
                header_hash=written.header_hash,
                last_hash=written.last_hash,
                file_sha256=written.file_sha256,
            )
            _record(archive, header)
    except BaseException:  # the transaction rolled back (or never committed): no file either
        if created:
            path.unlink(missing_ok=True)
        raise
    return archive


@dataclass(frozen=True)
class _Written:
    ids: list[int]
    header_hash: str
    last_hash: str
    file_sha256: str


def _write(file, header: dict, rows) -> _Written:
    file_hash = hashlib.sha256()
    header_hash, data = _line(header["previous_hash"], header)
    file.write(data)
    file_hash.update(data)
    last_hash, ids = header_hash, []
    id_index = COLUMNS.index("id")
    for values in rows.iterator(chunk_size=CHUNK):
        last_hash, data = _line(last_hash, {name: _plain(value) for name, value in zip(COLUMNS, values, strict=True)})
        file.write(data)
        file_hash.update(data)
        ids.append(values[id_index])
    if len(ids) != header["rows"]:  # rows came or went while the file was written
        raise ArchiveError(_("归档期间审计记录数发生变化，请重试。"))
    return _Written(ids=ids, header_hash=header_hash, last_hash=last_hash, file_sha256=file_hash.hexdigest())


def _new_file(path: Path):
    """A new file readable by its owner only (the rows hold the values before and after each change)."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise ArchiveError(_("文件 %(path)s 已存在，不会覆盖。") % {"path": path}) from None
    except OSError as error:
        raise ArchiveError(_("无法创建文件 %(path)s：%(error)s") % {"path": path, "error": error.strerror}) from None
    return os.fdopen(descriptor, "wb")


def _fsync_directory(directory: Path) -> None:
    """The new file's name on disk too, before rows it holds are deleted."""
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _purge(ids: list[int]) -> int:
    """Delete the archived rows, and only them, through the triggers' permit (rows older than the retention)."""
    deleted = 0
    table = ObjectChange._meta.db_table
    with protection.purge_permitted(connection, retention_days=retention_days()), connection.cursor() as cursor:
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            try:
                cursor.execute(f"DELETE FROM {table} WHERE id IN ({', '.join(['%s'] * len(chunk))})", chunk)
            except DatabaseError as error:  # the application's role: no DELETE on the log
                raise ArchiveError(
                    _("数据库拒绝删除审计记录（%(error)s）：--purge 须以数据库所有者的角色运行。")
                    % {"error": str(error).splitlines()[0]}
                ) from None
            deleted += cursor.rowcount
    if deleted != len(ids):
        raise ArchiveError(
            _("应删除 %(expected)s 条审计记录，实际 %(deleted)s 条，已撤销。")
            % {
                "expected": len(ids),
                "deleted": deleted,
            }
        )
    return deleted


def _record(archive: Archive, header: dict) -> None:
    with context(user=None, message="shuniu audit archive"):
        record(
            ObjectChange,
            AuditAction.ARCHIVE,
            after={
                "before": header["before"],
                "rows": archive.rows,
                "purged": archive.purged,
                "file": archive.path.name,
                "file_sha256": archive.file_sha256,
                "header_hash": archive.header_hash,
                "last_hash": archive.last_hash,
                "previous_hash": header["previous_hash"],
            },
            message=_("归档审计日志：早于 %(before)s 的 %(rows)s 条记录，从数据库删除 %(purged)s 条")
            % {"before": header["before"], "rows": archive.rows, "purged": archive.purged},
        )


#
# Verifying
#


def _records(path: Path) -> Iterator[tuple[int, dict]]:
    """(line number, parsed line) for each line; ArchiveError naming the first line that is not a JSON object."""
    with Path(path).open("rb") as file:
        for number, raw in enumerate(file, start=1):
            try:
                parsed = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                raise ArchiveError(_("第 %(line)s 行不是有效的 JSON。") % {"line": number}) from None
            if not isinstance(parsed, dict) or not isinstance(parsed.get("hash"), str):
                raise ArchiveError(_("第 %(line)s 行缺少哈希。") % {"line": number})
            yield number, parsed


def archive_verify(path: Path, *, previous: Path | None = None) -> Verified:
    """Recompute the chain of the archive at `path`. ArchiveError names the first line that breaks it (changed,
    removed, inserted or moved), a count that differs from the header's, a start that is not `previous`'s end, or a
    file that differs from what its 归档审计日志 event recorded."""
    path = Path(path)
    if not path.is_file():
        raise ArchiveError(_("找不到文件 %(path)s。") % {"path": path})
    lines = _records(path)
    try:
        _number, header = next(lines)
    except StopIteration:
        raise ArchiveError(_("文件为空。")) from None
    if header.get("format") != FORMAT or header.get("version") != VERSION or header.get("algorithm") != ALGORITHM:
        raise ArchiveError(_("第 1 行不是枢纽审计归档的文件头。"))
    last_hash = header.get("previous_hash", "")
    rows = -1
    for number, line in chain([(1, header)], lines):
        claimed = line.pop("hash")
        last_hash = chain_hash(last_hash, line)
        if claimed != last_hash:
            raise ArchiveError(
                _("第 %(line)s 行的哈希不符：这一行被改动，或它前面的行被删除、插入或调换。") % {"line": number}
            )
        rows += 1
    if rows != header.get("rows"):
        raise ArchiveError(
            _("文件头记载 %(expected)s 条记录，文件中有 %(rows)s 条：末尾的行被删除或追加。")
            % {"expected": header.get("rows"), "rows": rows}
        )
    if previous is not None:
        expected_start = archive_verify(previous).last_hash
        if header["previous_hash"] != expected_start:
            raise ArchiveError(_("这个归档不是接续 %(previous)s 的。") % {"previous": Path(previous).name})
    file_sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    try:  # an assessor may verify a copy away from the database
        events = ObjectChange.objects.filter(action=AuditAction.ARCHIVE)
        event = events.filter(after__file_sha256=file_sha256).first()
        recorded = event is not None or events.exists()
    except DatabaseError:
        event, recorded = None, False
    if event is None and recorded:
        # a chain recomputed over changed rows (or a changed header) is consistent in itself: what gives it away is
        # that the log, which nobody can change, recorded every archive it made, and none of them was this file
        raise ArchiveError(_("审计日志中没有与该文件一致的归档记录：文件在归档后被改动或重新生成。"))
    return Verified(rows=rows, header=header, last_hash=last_hash, event=event)
