"""`{% table_row row %}`: a table's row written in one call (`core.tables.row_html`), not cell by cell by the
template."""

from django import template

from shuniu.core.tables import row_html

register = template.Library()


@register.simple_tag(takes_context=True)
def table_row(context, row):
    return row_html(row, context)
