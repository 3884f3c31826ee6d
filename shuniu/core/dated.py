"""Dated records: a record valid from a start date to an end date, declared once and read the same everywhere.

The convention, one for the whole project: **a dated record's end field holds the last day on which it is valid**
(inclusive, as 有效期至 and 截止日期 are read); an empty end means the record is still valid (open-ended). A record
is valid on day D when `start <= D` and (`end` is empty or `D <= end`), and `end >= start` always holds, so every
record is valid on at least one day. An event that ends a record on day X (注销, 撤销认定) is stored as its end X − 1,
the last day before it: `end_before(X)`.

A model declares its dates, and everything else is derived from that one declaration:

    class Link(DatedRecord, BaseModel):
        ...
        dated = Dated(
            start="start_date",
            end="end_date",
            affects=("hub", "organization", "role"),
            no_overlap=(NoOverlap("hubs_link_no_overlap", per=("organization", "hub", "role")),),
        )
        objects = LinkQuerySet.as_manager()  # a DatedQuerySet

- `Model.objects.on(day)` and `.overlapping(start, end)`: the records valid on a day, or sharing a day with a period;
- `record.is_on(day)`, `record.period`, `record.overlaps(start, end)` and the plain `is_on()`/`overlaps()` below, for
  code that holds dates rather than records (the importer, the demo's plan);
- the check constraint `<table>_end_after_start` (`end >= start`, with its message from the fields' names);
- for each `NoOverlap`, an exclusion constraint on PostgreSQL (`daterange(start, end, '[]') WITH &&`, plus equality on
  the `per` fields, optionally under a condition); on SQLite there is no such constraint, the services check the same
  with `overlapping()` before they write (they do on PostgreSQL too, to give the message);
- `record.affects_from(before)`: the earliest day from which a save changed what the record says about any day
  (its validity, or one of the `affects` fields), None when it changed nothing of that: what a figure derived from
  the records must recompute from.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q
from django.db.models.constraints import BaseConstraint, CheckConstraint
from django.db.models.expressions import F
from django.db.models.sql.query import Query
from django.utils.functional import lazy
from django.utils.translation import gettext

from .querysets import ScopedQuerySet

DAY = timedelta(days=1)


# ---------------------------------------------------------------- the convention, on plain dates


def is_on(start: date, end: date | None, day: date) -> bool:
    """Whether the period from `start` to `end` (the last valid day; None: open) holds on `day`."""
    return start <= day and (end is None or day <= end)


def overlaps(a_start: date, a_end: date | None, b_start: date, b_end: date | None) -> bool:
    """Whether two periods (ends inclusive, None: open) share at least one day."""
    return (a_end is None or b_start <= a_end) and (b_end is None or a_start <= b_end)


def end_before(event: date | None) -> date | None:
    """The end to store for a record that an event on `event` ends (注销, 撤销认定): the day before it."""
    return None if event is None else event - DAY


# ---------------------------------------------------------------- the declaration


@dataclass(frozen=True)
class NoOverlap:
    """Records equal on the `per` fields (and meeting `condition`, if given) never share a day. `name` is the
    PostgreSQL exclusion constraint's name."""

    name: str
    per: tuple[str, ...]
    condition: Q | None = None


class Dated:
    """A model's dated fields: `start` and `end` (field names; `end` nullable, the last valid day), the fields whose
    change also changes what the record means on every day of its period (`affects`), and the `NoOverlap` rules.

    Declared as a model class attribute (`dated = Dated(...)`, after the fields); it adds the constraints to the
    model's `Meta.constraints`, so migrations see them like any other."""

    def __init__(
        self, *, start: str, end: str, affects: Iterable[str] = (), no_overlap: Iterable[NoOverlap] = ()
    ) -> None:
        self.start = start
        self.end = end
        self.affects = tuple(affects)
        self.no_overlap = tuple(no_overlap)
        self.model = None

    def contribute_to_class(self, cls, name: str) -> None:
        self.model = cls
        setattr(cls, name, self)
        if cls._meta.abstract:
            return
        table = cls._meta.db_table
        constraints = [
            CheckConstraint(
                condition=Q(**{f"{self.end}__isnull": True}) | Q(**{f"{self.end}__gte": F(self.start)}),
                name=f"{table}_end_after_start",
                violation_error_message=_end_after_start_message(cls, self.start, self.end),
            ),
            *(
                DatedExclusion(name=rule.name, start=self.start, end=self.end, per=rule.per, condition=rule.condition)
                for rule in self.no_overlap
            ),
        ]
        cls._meta.constraints = [*cls._meta.constraints, *constraints]
        cls._meta.original_attrs["constraints"] = cls._meta.constraints  # what migrations read

    # --- conditions, for querysets

    def q_on(self, day: date) -> Q:
        """Valid on `day`."""
        return Q(**{f"{self.start}__lte": day}) & (Q(**{f"{self.end}__isnull": True}) | Q(**{f"{self.end}__gte": day}))

    def q_overlapping(self, start: date, end: date | None) -> Q:
        """Sharing at least one day with the period from `start` to `end` (inclusive; None: open)."""
        condition = Q(**{f"{self.end}__isnull": True}) | Q(**{f"{self.end}__gte": start})
        if end is not None:
            condition &= Q(**{f"{self.start}__lte": end})
        return condition

    # --- the fields whose stored values `affects_from` compares

    @property
    def watched(self) -> tuple[str, ...]:
        """The attribute names (`hub_id` for a foreign key) of the dates and the `affects` fields: what to read
        before a save, e.g. `Model.objects.filter(pk=pk).values(*Model.dated.watched).first()`."""
        meta = self.model._meta
        return tuple(meta.get_field(name).attname for name in (self.start, self.end, *self.affects))


def _end_after_start_message(model, start: str, end: str):
    def message() -> str:
        meta = model._meta
        return gettext("%(end)s不能早于%(start)s。") % {
            "end": meta.get_field(end).verbose_name,
            "start": meta.get_field(start).verbose_name,
        }

    return lazy(message, str)()


class DatedExclusion(BaseConstraint):
    """PostgreSQL: no two rows equal on `per` (and meeting `condition`) whose periods share a day, as an exclusion
    constraint over `daterange(start, end, '[]')` (needs the btree_gist extension, which hubs' migration 0003
    creates). Other databases have no such constraint: it adds nothing there, and the services check the same."""

    def __init__(
        self, *, name, start, end, per, condition=None, violation_error_code=None, violation_error_message=None
    ):
        self.start = start
        self.end = end
        self.per = tuple(per)
        self.condition = condition
        super().__init__(
            name=name, violation_error_code=violation_error_code, violation_error_message=violation_error_message
        )

    def _definition(self, model, schema_editor) -> str:
        meta, quote = model._meta, schema_editor.quote_name
        columns = [f"{quote(meta.get_field(name).column)} WITH =" for name in self.per]
        start, end = (quote(meta.get_field(name).column) for name in (self.start, self.end))
        columns.append(f"daterange({start}, {end}, '[]') WITH &&")
        sql = f"CONSTRAINT {quote(self.name)} EXCLUDE USING gist ({', '.join(columns)})"
        if self.condition is not None:
            query = Query(model=model, alias_cols=False)
            where = query.build_where(self.condition)
            compiler = query.get_compiler(connection=schema_editor.connection)
            condition, params = where.as_sql(compiler, schema_editor.connection)
            sql += f" WHERE ({condition % tuple(schema_editor.quote_value(p) for p in params)})"
        return sql

    def constraint_sql(self, model, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return None
        return self._definition(model, schema_editor)

    def create_sql(self, model, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return None
        table = schema_editor.quote_name(model._meta.db_table)
        return f"ALTER TABLE {table} ADD {self._definition(model, schema_editor)}"

    def remove_sql(self, model, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return None
        table = schema_editor.quote_name(model._meta.db_table)
        return f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {schema_editor.quote_name(self.name)}"

    def validate(self, model, instance, exclude=None, using=None):
        """Nothing here: the services check overlaps themselves (with `overlapping()`), naming the other record."""

    def deconstruct(self):
        path, args, kwargs = super().deconstruct()
        kwargs.update(start=self.start, end=self.end, per=self.per)
        if self.condition is not None:
            kwargs["condition"] = self.condition
        return path, args, kwargs

    def __eq__(self, other):
        if isinstance(other, DatedExclusion):
            return (self.name, self.start, self.end, self.per, self.condition) == (
                other.name,
                other.start,
                other.end,
                other.per,
                other.condition,
            )
        return super().__eq__(other)

    def __repr__(self):
        return f"<DatedExclusion: name={self.name!r} per={self.per!r} condition={self.condition!r}>"


# ---------------------------------------------------------------- the queryset and the record


class DatedQuerySet(ScopedQuerySet):
    """The queryset of a model declaring `dated = Dated(...)`."""

    def on(self, day: date):
        """The records valid on `day`: started on or before it and not ended before it."""
        return self.filter(self.model.dated.q_on(day))

    def overlapping(self, start: date, end: date | None):
        """The records whose period shares at least one day with the one from `start` to `end` (None: open)."""
        return self.filter(self.model.dated.q_overlapping(start, end))


class DatedRecord:
    """The mixin of a model declaring `dated = Dated(...)` (put it before `BaseModel`)."""

    dated: Dated

    @property
    def period(self) -> tuple[date, date | None]:
        """(start, end): the first and the last valid day (None: open)."""
        dated = type(self).dated
        return getattr(self, dated.start), getattr(self, dated.end)

    def is_on(self, day: date) -> bool:
        """Whether the record is valid on `day`."""
        return is_on(*self.period, day)

    def overlaps(self, start: date, end: date | None) -> bool:
        """Whether the record's period shares at least one day with the one from `start` to `end`."""
        return overlaps(*self.period, start, end)

    def conflicting(self, name: str):
        """The stored records that the `NoOverlap` rule `name` forbids this one to share a day with (the service's
        check, the same on every database; PostgreSQL's exclusion constraint backs it). An empty queryset when the
        rule's condition does not hold for this record. A condition is a `Q` of equalities (`Q(role="manage")`)."""
        dated = type(self).dated
        rule = next(rule for rule in dated.no_overlap if rule.name == name)
        model, meta = type(self), self._meta
        if rule.condition is not None and not _holds(rule.condition, self):
            return model.objects.none()
        same = {meta.get_field(field).attname: getattr(self, meta.get_field(field).attname) for field in rule.per}
        others = model.objects.filter(**same).exclude(pk=self.pk).overlapping(*self.period)
        return others.filter(rule.condition) if rule.condition is not None else others

    def affects_from(self, before: dict | None) -> date | None:
        """The earliest day on which this record, as it is now, says something else than it did with the stored
        values `before`; None when the dates and the `affects` fields are unchanged (a note edited, say).

        `before`: the stored values of `dated.watched` (attribute names; field names and related instances are
        accepted too), as read before the save — or None for a record that did not exist (a new one: it counts from
        its start). A deleted record counts from its start too: `record.period[0]`.

        - an `affects` field changed: the record meant something else on every day of its old and new periods, so
          the earlier of the two starts;
        - the start moved: the earlier of the old and new starts;
        - the end moved: the day after the earlier of the two ends (an end set on an open record: the day after it).
        The earliest of these."""
        start, end = self.period
        if before is None:
            return start
        dated = type(self).dated
        meta = self._meta

        def stored(name):
            field = meta.get_field(name)
            value = before[field.attname] if field.attname in before else before.get(name)
            return getattr(value, "pk", value)

        old_start, old_end = stored(dated.start), stored(dated.end)
        days = []
        if any(stored(name) != getattr(self, meta.get_field(name).attname) for name in dated.affects):
            days.append(min(start, old_start))
        if old_start != start:
            days.append(min(start, old_start))
        if old_end != end:
            days.append(min(day for day in (end, old_end) if day is not None) + DAY)
        return min(days, default=None)


def _holds(condition: Q, record) -> bool:
    """Whether `record` meets a condition made of equalities joined by AND (`NoOverlap.condition`)."""
    if condition.connector != Q.AND or condition.negated:
        raise ValueError(f"a NoOverlap condition is equalities joined by AND: {condition!r}")
    for child in condition.children:
        if isinstance(child, Q):
            if not _holds(child, record):
                return False
            continue
        lookup, value = child
        if "__" in lookup and not lookup.endswith("__exact"):
            raise ValueError(f"a NoOverlap condition is equalities joined by AND: {condition!r}")
        field = record._meta.get_field(lookup.removesuffix("__exact"))
        if getattr(record, field.attname) != getattr(value, "pk", value):
            return False
    return True
