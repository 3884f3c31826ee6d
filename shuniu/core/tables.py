"""The base of every list's table: its look (attrs, template) and what an export reads, declared once.

    class LinkTable(BaseTable):
        hub = tables.Column(...)
        end_date = tables.DateColumn(verbose_name=_("结束日期"), format="Y-m-d", default=_("至今"))

        class Meta(BaseTable.Meta):
            model = Link
            fields = ("hub", "organization", "role", "start_date", "end_date", "basis")

        export_only = ("hub__organization__name", "organization__name", "role", "start_date", "end_date", "basis")

A table's `Meta` inherits `BaseTable.Meta` (django-tables2 reads only the nearest `Meta`). Exports (`core.exports`)
read the rows through `export_queryset()`: with `export_only`, only those fields (the columns' own and the names shown
for related records; a third of the time of whole rows at 100,000) and without the page's prefetches, which a table
replaces with one look-up per chunk in `before_export()` where it needs them. A column a user may show but not export
sets `exclude_from_export=True`; a column shown only when chosen is marked `optional` (`optional_column`).

A page renders its rows with django-tables2's own row, less three costs it pays for every cell (`_Row`): reading the
render function's signature, compiling a template column's template (a date column is one) and translating a choice
field's whole list of labels. A 50-row list of organizations took 110 ms of CPU, 60 ms without them. Each row is
written in one call (`row_html`, `generic/table.html`) rather than cell by cell by django-tables2's template, which
worked out each column's attributes again for every cell. `core/tests/test_tables.py` checks every list's cells and
markup against django-tables2's.
"""

from functools import lru_cache, partialmethod

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.template import Context, Template
from django.template.base import render_value_in_context
from django.templatetags.l10n import localize, unlocalize
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.safestring import SafeString, mark_safe
from django_tables2 import Column, Table, TemplateColumn
from django_tables2.rows import BoundRow, BoundRows
from django_tables2.utils import A, signature

#: a numeric column's cells and header, right-aligned with tabular figures
NUMERIC_ATTRS = {"td": {"class": "num"}, "th": {"class": "num"}}


def optional_column(column: Column) -> Column:
    """Shown and exported only when the user chooses it (`columns=`)."""
    column.optional = True
    return column


_ARGUMENTS: dict = {}  # function → (arguments, takes **kwargs); the tables' and columns' own: a few hundred in all


def _arguments(function) -> tuple[tuple[str, ...], bool]:
    """The arguments a cell's render function takes (a method's without `self`), and whether it takes any
    (`**kwargs`): read once per function, shared by the methods of every instance."""
    key = getattr(function, "__func__", function)
    found = _ARGUMENTS.get(key)
    if found is None:
        if len(_ARGUMENTS) > 4096:  # functions made per table would otherwise pile up
            _ARGUMENTS.clear()
        arguments, catch_all = signature(function)
        found = _ARGUMENTS[key] = (arguments, bool(catch_all))
    return found


def _call_with_appropriate(function, kwargs: dict):
    """django-tables2's `call_with_appropriate`, which inspects the function's signature for every cell (a fifth of
    a 50-row page's CPU); the signature of a method is its function's, so it is read once per function."""
    arguments, catch_all = _arguments(function)
    if not catch_all:
        if any(argument not in kwargs for argument in arguments):
            return None
        kwargs = {argument: kwargs[argument] for argument in arguments}
    return function(**kwargs)


@lru_cache(maxsize=256)
def _template(code: str) -> Template:
    return Template(code)


def _render_template_column(column: TemplateColumn, kwargs: dict):
    """`TemplateColumn.render` with its template compiled once, not for every cell (a date column is one: 0.3 ms a
    cell, as much as the rest of its row)."""
    table = kwargs["table"]
    context = getattr(table, "context", None) or Context()
    with context.update(column.get_context_data(**kwargs)):
        context["request"] = getattr(table, "request", None)
        return _template(column.template_code).render(context)


def choice_labels(field) -> dict:
    """{value (made hashable): label} of a choice field, translated once: what `get_<field>_display()` builds and
    translates for every call. The table's rows and the exports read labels from it."""
    return {make_hashable(value): force_str(label, strings_only=True) for value, label in field.flatchoices}


class _Row(BoundRow):
    """django-tables2's row, with each cell's function inspected, each column's template compiled and each choice
    field's labels translated once."""

    def _get_and_render_with(self, bound_column, render_func, default):
        """A model field with choices shows its label, as `get_<field>_display()` gives it; that builds and
        translates the whole list of choices for every cell, here once per table and field."""
        accessor = A(bound_column.accessor)
        penultimate, remainder = accessor.penultimate(self.record)
        labels = self._labels(accessor, penultimate, remainder) if remainder else None
        if labels is None:
            return super()._get_and_render_with(bound_column, render_func, default)
        raw = getattr(penultimate, remainder)
        key = make_hashable(raw)
        value = labels[key] if key in labels else force_str(raw, strings_only=True)
        if value in bound_column.column.empty_values:
            return default
        return render_func(bound_column, value)

    def _labels(self, accessor, owner, name: str) -> dict | None:
        """{value: label} of the choice field `name` of `owner` (the record the accessor's last step reads), when
        django-tables2 would show it through Django's own `get_<name>_display()`: the field its accessor names from
        the row's record, with choices, and a display method the model does not override. None otherwise."""
        if not isinstance(owner, models.Model):
            return None
        cache = self.table.__dict__.setdefault("_choice_labels", {})
        key = (type(self.record), type(owner), str(accessor))
        if key not in cache:
            try:
                field = accessor.get_field(self.record)
            except FieldDoesNotExist:
                field = None
            display = type(owner).__dict__.get(f"get_{name}_display")
            if (
                field is None
                or not getattr(field, "choices", None)
                or field.attname != name
                or field.model is not type(owner)._meta.concrete_model
                or not isinstance(display, partialmethod)  # Django's own, not the model's
            ):
                cache[key] = None
            else:
                cache[key] = choice_labels(field)
        return cache[key]

    def _call_render(self, bound_column, value=None):
        kwargs = self._optional_cell_arguments(bound_column, value)
        render = bound_column.render
        column = bound_column.column
        if getattr(render, "__func__", None) is TemplateColumn.render and column.template_code:
            content = _render_template_column(column, kwargs)
        else:
            content = _call_with_appropriate(render, kwargs)
        return bound_column.link(content, **kwargs) if bound_column.link else content


def row_html(row, context) -> SafeString:
    """A table's row as django-tables2's template writes it (`<tr>` with the row's attributes, a `<td>` per column
    with the column's cell attributes and the cell, localized as the column says and escaped unless safe), written
    here for `{% table_row %}` (`generic/table.html`): the template read each column's attributes afresh for every
    cell (three dictionaries built, a class worked out). Cell attributes are worked out once per column and rendering
    unless the column declares a callable among them, which sees each cell's record and value as in the template.
    `core/tests/test_tables.py` compares every list's markup with the template's."""
    parts = [f"<tr {row.attrs.as_html()}>"]
    for column in row.table.columns:
        value = row.get_cell(column.name)
        column.current_value, column.current_record = value, row.record  # as `BoundRow.items()` leaves them
        attributes = _cell_attributes(context, row.table, column)
        if column.localize is not None:
            value = localize(value) if column.localize else unlocalize(value)
        parts.append(f"<td {attributes}>{render_value_in_context(value, context)}</td>")
    parts.append("</tr>")
    return mark_safe("".join(parts))


def _has_callable(attrs) -> bool:
    return any(callable(value) or (isinstance(value, dict) and _has_callable(value)) for value in attrs.values())


def _cell_attributes(context, table, column) -> str:
    """A cell's attributes as `{{ column.attrs.td.as_html }}` writes them: worked out once per column and rendering
    of the table when none of them is a callable."""
    known = context.render_context.setdefault(("cell_attributes", id(table)), {})
    name = column.name
    if name in known:
        return known[name]
    declared = {**table.attrs, **column.column.attrs}
    static = not _has_callable(declared.get("td", declared.get("cell", {})))
    html = column.attrs["td"].as_html()  # sees the cell's record and value (`row_html` set them)
    if static:
        known[name] = html
    return html


class _Rows(BoundRows):
    """django-tables2's rows, made of `_Row`s (pinned rows stay django-tables2's own)."""

    def __iter__(self):
        yield from self.generator_pinned_row(self.pinned_data.get("top"))
        for record in self.data:
            yield _Row(record, table=self.table)
        yield from self.generator_pinned_row(self.pinned_data.get("bottom"))

    def __getitem__(self, key):
        if isinstance(key, slice):
            return _Rows(data=self.data[key], table=self.table, pinned_data=self.pinned_data)
        return _Row(record=self.data[key], table=self.table)


class BaseTable(Table):
    #: the fields an export reads (see the module's docstring); empty: whole rows
    export_only: tuple[str, ...] = ()

    @property
    def rows(self):
        return self._rows

    @rows.setter
    def rows(self, rows):
        """django-tables2 sets its own rows (and may paginate them at once): they become `_Row`s."""
        self._rows = (
            rows if isinstance(rows, _Rows) else _Rows(data=rows.data, table=self, pinned_data=rows.pinned_data)
        )

    class Meta:
        attrs = {"class": "table table-sm table-hover align-middle"}
        template_name = "generic/table.html"  # django-tables2's bootstrap5, rows by `row_html`

    def page_records(self) -> list:
        """The records of the page being shown (all of them when the table is not paginated): for a column that
        looks up what its rows show in one query for the page, not for every record of the list (exports do it per
        chunk, in `before_export`)."""
        rows = self.page.object_list if getattr(self, "page", None) is not None else self.rows
        return list(rows.data)  # the records themselves: a row made here would move the table's row counter

    def export_queryset(self, queryset):
        """What an export reads: only `export_only`, without the page's prefetches."""
        if not self.export_only:
            return queryset
        return queryset.prefetch_related(None).only(*self.export_only)
