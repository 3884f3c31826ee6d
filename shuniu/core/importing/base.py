"""What an import is made of: the columns of a kind (one definition serves header matching, the template file and the
checks), the rows as they pass through, and the steps every kind implements.

A kind of import is declared by the app whose records it writes (`<app>/imports.py`, listed in its `module.py` under
`Module.imports`); the `imports` app collects the declarations and runs them (upload, mapping, check, confirm, apply).

A run is: `normalize` each row (values as offices write them → clean values, with a reason per refused cell), `plan`
the whole file at once (duplicates inside the file, matching existing records, new / updated / unchanged), and, once
the user confirms, `apply` the new and updated rows in one transaction.

A definition reuses the model's rules instead of restating them: its columns take their labels, lengths and choices
from the model's fields (`Column.of`), its rows are checked by the same functions the model's `clean()` calls (the
form and the API reach them through `full_clean`), and `apply` is this class's: the definition's `write` stores the
rows, then the audit rows are recorded, the scope is checked again and the derived figures are marked stale — a
definition cannot leave one out.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from shuniu.core import journal
from shuniu.core.access import is_city_wide, user_can
from shuniu.core.indicators import records_changed
from shuniu.core.writes import outside_scope

from .normalize import NormalizeError, text

MAX_EXAMPLES = 5
WRITE_CHUNK = 2000  # records per INSERT of the default `write`
MEMO_SIZE = 5000  # distinct values remembered per column
SCOPE_CHUNK = 2000  # records per scope look-up
_UNSEEN = object()


class RowOutcome(models.TextChoices):
    NEW = "new", pgettext_lazy("import outcome", "新增")
    UPDATED = "updated", pgettext_lazy("import outcome", "更新")
    UNCHANGED = "unchanged", pgettext_lazy("import outcome", "无变化")
    REJECTED = "rejected", pgettext_lazy("import outcome", "拒绝")


class ImportAborted(Exception):
    """The whole import stops and nothing is written; str() is the message for the user."""


class ImportOutOfScope(ImportAborted):
    """Written records fell outside the user's scope; `rows` are the rows that wrote them."""

    def __init__(self, rows):
        super().__init__(_("有%(count)d行超出了您的权限范围，导入未执行。") % {"count": len(rows)})
        self.rows = rows


def header_key(header: str) -> str:
    """How headers are compared: NFKC, no whitespace, no required-marks (*), case-insensitive."""
    folded = unicodedata.normalize("NFKC", str(header or ""))
    return "".join(folded.split()).replace("*", "").lower()


@dataclass(frozen=True)
class Column:
    field: str  # the English field name, also accepted as a header
    label: str  # the Chinese header offices use, and the template's header
    aliases: tuple[str, ...] = ()
    required: bool = False
    help: str = ""
    example: str = ""
    max_length: int | None = None
    #: False: accepted when a file has it, left out of the template (an event date the definition converts)
    in_template: bool = True
    #: the labels the template's drop-down list offers (a field's choices)
    choices: tuple[str, ...] = ()

    def headers(self) -> Iterable[str]:
        return (self.label, self.field, *self.aliases)

    @classmethod
    def of(cls, model, name: str, *, label: str | None = None, field: str | None = None, **options) -> Column:
        """The column of `model`'s field `name`: its header is the field's verbose name (`label` where offices' header
        differs), its maximum length and its choices (for the template's drop-down list) are the field's, and it is
        required when the field is. `field` names the column when it differs from the model field's name."""
        model_field = model._meta.get_field(name)
        options.setdefault("max_length", getattr(model_field, "max_length", None) if _is_text(model_field) else None)
        options.setdefault("required", not (model_field.blank or model_field.has_default()))
        if getattr(model_field, "choices", None) and "choices" not in options:
            options["choices"] = tuple(str(choice_label) for _value, choice_label in model_field.flatchoices)
        return cls(field or name, str(label or model_field.verbose_name), **options)


def _has_field(model, name: str) -> bool:
    try:
        model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True


def _is_text(model_field) -> bool:
    return isinstance(model_field, models.CharField | models.TextField) and not model_field.choices


@dataclass(slots=True)
class Row:
    number: int  # the row number the user sees in the spreadsheet
    raw: dict[str, Any]  # field → cell as read
    data: dict[str, Any] = field(default_factory=dict)  # field → clean value (only cells that were filled)
    reasons: list[str] = field(default_factory=list)
    outcome: str = ""
    pk: int | None = None  # the record created, updated or matched
    changes: dict[str, Any] = field(default_factory=dict)  # for updated rows: field → new value
    before: dict[str, Any] = field(default_factory=dict)  # for updated rows: field → stored value (the audit log's)
    key: Any = None  # the identity inside the file (USCC, name + district, …)
    missing: list[str] = field(default_factory=list)  # labels of required columns left empty
    refused: list[str] = field(default_factory=list)  # fields whose cells were refused
    stale_since: date | None = None  # the earliest day whose coverage figures the row's write can change
    notes: list[str] = field(default_factory=list)  # what the user should know of a row that is not rejected

    def reject(self, message: str, field: str | None = None) -> None:
        """Refuse the row; `field` names the column at fault when there is one."""
        self.reasons.append(message)
        if field:
            self.refused.append(field)

    @property
    def rejected(self) -> bool:
        return bool(self.reasons)


class ImportDefinition:
    """One kind of import. Subclasses declare `kind` (the key users choose, e.g. "organizations"), `label` (what the
    upload page calls it), `model`, `columns`, and implement `normalize`'s row checks (`validate_row`), `plan` and
    `write`. `apply` is not theirs to override: it writes through `write` and then does what every write must."""

    kind: ClassVar[str]
    label: ClassVar[Any]  # a lazy translation
    model: ClassVar[type]
    columns: ClassVar[list[Column]]
    #: True: a row that updates a stored record may leave required cells empty (checked only for new rows)
    updates_may_omit_required: ClassVar[bool] = False
    #: the columns that name a row in the preview's examples
    summary_fields: ClassVar[tuple[str, ...]] = ()
    parsers: dict[str, Callable[[Any], Any]]  # field → cleaning function (default: text)
    by_field: dict[str, Column]

    def __init__(self, *, user=None):
        self.user = user

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "apply" in cls.__dict__:
            raise TypeError(
                f"{cls.__name__} overrides apply(): implement write(new, updated) instead, so that the audit rows, "
                "the scope re-check and the stale figures are never left out"
            )

    # --- columns --------------------------------------------------------------------------------------------------

    @classmethod
    def column(cls, name: str) -> Column:
        return next(column for column in cls.columns if column.field == name)

    @classmethod
    def header_index(cls) -> dict[str, str]:
        """Every accepted header (folded) → field."""
        index = {}
        for column in cls.columns:
            for header in column.headers():
                index.setdefault(header_key(header), column.field)
        return index

    @classmethod
    def known_headers(cls) -> list[str]:
        return [header for column in cls.columns for header in column.headers()]

    @classmethod
    def auto_mapping(cls, headers: list[str]) -> dict[str, str]:
        """File header → field for every header the definition recognises ("" for the rest); first one wins."""
        index, used, mapping = cls.header_index(), set(), {}
        for header in headers:
            field_name = index.get(header_key(header), "")
            if field_name in used:
                field_name = ""
            used.add(field_name)
            mapping[header] = field_name
        return mapping

    #: with `updates_may_omit_required`: any one of these sets of columns identifies a stored record
    identifying_columns: ClassVar[tuple[tuple[str, ...], ...]] = ()

    @classmethod
    def dropdowns(cls) -> dict[str, list[str]]:
        """Field → the values the template's drop-down list offers: a field's choices; a kind adds reference rows
        (systems) by overriding."""
        return {column.field: list(column.choices) for column in cls.columns if column.choices}

    @classmethod
    def missing_required(cls, mapping: dict[str, str]) -> list[Column]:
        """The columns a file must have. Where updates may leave required cells empty, a file that identifies
        records (e.g. codes and statuses only) is enough; its new rows are then refused row by row."""
        mapped = set(mapping.values())
        if cls.updates_may_omit_required and any(mapped.issuperset(fields) for fields in cls.identifying_columns):
            return []
        return [column for column in cls.columns if column.required and column.field not in mapped]

    # --- the three steps ------------------------------------------------------------------------------------------

    @classmethod
    def personal_fields(cls) -> tuple[str, ...]:
        """The columns of personal numbers: the model's `PERSONAL_FIELDS` that this kind imports."""
        personal = getattr(cls.model, "PERSONAL_FIELDS", ())
        return tuple(column.field for column in cls.columns if column.field in personal)

    def load(self) -> None:
        """Read what the checks need from the database (areas, fields, …) once per run."""
        self.parsers = {}
        self.by_field = {column.field: column for column in self.columns}
        self._required = [column for column in self.columns if column.required]
        self._cells = None
        self._personal = self.personal_fields()
        # the records whose personal numbers the user may compare (None: all); `load_unmaskable` adds the matched ones
        everything = self.user is None or not self._personal or is_city_wide(self.user, self.model, "unmask")
        self._unmaskable: set[int] | None = None if everything else set()

    def normalize(self, row: Row) -> None:
        """Clean every mapped cell; a refused cell adds a reason naming its column."""
        if self._cells is None:  # the parsers are complete once the subclass's load() has run
            self._cells = {
                column.field: (self.parsers.get(column.field, text), column.label, column.max_length)
                for column in self.columns
            }
            self._memo = {name: {} for name in self._cells}
        cells, memos, data = self._cells, self._memo, row.data
        for field_name, value in row.raw.items():
            if value is None:  # an empty cell (the reader gives None for blank ones): nothing to set or refuse
                continue
            parse, label, max_length = cells[field_name]
            memo = memos[field_name]
            key = value if value.__class__ is str else (value.__class__, value)  # 1 == 1.0 == True, parsed apart
            clean = memo.get(key, _UNSEEN)
            if clean is _UNSEEN:  # offices repeat kinds, districts, dates and fields: each is parsed once
                try:
                    clean = parse(value)
                except NormalizeError as error:
                    clean = error
                if len(memo) < MEMO_SIZE:
                    memo[key] = clean
            if isinstance(clean, NormalizeError):
                row.reject(_("「%(column)s」%(message)s") % {"column": label, "message": clean}, field_name)
                continue
            if clean is None or clean == "" or (type(clean) is frozenset and not clean):
                continue
            if max_length and type(clean) is str and len(clean) > max_length:
                row.reject(
                    _("「%(column)s」超过%(max)d个字（实际%(length)d个）。")
                    % {"column": label, "max": max_length, "length": len(clean)},
                    field_name,
                )
                continue
            data[field_name] = clean
        for column in self._required:
            if column.field not in data and column.field not in row.refused:
                row.missing.append(column.label)
        if not self.updates_may_omit_required:
            self.reject_missing(row)
        self.validate_row(row)

    def column_message(self, name: str, message) -> str:
        """A message of the model's rules about field `name`, as the import shows it: after the column's header (the
        form shows it under the field, the API under the field's name), unless it names the field already."""
        message = str(message)
        column = self.by_field.get(name)
        if column is None:
            return message
        try:
            verbose = str(self.model._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:  # a column that is no model field (an event date, a reason)
            verbose = column.label
        if message.startswith((column.label, verbose, "「")):
            return message
        return _("「%(column)s」%(message)s") % {"column": column.label, "message": message}

    def reject_by_rules(self, row: Row, errors, *, mark: bool = False) -> None:
        """Refuse `row` with the messages of the model's own rules (field → messages, as `clean()` raises them in a
        ValidationError); `mark` counts the columns as refused (for the misaligned-column hint)."""
        for name, messages in errors.items():
            for message in messages:
                row.reject(self.column_message(name, message), name if mark and name in self.by_field else None)

    @staticmethod
    def reject_missing(row: Row) -> None:
        for label in row.missing:
            message = _("「%(column)s」必填，不能为空。") % {"column": label}
            if message not in row.reasons:
                row.reject(message)

    def validate_row(self, row: Row) -> None:
        """Checks across the cells of one row; runs also when a cell was refused (check what is in `row.data`)."""

    def plan(self, rows: list[Row]) -> None:
        """Decide every row's outcome: rejected, new, updated or unchanged."""
        raise NotImplementedError

    def apply(self, rows: list[Row]) -> None:
        """Write the new and updated rows (the caller holds the transaction), then, always: one audit row per record
        written, the scope re-check of every record written (`ImportOutOfScope` rolls the whole import back), and the
        derived figures marked stale from the earliest day a row can change (`core.indicators.records_changed`)."""
        new = [row for row in rows if row.outcome == RowOutcome.NEW]
        updated = [row for row in rows if row.outcome == RowOutcome.UPDATED]
        self.write(new, updated)
        self.record_changes(new, updated)
        self.recheck_scope(self.model, new, updated)
        self.mark_stale(new + updated)

    def write(self, new: list[Row], updated: list[Row]) -> None:
        """Store the new rows (setting each `row.pk`) and the changes of the updated ones, in bulk: bulk writes send
        no model signals, which is why `apply` does the rest.

        The default serves a kind whose clean row values are the model's own field values (a foreign key as its
        record or its id): one `bulk_create` for the new rows, one UPDATE per updated row. A kind with many-to-many
        fields or a faster path (COPY) writes its own."""
        objects = [self.model(**self.field_values(row.data)) for row in new]
        self.model.objects.bulk_create(objects, batch_size=WRITE_CHUNK)
        for row, record in zip(new, objects, strict=True):
            row.pk = record.pk
        stamp = {"updated_at": timezone.now()} if _has_field(self.model, "updated_at") else {}
        for row in updated:
            self.model.objects.filter(pk=row.pk).update(**self.field_values(row.changes), **stamp)

    def field_values(self, values: dict[str, Any]) -> dict[str, Any]:
        """The model's field values among a row's clean values (a foreign key given by its id set as `<name>_id`)."""
        found = {}
        for name, value in values.items():
            if not _has_field(self.model, name):
                continue
            model_field = self.model._meta.get_field(name)
            if model_field.many_to_many:
                continue
            if model_field.is_relation and not isinstance(value, models.Model):
                found[model_field.attname] = value
            else:
                found[name] = value
        return found

    def clean_row(self, row: Row, values: dict[str, Any], *, exclude: Iterable[str] = ()) -> None:
        """Check the record a row would write (`values`: its field values, the stored ones merged in for an update)
        with the model's own `full_clean()` — the checks the form and the API run — and refuse the row with their
        messages, each after its column's header. Unique fields and constraints against other records are left to
        `plan`, which sees the whole file, and so are the foreign keys the row resolved (no query per row)."""
        record = self.model(**self.field_values(values))
        resolved = [
            name for name in values if _has_field(self.model, name) and self.model._meta.get_field(name).is_relation
        ]
        try:
            record.full_clean(exclude=[*exclude, *resolved], validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            self.reject_by_rules(row, error.message_dict)

    def refuse_unpermitted(self, rows: list[Row]) -> None:
        """Planned rows the user may not write are refused now, not when the whole import would be aborted."""
        if self.user is None:
            return
        for outcome, action in ((RowOutcome.NEW, "add"), (RowOutcome.UPDATED, "change")):
            if user_can(self.user, self.model, action):
                continue
            message = _("您没有%(action)s%(model)s的权限。") % {
                "action": _("新增") if action == "add" else _("修改"),
                "model": self.model._meta.verbose_name,
            }
            for row in rows:
                if row.outcome == outcome and not row.rejected:
                    row.reject(message)

    # --- helpers for subclasses -----------------------------------------------------------------------------------

    def mark_stale(self, rows: list[Row]) -> None:
        """Figures derived from the model's records are stale from the earliest day any written row can change
        (`row.stale_since`, set by `plan`): `core.indicators.records_changed` tells whoever derives them."""
        days = [row.stale_since for row in rows if row.stale_since]
        if days:
            records_changed.send(sender=self.model, since=min(days))

    def record_changes(self, new: list[Row], updated: list[Row]) -> None:
        """One audit record per row written, in bulk and in the import's transaction (the bulk writes send no
        signals): a new record with the values the file gave, an update with the changed fields before and after."""
        journal.record_rows(
            self.model,
            [
                {"pk": row.pk, "after": row.data, "before": None, "values": row.data, "text": self.record_text(row)}
                for row in new
            ]
            + [
                {
                    "pk": row.pk,
                    "after": row.changes,
                    "before": row.before,
                    "values": row.data,
                    "text": self.record_text(row),
                }
                for row in updated
            ],
        )

    def record_text(self, row: Row) -> str | None:
        """The written record's text (its `__str__`) where the row holds it; None: the audit log looks it up."""
        return None

    def recheck_scope(self, model, new: list[Row], updated: list[Row]) -> None:
        """Inside the transaction: every record written is within the user's scope, or the whole import rolls back
        (`ImportOutOfScope` names the rows; the check runs the same write on trial to refuse them beforehand)."""
        if self.user is None:
            return
        outside = []
        for action, rows in (("add", new), ("change", updated)):
            if rows:
                pks = outside_scope(self.user, model, [row.pk for row in rows], action)  # every write's re-check
                outside += [row for row in rows if row.pk in pks]
        if outside:
            raise ImportOutOfScope(outside)

    def within_scope(self, model, action: str, pks: list[int]) -> set[int] | None:
        """The records among `pks` the user may `action` (by `restrict()`); None when every record is (a city-wide
        scope: nothing to look up)."""
        if is_city_wide(self.user, model, action):
            return None
        inside = set()
        for start in range(0, len(pks), SCOPE_CHUNK):
            chunk = pks[start : start + SCOPE_CHUNK]
            inside.update(model.objects.restrict(self.user, action).filter(pk__in=chunk).values_list("pk", flat=True))
        return inside

    @staticmethod
    def reject_duplicates_in_file(rows: list[Row], message: str) -> None:
        """Rows whose `key` an earlier row already has are refused; `message` takes %(row)d, the first row."""
        first: dict[Any, int] = {}
        for row in rows:
            if row.rejected or row.key is None:
                continue
            if row.key in first:
                row.reject(message % {"row": first[row.key]})
            else:
                first[row.key] = row.number

    # --- personal numbers: write-only for those who may not see them ------------------------------------------------

    def load_unmaskable(self, pks: list[int]) -> None:
        """Before `settle`: look up which of the matched records `pks` the user may unmask (one query per chunk)."""
        if self._unmaskable is None or not pks:
            return
        self._unmaskable.update(self.within_scope(self.model, "unmask", pks) or ())

    def write_only_fields(self, row: Row) -> list[str]:
        """The personal numbers filled in `row` that are written without comparing them with the stored ones.

        A user who may not see the matched record's full numbers must not learn them from the outcome: if an equal
        number made the row "unchanged" and another one "updated", a file could confirm a guessed number digit by
        digit. For such a user a filled personal cell is written as it is, and the row counts as updated whether or
        not the number was already stored (so the same file imported twice updates those rows again)."""
        if self._unmaskable is None or row.pk in self._unmaskable:
            return []
        return [name for name in self._personal if name in row.data]

    def note_write_only(self, row: Row, names: list[str]) -> None:
        if names:
            row.notes.append(
                _(
                    "「%(columns)s」按写入处理：您无权查看这条记录的完整号码，文件中的号码不与已登记的号码比较，直接写入。"
                )
                % {"columns": "、".join(self.by_field[name].label for name in names)}
            )

    @staticmethod
    def settle(row: Row, existing: dict[str, Any] | None) -> None:
        """Set the outcome of a valid row from the matched record's current values (None: no record). A kind with
        personal numbers settles them write-only for users who may not see them (`write_only_fields`)."""
        if existing is None:
            row.outcome = RowOutcome.NEW
            return
        row.changes = {name: value for name, value in row.data.items() if existing.get(name) != value}
        row.before = {name: existing.get(name) for name in row.changes}
        row.outcome = RowOutcome.UPDATED if row.changes else RowOutcome.UNCHANGED
