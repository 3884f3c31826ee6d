"""Imports, step by step: `import_create` stores the file and maps its columns, `import_plan` checks every row
(the dry run: nothing is written), `import_apply` writes the new and updated rows in one transaction.
`import_file` does all three in one call for the CLI and the benchmark.

Policy: the valid rows are applied and the rejected rows come back as a file with the reason beside each. The write
is one transaction: an import that fails or is interrupted changes nothing, and every input row ends as exactly one of
new, updated, unchanged or rejected.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import time
from collections import Counter
from collections.abc import Callable
from contextlib import nullcontext

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shuniu import audit
from shuniu.core import crypto
from shuniu.core.access import is_city_wide
from shuniu.core.importing.base import MAX_EXAMPLES, ImportAborted, ImportDefinition, ImportOutOfScope, Row
from shuniu.core.tabular import TableReadError, read_table
from shuniu.core.workers import current_worker_id
from shuniu.core.writes import OUTSIDE_SCOPE_MESSAGE

from .choices import ImportStatus, RowOutcome
from .models import ImportJob, ImportTemplate
from .registry import definition as definition_class
from .registry import definitions

PROGRESS_EVERY = 0.5  # seconds between progress writes
IMPORT_LOCK = 0x5348_554E  # PostgreSQL advisory lock key held by the import being written ("SHUN")
logger = logging.getLogger(__name__)
IGNORED = ""  # mapping value of a column the user chose to ignore


def definition_for(kind: str, user=None) -> ImportDefinition:
    return definition_class(kind)(user=user)


def stored_file(job: ImportJob) -> bytes:
    """The uploaded file's contents (stored sealed: see `models.sealed_storage`); TableReadError if they cannot be
    unsealed."""
    try:
        with job.file.open("rb") as handle:
            return handle.read()
    except crypto.DecryptionError:
        raise TableReadError(
            _("保存的导入文件无法解密（个人信息密钥与保存时不同，或文件已损坏），请重新上传文件。")
        ) from None


def _read(job: ImportJob, data: bytes | None = None):
    if data is None:
        data = stored_file(job)
    definition = definition_class(job.kind)
    return read_table(
        data,
        job.filename,
        known_headers=definition.known_headers(),
        max_bytes=settings.SHUNIU_IMPORT_MAX_BYTES,
        max_rows=settings.SHUNIU_IMPORT_MAX_ROWS,
    )


def template_matching(kind: str, headers: list[str]) -> ImportTemplate | None:
    """The saved template that maps exactly these headers, if any."""
    for template in ImportTemplate.objects.filter(kind=kind):
        if set(template.mapping) == set(headers):
            return template
    return None


def needs_mapping(job: ImportJob) -> bool:
    definition = definition_class(job.kind)
    return bool(definition.missing_required(job.mapping)) or any(field is None for field in job.mapping.values())


def import_create(
    *, data: bytes, filename: str, kind: str, user=None, source: str = "web", template: ImportTemplate | None = None
) -> tuple[ImportJob, object | None]:
    """Store the uploaded file as a job and map its headers. Returns (job, table); a file that cannot be read gives a
    FAILED job with the reason (the history keeps every attempt) and no table."""
    if kind not in definitions():
        raise ValidationError(_("未知的导入类型「%(kind)s」。") % {"kind": kind})
    job = ImportJob(
        kind=kind,
        user=user,
        source=source,
        filename=filename[-200:],
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        created_at=timezone.now(),
    )
    table = None
    try:
        table = _read(job, data)
    except TableReadError as error:
        job.status, job.error = ImportStatus.FAILED, str(error)
    else:
        job.file_format, job.sheet_name, job.encoding = table.file_format, table.sheet_name or "", table.encoding or ""
        job.header_row, job.headers, job.notes, job.total_rows = (
            table.header_row,
            table.headers,
            table.notes,
            len(table.rows),
        )
        if not table.rows:
            job.status, job.error = ImportStatus.FAILED, _("文件只有表头，没有数据行。")
        template = template or template_matching(kind, table.headers)
        job.template = template
        definition = definition_class(kind)
        if template:
            job.mapping = {header: template.mapping.get(header) for header in table.headers}
        else:
            auto = definition.auto_mapping(table.headers)
            job.mapping = {h: (f or (IGNORED if _ignorable(h) else None)) for h, f in auto.items()}
        if job.status != ImportStatus.FAILED:
            job.status = ImportStatus.MAPPING if needs_mapping(job) else ImportStatus.QUEUED
    job.file.save(filename[-100:], ContentFile(data), save=False)
    job.save()
    return job, table


def _ignorable(header: str) -> bool:
    """Columns offices add that carry no data of ours: row numbers."""
    return header.strip() in {"序号", "编号", "行号", "No.", "NO", "No", "#", "错误原因", _("错误原因")}


def import_set_mapping(*, job: ImportJob, mapping: dict[str, str], save_as: str = "", user=None) -> ImportJob:
    """Record the user's mapping (header → field or "" to ignore); optionally save it as a named template."""
    definition = definition_class(job.kind)
    fields = {column.field for column in definition.columns}
    errors = []
    used: dict[str, str] = {}
    for header, field in mapping.items():
        if field and field not in fields:
            errors.append(_("「%(header)s」对应的字段「%(field)s」不存在。") % {"header": header, "field": field})
        elif field and field in used:
            errors.append(
                _("「%(a)s」和「%(b)s」对应了同一个字段「%(field)s」。")
                % {"a": used[field], "b": header, "field": definition.column(field).label}
            )
        elif field:
            used[field] = header
    missing = definition.missing_required({header: field for header, field in mapping.items() if field})
    if missing:
        errors.append(_("必填的列没有对应：%(columns)s。") % {"columns": "、".join(c.label for c in missing)})
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.status != ImportStatus.MAPPING:
            raise ValidationError(_("这个导入已经在检查或已完成，不能再改列对应。"))
        job.mapping = {header: mapping.get(header, IGNORED) or IGNORED for header in job.headers}
        if save_as:
            job.template, _created = ImportTemplate.objects.update_or_create(
                kind=job.kind, name=save_as[:60], defaults={"mapping": job.mapping, "created_by": user}
            )
        job.status = ImportStatus.QUEUED
        job.save()
    return job


# --- checking and writing ---------------------------------------------------------------------------------------------


class _Progress:
    def __init__(self, job: ImportJob, callback: Callable[[int, int], None] | None):
        self.job, self.callback, self.last = job, callback, 0.0

    def __call__(self, done: int, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.last < PROGRESS_EVERY:
            return
        self.last = now
        ImportJob.objects.filter(pk=self.job.pk).update(processed_rows=done)
        if self.callback:
            self.callback(done, self.job.total_rows)


def _rows(job: ImportJob, table) -> list[Row]:
    columns = [(index, job.mapping.get(header)) for index, header in enumerate(table.headers)]
    fields = [field for _index, field in columns if field]
    numbers = table.row_numbers
    if len(fields) == len(columns):
        return [
            Row(number, dict(zip(fields, cells, strict=True)))
            for number, cells in zip(numbers, table.rows, strict=True)
        ]
    indexes = [index for index, field in columns if field]
    return [
        Row(number, dict(zip(fields, [cells[index] for index in indexes], strict=True)))
        for number, cells in zip(numbers, table.rows, strict=True)
    ]


def _check(job: ImportJob, table, definition: ImportDefinition, progress: _Progress) -> list[Row]:
    rows = _rows(job, table)
    definition.load()
    for done, row in enumerate(rows, start=1):
        definition.normalize(row)
        if done % 1000 == 0:
            progress(done)
    definition.plan(rows)
    definition.refuse_unpermitted(rows)
    _refuse_out_of_scope(definition, rows)
    for row in rows:
        if row.rejected:
            row.outcome, row.changes = RowOutcome.REJECTED, {}
    progress(len(rows), force=True)
    return rows


def _summarize(job: ImportJob, rows: list[Row], definition: ImportDefinition) -> None:
    counts = {outcome.value: 0 for outcome in RowOutcome}
    examples: dict[str, list] = {outcome.value: [] for outcome in RowOutcome}
    mapped = set(job.mapping.values())
    shown = [definition.by_field[name] for name in definition.summary_fields if name in mapped]
    for row in rows:
        counts[row.outcome] += 1
        if len(examples[row.outcome]) < MAX_EXAMPLES:
            examples[row.outcome].append(
                {
                    "row": row.number,
                    "values": [[c.label, _display(row.raw.get(c.field))] for c in shown],
                    "reasons": row.reasons,
                    "notes": [] if row.rejected else row.notes,
                    "changes": [
                        [definition.by_field[name].label, _display(value)] for name, value in row.changes.items()
                    ],
                }
            )
    job.counts, job.examples = counts, examples
    job.notes = [*job.notes, *_misaligned_columns(rows, definition)]
    lines = (  # the reasons of a rejected row, the notes of another (e.g. personal numbers written unseen)
        json.dumps(
            [row.number, row.outcome, row.reasons or row.notes, row.pk], ensure_ascii=False, separators=(",", ":")
        )
        if row.reasons or row.notes
        else f'[{row.number},"{row.outcome}",[],{"null" if row.pk is None else row.pk}]'
        for row in rows
    )
    job.result.save(
        f"{job.pk}-{job.sha256[:12]}.jsonl.gz", ContentFile(gzip.compress("\n".join(lines).encode())), save=False
    )


def _misaligned_columns(rows: list[Row], definition: ImportDefinition) -> list[str]:
    """A column refused in most rows is more likely put under the wrong header than mistyped row by row."""
    if len(rows) < 5:
        return []
    refused: dict[str, list[str]] = {}
    for row in rows:
        for name in set(row.refused):
            label = definition.by_field[name].label
            refused.setdefault(label, []).append(next((r for r in row.reasons if label in r), row.reasons[0]))
    return [
        _(
            "「%(column)s」列有%(count)d行（共%(total)d行）无法识别，例如：%(example)s "
            "这一列可能与别的列错位了：请核对表头与数据是否对应。"
        )
        % {"column": column, "count": len(reasons), "total": len(rows), "example": reasons[0]}
        for column, reasons in refused.items()
        if len(reasons) * 2 > len(rows)
    ]


def _display(value) -> str:
    if value is None:
        return ""
    if isinstance(value, frozenset | set | list | tuple):
        return "、".join(str(v) for v in value)
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10] if hasattr(value, "hour") else value.isoformat()
    return str(value)


def _fail(job: ImportJob, message: str) -> ImportJob:
    job.status, job.error, job.finished_at = ImportStatus.FAILED, message, timezone.now()
    job.save()
    return job


class _TrialWritten(Exception):
    """Rolls back a trial write that stayed within the user's scope."""


def _refuse_out_of_scope(definition: ImportDefinition, rows: list[Row]) -> None:
    """Rows whose record would fall outside the user's scope (a district office's row naming another district, hub
    staff linking for another hub, an update of a record the user may not change) are refused with the reason.

    Where a row's record lands is decided by the same `restrict()` as everywhere: the rows are written on trial,
    checked, and rolled back. Users whose scope is the whole city skip this."""
    user, model = definition.user, definition.model
    if user is None or (is_city_wide(user, model, "add") and is_city_wide(user, model, "change")):
        return
    written = [row for row in rows if row.outcome in (RowOutcome.NEW, RowOutcome.UPDATED) and not row.rejected]
    if not written:
        return
    pks = [row.pk for row in written]
    outside = []
    try:
        with transaction.atomic(), audit.disabled():
            definition.apply(rows)
            raise _TrialWritten
    except ImportOutOfScope as error:
        outside = error.rows
    except (_TrialWritten, DatabaseError, ImportAborted):
        pass  # within scope, or a failure the real write will report
    for row, pk in zip(written, pks, strict=True):
        row.pk = pk
    if outside:
        message = str(OUTSIDE_SCOPE_MESSAGE)  # what the page and the API answer for the same record (`core.writes`)
        for row in outside:
            row.reject(message)


def import_plan(*, job: ImportJob, table=None, progress: Callable[[int, int], None] | None = None) -> ImportJob:
    """The dry run: check every row and record what an import would do. Writes nothing but the job."""
    job.status, job.processed_rows, job.worker_id = ImportStatus.PLANNING, 0, current_worker_id()
    job.save(update_fields=["status", "processed_rows", "worker_id", "updated_at"])
    try:
        table = table or _read(job)
    except TableReadError as error:
        return _fail(job, str(error))
    definition = definition_for(job.kind, job.user)
    try:
        rows = _check(job, table, definition, _Progress(job, progress))
        _summarize(job, rows, definition)
    except Exception as error:  # never leave a job "checking" for ever: the page would poll without end
        logger.exception("import %s: check failed", job.pk)
        return _fail(job, _("检查时出错，没有写入任何数据：%(error)s") % {"error": error})
    job.status, job.planned_at, job.processed_rows = ImportStatus.PLANNED, timezone.now(), len(rows)
    job.save()
    return job


def import_confirm(*, job: ImportJob) -> bool:
    """Mark a checked job as confirmed, once: a second click or a second tab does nothing."""
    return bool(
        ImportJob.objects.filter(pk=job.pk, status=ImportStatus.PLANNED).update(
            status=ImportStatus.QUEUED, confirmed_at=timezone.now()
        )
    )


def import_cancel(*, job: ImportJob) -> bool:
    return bool(
        ImportJob.objects.filter(pk=job.pk, status__in=[ImportStatus.PLANNED, ImportStatus.MAPPING]).update(
            status=ImportStatus.CANCELLED, finished_at=timezone.now()
        )
    )


def import_apply(*, job: ImportJob, progress=None) -> ImportJob:
    """Check the file again against the database as it is now and write the new and updated rows, all in one
    transaction (imports run one at a time). On any failure nothing is written and the job says why."""
    if not ImportJob.objects.filter(pk=job.pk, status=ImportStatus.QUEUED, confirmed_at__isnull=False).update(
        status=ImportStatus.APPLYING, processed_rows=0, worker_id=current_worker_id()
    ):
        return job  # applied or cancelled already: a retried task does nothing
    job.refresh_from_db()
    try:
        table = _read(job)
    except TableReadError as error:
        return _fail(job, str(error))
    return _apply(job, definition_for(job.kind, job.user), table=table, progress=progress)


def _apply(job: ImportJob, definition: ImportDefinition, *, table=None, rows=None, progress=None) -> ImportJob:
    """Check (unless `rows` are already checked) and write, inside one transaction that holds the import lock."""
    try:
        with transaction.atomic(), audit.context(user=job.user) if job.user_id else nullcontext():
            _lock_imports()
            if rows is None:
                rows = _check(job, table, definition, _Progress(job, progress))
            definition.apply(rows)
            _record_import(job, rows)
    except ImportAborted as error:
        return _fail(job, str(error))
    except IntegrityError as error:
        logger.warning("import %s: integrity error %s", job.pk, error)
        return _fail(
            job, _("写入时数据库发现冲突（可能有人同时修改了相同的记录），导入未执行，没有任何数据被改动。请重新导入。")
        )
    except DatabaseError as error:
        return _fail(job, _("数据库出错，导入未执行，没有任何数据被改动：%(error)s") % {"error": error})
    except Exception as error:
        logger.exception("import %s: apply failed", job.pk)
        return _fail(job, _("导入时出错，导入未执行，没有任何数据被改动：%(error)s") % {"error": error})
    _summarize(job, rows, definition)
    job.status, job.finished_at, job.processed_rows = ImportStatus.DONE, timezone.now(), len(rows)
    job.save()
    return job


def _record_import(job: ImportJob, rows: list[Row]) -> None:
    """The import's audit event (its rows are recorded one by one by the definition): the file and the counts."""
    counts = Counter(row.outcome for row in rows)
    audit.record(
        job,
        audit.AuditAction.IMPORT,
        after={
            "kind": job.kind,
            "file": job.filename,
            "sha256": job.sha256,
            "rows": len(rows),
            "counts": {outcome.value: counts.get(outcome.value, 0) for outcome in RowOutcome},
        },
        message=job.filename,
    )


def _lock_imports() -> None:
    """One import writes at a time, so that two files cannot both add the same organization. SQLite has one writer
    anyway (transactions begin IMMEDIATE); PostgreSQL takes a transaction-scoped advisory lock."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK])


def import_file(
    *, data: bytes, filename: str, kind: str, user=None, dry_run: bool = False, progress=None, source: str = "cli"
) -> ImportJob:
    """Create, check and (unless `dry_run`) apply in one call, reading the file once."""
    job, table = import_create(data=data, filename=filename, kind=kind, user=user, source=source)
    if job.status == ImportStatus.FAILED:
        return job
    if job.status == ImportStatus.MAPPING:
        definition = definition_class(kind)
        missing = definition.missing_required({h: f for h, f in job.mapping.items() if f})
        unknown = [header for header, field in job.mapping.items() if field is None]
        if missing:
            return _fail(
                job,
                _("缺少必填的列：%(columns)s。文件的表头是：%(headers)s。")
                % {"columns": "、".join(c.label for c in missing), "headers": "、".join(job.headers)},
            )
        job.notes = [*job.notes, _("以下列无法识别，已忽略：%(headers)s") % {"headers": "、".join(unknown)}]
        job.mapping = {header: field or IGNORED for header, field in job.mapping.items()}
    if dry_run:
        return import_plan(job=job, table=table, progress=progress)
    job.confirmed_at = timezone.now()
    job.status, job.worker_id = ImportStatus.APPLYING, current_worker_id()
    job.save()
    return _apply(job, definition_for(kind, user), table=table, progress=progress)


def import_outcomes(job: ImportJob) -> list[tuple[int, str, list[str], int | None]]:
    """Every row's outcome as recorded: (row number, outcome, reasons (of a rejected row) or notes, record id);
    `crypto.DecryptionError` if the stored result cannot be unsealed."""
    if not job.result:
        return []
    with job.result.open("rb") as handle:
        text = gzip.decompress(handle.read()).decode()
    return [tuple(json.loads(line)) for line in text.splitlines() if line]
