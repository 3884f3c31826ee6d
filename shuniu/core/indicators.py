"""Indicators, declared once in the app that owns their records; the `indicators` app reads the declarations.

An indicator is a share: of a counted population (social organizations active on D), those that hold a valid relation
of a given kind on D (a link valid on D to a hub recognised on D). It is declared with an `Indicator` in its app's
`module.py` (`Module(indicators=(...,))`) and nothing else is written for it: the dashboard, the coverage pages and API,
the exports, the `coverage` command and the stored trend read it from the registry (`shuniu.indicators.registry`).

    Indicator(
        key="hubs.coverage",
        label=_("覆盖率"),
        share=Share(
            population="shuniu.hubs.selectors.organizations_counted_on",   # function(*, day, user) -> queryset
            relation="shuniu.hubs.selectors.links_covering_on",            # function(*, day, level=None) -> queryset
            holder="organization_id",                                      # the relation's column naming the record
            holders="shuniu.hubs.selectors.organizations_covered_on",      # "covered on D", what the lists filter by
            area="district_id",                                            # the population's column the trend stores
        ),
        dimensions=(Dimension("district", _("按区"), "district_id", values="…", filter="district"), …),
        drill=DrillThrough(list="organizations:organization_list", …),
        depends_on=("hubs.link", "hubs.hub", "organizations.organization"),
        fast_paths={"overview": "…", "counts_by_area": "…"},
    )

Every string naming code is a dotted path, loaded on first use, so that a `module.py` imports no selector or view.

A write that changes what an indicator counts says so with `records_changed` (sender: the model, `since`: the earliest
day it affects). `watch_saves(Model)` sends it for every save and delete of a dated model (`core.dated`), from the
record's `affects_from`: a save that changes no date and no declared scope field (a link's note) sends nothing. Bulk
writes (the importer) send it themselves: `records_changed.send(sender=Link, since=day)`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cache, cached_property
from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal
from django.utils.module_loading import import_string

#: sent when records that indicators count changed; `since` is the earliest day whose figures may differ
records_changed = Signal()  # sender: the model; kwargs: since (date)

POPULATION, RELATION = "population", "relation"


@cache
def _imported(path: str):
    return import_string(path)


def _load(path_or_function):
    return _imported(path_or_function) if isinstance(path_or_function, str) else path_or_function


@dataclass(frozen=True)
class Dimension:
    """A way to split an indicator's figures: `key` (`district`), `label` (按区), and `lookup`, the value grouped by.

    on=POPULATION: `lookup` is a column or relation of the counted record (`district_id`, `fields`); each group has its
    own numerator and denominator. on=RELATION: `lookup` is a column or relation of the relation's row
    (`hub__level`); every group shares the whole population as its denominator, and a record holding relations of
    several groups counts in each.

    values:   dotted path of function(*, user, counts) -> [(value, key, label)]: the groups a table lists, in order
              (`counts` holds the values that have counts, for dimensions that list only those);
    filter:   the drill-through list's parameter selecting one group's value (`district`, `covered_by_level`);
    text:     what one group counts, for an export's definitions: on=POPULATION the counted records' condition
              ("所属区为%(label)s"), on=RELATION the relation's other side ("%(label)s枢纽型社会组织");
    note_numerator, note_denominator: added to the group's definitions (a record counted in several groups).
    """

    key: str
    label: Any
    lookup: str
    values: str
    filter: str
    on: str = POPULATION
    text: Any = ""
    note_numerator: Any = ""
    note_denominator: Any = ""

    @property
    def shares_denominator(self) -> bool:
        return self.on == RELATION

    def group_values(self, *, user, counts) -> list[tuple[Any, str, str]]:
        return list(_load(self.values)(user=user, counts=counts))


@dataclass(frozen=True)
class Share:
    """ "The share of a counted population that holds a valid relation of a given kind on D".

    population: dotted path of function(*, day, user) -> queryset of the counted records (the denominator);
    relation:   dotted path of function(*, day, **filters) -> queryset of the relation's rows valid on D;
    holder:     the relation's column naming the counted record (`organization_id`);
    holders:    dotted path of function(*, day, user, **filters) -> queryset of the counted records holding a relation
                on D: the one selector "covered on D" that every figure's drill-down list uses;
    area:       the population's column of the district each record is in (the stored trend's rows are per area);
    filters:    the keyword arguments `relation` takes (`level`, `system`, `hub`).
    """

    population: str
    relation: str
    holder: str
    holders: str
    area: str = "district_id"
    filters: tuple[str, ...] = ()

    def counted(self, *, day: date, user):
        return _load(self.population)(day=day, user=user)

    def rows(self, *, day: date, **filters):
        return _load(self.relation)(day=day, **filters)

    def holding(self, *, day: date, user, **filters):
        return _load(self.holders)(day=day, user=user, **filters)


@dataclass(frozen=True)
class DrillThrough:
    """The lists behind each figure: `list` (URL name) filtered by `holds` = D gives the numerator's records,
    `gap_list` filtered by `lacks` = D the gap's; `api_list` is the API's list taking the same parameters."""

    list: str
    gap_list: str
    api_list: str
    holds: str
    lacks: str


@dataclass(frozen=True)
class DateRule:
    """The days an indicator is read on: any day D asked about (default today, `core.dates`), and the stored trend's
    days: 31 December of each year from `trend_start_year` up to the year before D, then D itself, counted live."""

    trend_start_year: int = 2008

    def trend_days(self, until: date) -> list[date]:
        return [date(year, 12, 31) for year in range(self.trend_start_year, until.year)]


@dataclass(frozen=True)
class Indicator:
    """One indicator. `numerator` and `denominator` are the definitions' templates, with `%(counted)s` (the population
    as the figure counts it) and `%(relation)s` (the relation's other side); `definition` the whole indicator's, in a
    sentence; `scope_text` the population, unrestricted, and `scoped_text` restricted by a dimension (`%(scope)s`).

    depends_on: model labels whose changes make stored figures stale (`records_changed`);
    fast_paths: hand-written statements that earn their speed, by name: "overview" (function(*, day, user) -> every
                figure of the dashboard from one statement) and "counts_by_area" (function(*, days) ->
                {(day, area id): (numerator, denominator)}, what the stored trend keeps); without them, the registry's
                generic counting is used.
    """

    key: str
    label: Any
    share: Share
    numerator: Any
    denominator: Any
    definition: Any
    scope_text: Any
    scoped_text: Any
    relation_text: Any
    drill: DrillThrough
    dimensions: tuple[Dimension, ...] = ()
    date_rule: DateRule = field(default_factory=DateRule)
    depends_on: tuple[str, ...] = ()
    fast_paths: dict[str, str] = field(default_factory=dict)

    @cached_property
    def dimension_map(self) -> dict[str, Dimension]:
        return {dimension.key: dimension for dimension in self.dimensions}

    def dimension(self, key: str) -> Dimension:
        return self.dimension_map[key]

    def fast_path(self, name: str):
        path = self.fast_paths.get(name)
        return _load(path) if path else None


# ---------------------------------------------------------------- records changed


def _attname_values(instance, names) -> dict:
    return {name: getattr(instance, name) for name in names}


def _before(sender, instance, update_fields) -> dict | None:
    """The stored values of `sender.dated.watched` before this save, from the audit log's pre-save read
    (`audit.signals.remember_stored_row` leaves it on the instance until its own post_save receiver, which runs after
    this one): no second read of the row. None when the log did not read it (recording switched off)."""
    remembered = instance.__dict__.get("_audit_stored")
    if not remembered or remembered[1] is None:
        return None
    fields, stored = remembered
    watched = sender.dated.watched
    before = {name: stored[name] for name in watched if name in stored}
    missing = [name for name in watched if name not in before]
    if missing and update_fields is not None:  # fields not saved did not change
        saved = set(update_fields)
        meta = sender._meta
        if not any(name in saved or meta.get_field(_field_name(sender, name)).name in saved for name in missing):
            before.update(_attname_values(instance, missing))
            missing = []
    return None if missing else before


def _field_name(model, attname: str) -> str:
    return next(f.name for f in model._meta.concrete_fields if f.attname == attname)


def _saved(sender, instance, created, raw=False, update_fields=None, **kwargs):
    if raw:
        return
    if created:
        since = instance.affects_from(None)
    else:
        before = _before(sender, instance, update_fields)
        # without the stored values, assume the earliest day changed: a stored figure may be recomputed needlessly,
        # never missed
        since = instance.affects_from(before) if before is not None else date.min
    if since is not None:
        records_changed.send(sender=sender, since=since)


def _deleted(sender, instance, **kwargs):
    records_changed.send(sender=sender, since=instance.period[0])


def watch_saves(*models) -> None:
    """Send `records_changed` after each save and delete of `models` (dated models, `core.dated`) that changes what
    they say about some day."""
    for model in models:
        uid = model._meta.label_lower
        post_save.connect(_saved, sender=model, dispatch_uid=f"records-changed-save-{uid}")
        post_delete.connect(_deleted, sender=model, dispatch_uid=f"records-changed-delete-{uid}")
