"""Every list's table inherits the base table: one look, one way for exports to read the rows."""

import re

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


@pytest.mark.django_db
@pytest.mark.parametrize("view", list_views(), ids=lambda view: view.__qualname__)
def test_every_list_renders_its_cells_as_django_tables2_does(view, rf):
    """The base table's rows (`core.tables._Row`: signatures read, templates compiled and choice labels translated
    once) give each cell of every list's table exactly the HTML django-tables2's own rows give, and the rows the
    row writes itself (`_Row.html`) are the rows django-tables2's template writes."""
    from django_tables2.rows import BoundRow

    from shuniu.accounts.testing import user_with_role
    from shuniu.assessments.tests.factories import AnnualInspectionFactory, GradeEvaluationFactory
    from shuniu.audit.services import record as log_change
    from shuniu.demo import build
    from shuniu.imports.models import ImportJob

    build(scale=0.01)  # a few organizations, hubs and links
    user = user_with_role("city-admin")
    AnnualInspectionFactory.create_batch(3)
    GradeEvaluationFactory.create_batch(3)
    ImportJob.objects.create(kind="organizations", user=user, filename="a.xlsx", sha256="0" * 64, file="a.xlsx")
    log_change(user, "update", message="test")  # a change-log entry
    model = view.table._meta.model
    records = list(view.queryset.all()[:20]) if getattr(view, "queryset", None) is not None else []
    if not records:
        records = list(model._default_manager.all()[:20])
    assert records, f"no {model._meta.label} to render"
    request = rf.get("/")
    request.user = user
    table = view().get_table(records, request)  # as the view makes it (some tables take the day, the user)
    table.request = request
    rows = list(table.rows)
    assert len(rows) == len(records)
    for row, record in zip(rows, records, strict=True):
        theirs = BoundRow(record, table=table)
        assert [str(cell) for _column, cell in row.items()] == [str(cell) for _column, cell in theirs.items()]
    assert_written_as_django_tables2_writes(table, request)


def assert_written_as_django_tables2_writes(table, request):
    ours = table.as_html(request)
    table.template_name = "django_tables2/bootstrap5.html"
    theirs = table.as_html(request)
    assert ours.count("<tr ") == theirs.count("<tr ") >= 1
    assert tags(ours) == tags(theirs)


def tags(html: str) -> str:
    """The markup without the whitespace between tags, which templates add and browsers ignore."""
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).strip()


@pytest.mark.django_db
def test_choice_labels_through_relations_and_unknown_values_are_shown_as_django_tables2_shows_them():
    """The base rows' labels (translated once per table) against django-tables2's own: a choice of the record, one
    of a related record (`district__level`), a value that is none of the choices, an empty one."""
    import django_tables2 as tables
    from django_tables2.rows import BoundRow

    from shuniu.organizations.models import Organization
    from shuniu.organizations.tests.factories import OrganizationFactory

    class Table(BaseTable):
        kind = tables.Column()
        level = tables.Column(accessor="district__level")
        status = tables.Column()
        founded_on = tables.DateColumn(format="Y-m-d")

        class Meta(BaseTable.Meta):
            model = Organization
            fields = ("kind", "level", "status", "founded_on")

    records = list(OrganizationFactory.create_batch(3))
    records[1].kind = "no_such_kind"  # not among the choices: shown as it is
    records[2].status = ""  # empty: the column's default
    table = Table(records)
    for row, record in zip(table.rows, records, strict=True):
        theirs = BoundRow(record, table=table)
        assert [str(cell) for _column, cell in row.items()] == [str(cell) for _column, cell in theirs.items()]
    assert "no_such_kind" in [str(cell) for _column, cell in list(table.rows)[1].items()]


@pytest.mark.django_db
def test_a_cell_attribute_computed_per_record_is_computed_for_every_cell(rf):
    """Cell attributes are worked out once per column, except those a column computes from each record."""
    import django_tables2 as tables

    from shuniu.organizations.models import Organization
    from shuniu.organizations.tests.factories import OrganizationFactory

    class Table(BaseTable):
        name = tables.Column(attrs={"td": {"data-id": lambda record: record.pk, "class": "name"}})
        kind = tables.Column(attrs={"td": {"class": "kind"}})
        status = tables.Column(attrs={"cell": {"data-value": lambda value: value}})

        class Meta(BaseTable.Meta):
            model = Organization
            fields = ("name", "kind", "status")

    records = OrganizationFactory.create_batch(3)
    request = rf.get("/")
    table = Table(records)
    html = table.as_html(request)
    for record in records:
        assert f'data-id="{record.pk}"' in html
    assert html.count('class="kind"') == 3
    assert_written_as_django_tables2_writes(table, request)
