"""Every list's table inherits the base table: one look, one way for exports to read the rows."""

import pytest
from django.urls import get_resolver

from shuniu.core.tables import BaseTable
from shuniu.core.views import ObjectListView


def list_views():
    """The list views of the URLconf, found by walking it."""
    found = set()

    def walk(resolver):
        for pattern in resolver.url_patterns:
            if hasattr(pattern, "url_patterns"):
                walk(pattern)
                continue
            view_class = getattr(pattern.callback, "view_class", None)
            if view_class is not None and issubclass(view_class, ObjectListView):
                found.add(view_class)

    walk(get_resolver())
    return sorted(found, key=lambda view: view.__qualname__)


@pytest.mark.parametrize("view", list_views(), ids=lambda view: view.__qualname__)
def test_a_list_table_inherits_the_base_table(view):
    assert issubclass(view.table, BaseTable)
    assert view.table._meta.attrs == BaseTable._meta.attrs
    assert view.table._meta.template_name == BaseTable._meta.template_name


def test_export_only_reads_the_declared_fields_without_prefetches():
    from shuniu.hubs.models import Link
    from shuniu.hubs.tables import LinkTable

    queryset = Link.objects.select_related("hub__organization", "organization").prefetch_related("hub__fields")
    exported = LinkTable(queryset).export_queryset(queryset)
    assert exported._prefetch_related_lookups == ()
    assert exported.query.deferred_loading == (set(LinkTable.export_only), False)
