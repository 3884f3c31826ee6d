"""A module is an app of declarations: each domain app has a `module.py` that calls `register(Module(...))`.

The platform collects the declarations: `config.urls` and `config.api` mount each module's URLs and API routes, the base
template shows its menu entries, the roles hold the permissions it grants them, the audit log follows its models as it
says, the importer offers its import definitions, the `export` command its exports, the access checks its kinds of
scope, and the detail pages of other apps show its sections. Adding a model to an existing app, or a new app, touches no
file outside that app except `INSTALLED_APPS` (`docs/adding-a-module.md`).

The declarations are read once, on first use, from every installed app that has a `module.py`, in the order of
`INSTALLED_APPS`. Dotted paths (`"shuniu.hubs.urls"`) name what is loaded lazily, so that declaring a module imports
no view.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import import_module
from typing import Any

from django.apps import apps
from django.utils.module_loading import import_string, module_has_submodule


@dataclass(frozen=True)
class MenuItem:
    """An entry of the main menu: shown to a user who holds `permission` (any of them, when a tuple) or for whom
    `visible(user)` is true; `order` places it among every module's entries. Entries with the same `group` (a label)
    share one drop-down, placed at its first entry's order."""

    label: Any  # a lazy translation
    url_name: str
    permission: str | tuple[str, ...] = ()
    visible: Callable[[Any], bool] | None = None
    order: int = 100
    testid: str = ""
    group: Any = None

    def shown_to(self, user) -> bool:
        if not user.is_authenticated:
            return False
        if self.visible is not None:
            return self.visible(user)
        permissions = (self.permission,) if isinstance(self.permission, str) else self.permission
        return any(user.has_perm(name) for name in permissions)


@dataclass(frozen=True)
class Section:
    """A block another app's detail page shows about its record: `model` is the page's model label
    (`"organizations.organization"`), `template` renders the block with `context(record, user)` (a dict, None for no
    block); shown to a user who holds `permission`."""

    model: str
    template: str
    context: Callable[[Any, Any], dict | None] | str
    permission: str = ""
    order: int = 100

    def render_context(self, record, user) -> dict | None:
        if self.permission and not user.has_perm(self.permission):
            return None
        function = import_string(self.context) if isinstance(self.context, str) else self.context
        return function(record, user)


@dataclass(frozen=True)
class ListColumns:
    """Columns a module adds to another app's list page (`model`, a model label) and to its export: `load(records,
    user)` returns a `ColumnSet` for those records, or None for no columns."""

    model: str
    load: Callable[[list, Any], Any] | str
    order: int = 100

    def columns_for(self, records: list, user):
        function = import_string(self.load) if isinstance(self.load, str) else self.load
        return function(records, user)


@dataclass
class ColumnSet:
    """Loaded columns: the page's header cells (`head_template`), each record's cells (`cell_template` rendered with
    `cells[record.pk]` as its context), the export's headers and each record's values, and number formats by the
    export column's offset within the set (xlsx)."""

    head_template: str
    cell_template: str
    cells: dict
    export_headers: Callable[[str], list]
    export_values: Callable[[Any, str], list]
    number_formats: Callable[[str], dict] = lambda export_format: {}
    note: str = ""  # a line under the table (the day the figures are of)


@dataclass(frozen=True)
class Audit:
    """What the audit log says about a module's rows beyond their field values (keys are model names of the app, lower
    case). Every model built on `core.models.BaseModel` is followed unless `excluded`.

    related:      model → the foreign key whose record's change log shows the change too (a link's hub);
    repr_lookups: model → lookups whose values, joined by " → ", are the record's text (the importer reads thousands
                  of rows' texts in one query);
    row_actions:  model → function(created, before, after) naming the domain action a row change is (None: 新增/修改);
    skipped:      model → fields never written to the log;
    excluded:     model → why its rows are not followed;
    followed:     models not built on BaseModel that are followed all the same (Django's user);
    actions:      the audit actions the module adds: (value, label) pairs, `<NOUN>_<VERB>` values;
    events:       those of `actions` whose before/after are details of the action, not a record's field values,
                  with `event_labels` naming their detail keys.
    A key naming another app's model is its full label (`"auth.user"`).
    """

    related: dict[str, str] = field(default_factory=dict)
    repr_lookups: dict[str, tuple[str, ...]] = field(default_factory=dict)
    row_actions: dict[str, Callable[[bool, dict, dict], str | None]] = field(default_factory=dict)
    skipped: dict[str, tuple[str, ...]] = field(default_factory=dict)
    excluded: dict[str, str] = field(default_factory=dict)
    followed: tuple[str, ...] = ()
    actions: tuple[tuple[str, Any], ...] = ()
    events: tuple[str, ...] = ()
    event_labels: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Module:
    """One app's declaration. `app_label` names the app; everything else is optional.

    urls, api_urls:  dotted paths of URLconf modules, mounted at `<url_prefix>` and `/api/<api_prefix>`
                     (both default to `<app_label>/`); the URL names live in the namespace of their own urls module;
    menu:            main-menu entries;
    permissions:     role slug → the permissions of this app the role holds (added to those the role has stored);
    audit:           see `Audit`;
    imports:         dotted paths of import definitions (their `kind` is the key offered to users);
    exports:         export key → a function(request) returning the export, or its dotted path (the `export`
                     command; `core.exporting.ListExport` exports a list page);
    scope_kinds:     the kinds of scope this app adds (`core.access.ScopeKind`);
    sections:        blocks this app adds to other apps' detail pages;
    columns:         `ListColumns` this app adds to another app's list page and its export (indicators adds coverage
                     to the districts' list);
    filters:         model label → dotted paths of FilterSet classes whose filters the model's list (its page, its API
                     list and the drill-downs) adds (hubs adds 已覆盖于 to the organizations' list);
    merge_steps:     model label → dotted paths of the steps this app adds to merging two records of that model (when
                     two organizations are merged, hubs moves and combines their links and recognitions);
    lookups:         how a user picks this app's records by typing (`core.lookups.Lookup`): one per model, and more
                     under keys of their own that narrow it (the streets among the areas);
    indicators:      the app's indicators (`core.indicators.Indicator`, or their dotted paths): the dashboard, the
                     coverage API, the exports, the CLI and the stored figures read them;
    access_cases:    dotted path of a test module registering this app's access-matrix cases.
    """

    app_label: str
    urls: str | None = None
    url_prefix: str | None = None
    api_urls: str | None = None
    api_prefix: str | None = None
    menu: tuple[MenuItem, ...] = ()
    permissions: dict[str, tuple[str, ...]] = field(default_factory=dict)
    audit: Audit = field(default_factory=Audit)
    imports: tuple[str, ...] = ()
    exports: dict[str, Any] = field(default_factory=dict)
    scope_kinds: tuple[Any, ...] = ()
    sections: tuple[Section, ...] = ()
    columns: tuple[ListColumns, ...] = ()
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    merge_steps: dict[str, tuple[str, ...]] = field(default_factory=dict)
    lookups: tuple[Any, ...] = ()
    indicators: tuple[Any, ...] = ()
    access_cases: str | None = None

    @property
    def prefix(self) -> str:
        return self.url_prefix if self.url_prefix is not None else f"{self.app_label}/"

    @property
    def api_path(self) -> str:
        return self.api_prefix if self.api_prefix is not None else f"{self.app_label}/"


_declared: dict[str, Module] = {}


def register(module: Module) -> Module:
    """Declare `module` (called from its app's `module.py`)."""
    _declared[module.app_label] = module
    return module


@cache
def modules() -> tuple[Module, ...]:
    """Every installed app's declaration, in the order of INSTALLED_APPS."""
    found = []
    for config in apps.get_app_configs():
        if module_has_submodule(config.module, "module"):
            import_module(f"{config.name}.module")
            if config.label in _declared:
                found.append(_declared[config.label])
    return tuple(found)


def module_for(app_label: str) -> Module | None:
    return next((module for module in modules() if module.app_label == app_label), None)


def menu(user) -> list[MenuItem]:
    """The main menu's entries `user` may open, in order."""
    items = [item for module in modules() for item in module.menu]
    return sorted((item for item in items if item.shown_to(user)), key=lambda item: item.order)


@dataclass
class MenuGroup:
    label: Any
    items: list[MenuItem]


def menu_tree(user) -> list[MenuItem | MenuGroup]:
    """The main menu as the navigation shows it: single entries, and a `MenuGroup` for each group."""
    tree: list[MenuItem | MenuGroup] = []
    groups: dict[str, MenuGroup] = {}
    for item in menu(user):
        if item.group is None:
            tree.append(item)
        elif str(item.group) in groups:
            groups[str(item.group)].items.append(item)
        else:
            groups[str(item.group)] = MenuGroup(item.group, [item])
            tree.append(groups[str(item.group)])
    return tree


@cache
def role_permissions() -> dict[str, tuple[str, ...]]:
    """Role slug → every permission the modules declare for it."""
    collected: dict[str, list[str]] = {}
    for module in modules():
        for slug, names in module.permissions.items():
            collected.setdefault(slug, []).extend(names)
    return {slug: tuple(dict.fromkeys(names)) for slug, names in collected.items()}


def sections(model_label: str) -> list[Section]:
    """The blocks every module adds to the detail page of `model_label`, in order."""
    found = [section for module in modules() for section in module.sections if section.model == model_label]
    return sorted(found, key=lambda section: section.order)


def list_columns(model_label: str, records: list, user) -> list:
    """The `ColumnSet`s the modules add to the list of `model_label` for `records`, in order."""
    declared = sorted(
        (columns for module in modules() for columns in module.columns if columns.model == model_label),
        key=lambda columns: columns.order,
    )
    loaded = (columns.columns_for(records, user) for columns in declared)
    return [column_set for column_set in loaded if column_set is not None]


def extensions(attribute: str, model_label: str) -> tuple[Any, ...]:
    """What the modules add to another app's `model_label` under `attribute` (a dict of model label → dotted paths:
    `filters`, `merge_steps`), imported, in the apps' order."""
    return tuple(
        import_string(path) for module in modules() for path in getattr(module, attribute).get(model_label, ())
    )


def filter_extensions(model_label: str) -> tuple[type, ...]:
    """The FilterSet classes the modules add to the list of `model_label` (`Module.filters`)."""
    return extensions("filters", model_label)


def collected(attribute: str) -> Iterable[tuple[Module, Any]]:
    """(module, value) for every module whose declaration sets `attribute`."""
    for module in modules():
        value = getattr(module, attribute)
        if value:
            yield module, value
