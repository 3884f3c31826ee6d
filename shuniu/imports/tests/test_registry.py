"""The kinds of import are declared by the apps whose records they write, their columns come from the models' fields,
and every kind writes through the one `apply` that records, re-checks and marks stale."""

from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.validators import validate_slug
from django.db import models, transaction
from django.utils.module_loading import import_string

from shuniu.core.importing.base import Column, ImportDefinition, Row
from shuniu.core.importing.normalize import parse_int
from shuniu.core.indicators import records_changed
from shuniu.core.modules import collected
from shuniu.hubs.models import Hub, Link, System
from shuniu.imports.filtersets import ImportJobFilterSet
from shuniu.imports.forms import ImportUploadForm
from shuniu.imports.models import ImportJob, ImportTemplate
from shuniu.imports.registry import definitions, kind_choices
from shuniu.imports.services import import_file
from shuniu.organizations.models import Organization
from shuniu.organizations.tests.factories import OrganizationFactory

from .test_hubs_links import xlsx

pytestmark = pytest.mark.django_db

#: columns whose header is offices' own and the field's verbose name (组织) is not accepted: it would say which one
OWN_HEADER_ONLY = {("hubs", "organization"), ("links", "organization")}


def test_the_kinds_are_the_modules_declarations():
    declared = [import_string(path) for _module, paths in collected("imports") for path in paths]
    names = [definition.__name__ for definition in declared]
    assert names[:3] == ["OrganizationDefinition", "HubDefinition", "LinkDefinition"]  # the apps' order
    assert [(kind, str(label)) for kind, label in kind_choices()] == [(d.kind, str(d.label)) for d in declared]
    assert [(kind, str(label)) for kind, label in kind_choices()][:3] == [
        ("organizations", "社会组织"),
        ("hubs", "枢纽认定"),
        ("links", "联系关系"),
    ]
    assert {Organization, Hub, Link} <= {definition.model for definition in definitions().values()}
    for field in (ImportJob._meta.get_field("kind"), ImportTemplate._meta.get_field("kind")):
        assert [(value, str(label)) for value, label in field.choices] == [(k, str(v)) for k, v in kind_choices()]
    assert list(ImportUploadForm().fields["kind"].choices) == kind_choices()
    assert list(ImportJobFilterSet().filters["kind"].extra["choices"]()) == kind_choices()
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("import", "nothing.xlsx", "--kind", "volunteers")


@pytest.mark.parametrize("kind", ["organizations", "hubs", "links"])
def test_columns_take_lengths_and_choices_from_the_model(kind):
    definition = definitions()[kind]
    model = definition.model
    names = {field.name for field in model._meta.get_fields()}
    for column in definition.columns:
        if column.field not in names:
            continue
        field = model._meta.get_field(column.field)
        if isinstance(field, models.CharField | models.TextField) and not field.choices and column.field != "uscc":
            assert column.max_length == field.max_length, column
        if field.choices:
            assert column.choices == tuple(str(label) for _value, label in field.flatchoices), column
        if (kind, column.field) in OWN_HEADER_ONLY:
            continue
        assert column.label == str(field.verbose_name) or str(field.verbose_name) in column.aliases, column


def test_a_definition_cannot_override_apply():
    with pytest.raises(TypeError, match="write"):

        class Careless(ImportDefinition):  # noqa: F841
            kind, model, columns = "careless", Organization, [Column("name", "名称")]

            def apply(self, rows):
                pass


def test_every_kind_marks_what_it_changed_stale_and_records_its_rows():
    """The base `apply` sends `records_changed` for the definition's model from the earliest day a row changes."""
    sent = []

    def receiver(sender, since, **kwargs):
        sent.append((sender, since))

    records_changed.connect(receiver, dispatch_uid="test-imports-stale")
    try:
        OrganizationFactory(name="北京市朝阳区妇女联合会", uscc=None)
        headers = ["枢纽名称", "层级", "管辖区域", "条线", "认定日期"]
        job = import_file(
            data=xlsx(headers, [["北京市朝阳区妇女联合会", "区级", "朝阳区", "妇联", "2012-06-30"]]),
            filename="hubs.xlsx",
            kind="hubs",
        )
    finally:
        records_changed.disconnect(dispatch_uid="test-imports-stale")
    assert job.counts["new"] == 1, job.examples
    assert (Hub, date(2012, 6, 30)) in sent
    from shuniu.audit.models import ObjectChange

    assert ObjectChange.objects.filter(object_id=Hub.objects.get().pk, content_type__model="hub").exists()


class SystemDefinition(ImportDefinition):
    """A kind made only of the platform's parts: columns from the model, the model's `full_clean()` per row, the
    default `write`."""

    kind, label, model = "test-systems", "条线", System
    columns = [Column.of(System, "code"), Column.of(System, "name"), Column.of(System, "sort")]

    def load(self):
        super().load()
        self.parsers["sort"] = parse_int

    def validate_row(self, row):
        self.clean_row(row, {"sort": 0, **row.data})
        row.key = row.data.get("code")

    def plan(self, rows):
        self.reject_duplicates_in_file(rows, "与第%(row)d行重复。")
        stored = {system.code: system for system in System.objects.all()}
        for row in rows:
            if not row.rejected:
                found = stored.get(row.key)
                row.pk = found.pk if found else None
                self.settle(row, {"name": found.name, "sort": found.sort, "code": found.code} if found else None)


def test_a_kind_built_from_the_platform_checks_with_full_clean_and_writes_by_default():
    System.objects.create(code="kept", name="已有条线", sort=1)
    definition = SystemDefinition()
    definition.load()
    rows = [
        Row(2, {"code": "new-line", "name": "新条线", "sort": "3"}),
        Row(3, {"code": "kept", "name": "改名的条线"}),
        Row(4, {"code": "not a slug!", "name": "坏代码"}),  # the SlugField's own validator, as on the form
        Row(5, {"code": "new-line", "name": "重复"}),
    ]
    for row in rows:
        definition.normalize(row)
    definition.plan(rows)
    assert [row.outcome for row in rows[:2]] == ["new", "updated"]
    slug_message = str(validate_slug.message)  # what the form says of the same code
    assert rows[2].reasons == [f"「代码」{slug_message}"]
    assert rows[3].rejected
    with transaction.atomic():
        definition.apply(rows)
    assert dict(System.objects.filter(code__in=["new-line", "kept"]).values_list("code", "name")) == {
        "new-line": "新条线",
        "kept": "改名的条线",
    }
    assert System.objects.get(code="new-line").sort == 3 and rows[0].pk == System.objects.get(code="new-line").pk
