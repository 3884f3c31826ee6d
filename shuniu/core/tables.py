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
"""

from django_tables2 import Column, Table

#: a numeric column's cells and header, right-aligned with tabular figures
NUMERIC_ATTRS = {"td": {"class": "num"}, "th": {"class": "num"}}


def optional_column(column: Column) -> Column:
    """Shown and exported only when the user chooses it (`columns=`)."""
    column.optional = True
    return column


class BaseTable(Table):
    #: the fields an export reads (see the module's docstring); empty: whole rows
    export_only: tuple[str, ...] = ()

    class Meta:
        attrs = {"class": "table table-sm table-hover align-middle"}
        template_name = "django_tables2/bootstrap5.html"

    def export_queryset(self, queryset):
        """What an export reads: only `export_only`, without the page's prefetches."""
        if not self.export_only:
            return queryset
        return queryset.prefetch_related(None).only(*self.export_only)
