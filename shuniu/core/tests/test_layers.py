"""Imports point downward (the import-linter contract in pyproject.toml), and what crossed the layers before is now
declared by the app above: exports, sections of other apps' pages."""

from pathlib import Path

import pytest
from django.urls import resolve

from shuniu.core import modules


def test_the_import_contract_holds(monkeypatch):
    from importlinter.cli import lint_imports

    monkeypatch.chdir(Path(__file__).resolve().parents[3])  # the project's root, where pyproject.toml is
    assert lint_imports(no_cache=True) == 0


def test_core_imports_no_app():
    """Outside its tests, core names no app of the project, not even the audit log: it names its own events
    (`core.journal`) and the audit app writes them."""
    import grimp

    graph = grimp.build_graph("shuniu", cache_dir=None)
    apps = ("accounts", "areas", "audit", "organizations", "hubs", "indicators", "imports", "demo", "config")
    still_to_invert = {"shuniu.core.importing.base"}  # the audit rows of an import (pyproject.toml lists it)
    found = [
        (importer, imported)
        for importer in graph.find_descendants("shuniu.core")
        if ".tests" not in importer and importer not in still_to_invert
        for imported in graph.find_modules_directly_imported_by(importer)
        if imported.split(".")[1:2] and imported.split(".")[1] in apps
    ]
    assert found == []


def test_the_platform_events_core_names_are_audit_actions():
    from shuniu.audit.choices import AuditAction
    from shuniu.core import journal

    assert {journal.UPDATE, journal.EXPORT, journal.UNMASK, journal.BACKUP} <= set(AuditAction.values)


@pytest.mark.django_db
def test_an_event_core_records_is_written_by_the_audit_log():
    from shuniu.audit.models import ObjectChange
    from shuniu.core import journal
    from shuniu.organizations.models import Organization

    with journal.context(user=None, message="测试"):
        change = journal.record(Organization, journal.EXPORT, message="测试.xlsx")
    assert ObjectChange.objects.get(pk=change.pk).action == "export"


def test_the_export_command_offers_what_the_modules_declare():
    from shuniu.core.management.commands.export import declared_exports

    assert set(declared_exports()) >= {"organizations", "uncovered", "hubs", "links", "coverage"}


def test_hubs_add_their_blocks_to_the_organization_page_and_indicators_to_the_area_page():
    on_organization = [section.template for section in modules.sections("organizations.organization")]
    assert on_organization[:2] == [
        "hubs/sections/organization_links.html",
        "hubs/sections/organization_recognitions.html",
    ]
    assert [section.template for section in modules.sections("areas.area")] == [
        "indicators/sections/area_coverage.html"
    ]


def test_the_uncovered_worklist_keeps_its_path():
    assert resolve("/organizations/uncovered/").view_name == "hubs:organization_uncovered"
    assert resolve("/hubs/").view_name == "hubs:hub_list"


@pytest.mark.django_db
def test_an_area_page_shows_its_streets_coverage_only_for_a_district(admin_client):
    from shuniu.areas.models import Area

    district = Area.objects.get(code="110105")
    page = admin_client.get(district.get_absolute_url()).content.decode()
    assert "各街道、乡镇覆盖情况" in page
    street = district.children.first()
    page = admin_client.get(street.get_absolute_url()).content.decode()
    assert "各街道、乡镇覆盖情况" not in page and "本街道/乡镇的社会组织" in page


BELOW_MODULES = {"shuniu.core", "shuniu.audit", "shuniu.areas", "shuniu.organizations"}
MODULES = {"shuniu.hubs", "shuniu.assessments"}


def _app_of(module: str) -> str:
    return ".".join(module.split(".")[:2])


def _breaches_of_the_modules_layer(graph, app: str) -> list:
    """Imports by which `app` would not be a module on the registry: it imports an app other than those below the
    modules, or one of those (or another module) imports it."""
    wrong = []
    for importer in graph.find_descendants(app):
        if ".tests" in importer:
            continue
        for imported in graph.find_modules_directly_imported_by(importer):
            if _app_of(imported) not in BELOW_MODULES | {app}:
                wrong.append((importer, imported))
    for module in graph.find_descendants(app) | {app}:
        for importer in graph.find_modules_that_directly_import(module):
            if ".tests" not in importer and _app_of(importer) in BELOW_MODULES | MODULES - {app}:
                wrong.append((importer, module))
    return wrong


def test_an_app_the_contract_does_not_name_is_a_module_on_the_registry():
    """A new module (an app in INSTALLED_APPS that pyproject.toml's layers do not name) is held to the rule of the
    modules' layer without being added there: it imports only core, audit, areas, organizations and itself, and
    none of those, nor another module, imports it."""
    import tomllib

    import grimp
    from django.apps import apps

    root = Path(__file__).resolve().parents[3]
    contract = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"][0]
    named = {name.strip() for layer in contract["layers"] for name in layer.replace(":", "|").split("|")}
    unnamed = {config.name for config in apps.get_app_configs() if config.name.startswith("shuniu.")} - named
    graph = grimp.build_graph("shuniu", cache_dir=None)
    assert [breach for app in sorted(unnamed) for breach in _breaches_of_the_modules_layer(graph, app)] == []
    # the rule holds for the modules the contract names, and would fail for an app above them
    assert _breaches_of_the_modules_layer(graph, "shuniu.assessments") == []
    assert _breaches_of_the_modules_layer(graph, "shuniu.indicators") != []
