"""The kinds of import: collected from every module's declaration (`Module.imports`, dotted paths of
`core.importing.ImportDefinition` subclasses), keyed by each definition's `kind`, in the order of INSTALLED_APPS.

Adding a kind is a declaration in the app whose records it writes; the upload page, the `import` command's `--kind`,
the job list's filter and the jobs' `kind` field read the kinds from here.
"""

from __future__ import annotations

from functools import cache

from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from shuniu.core.importing.base import ImportDefinition
from shuniu.core.modules import collected


@cache
def definitions() -> dict[str, type[ImportDefinition]]:
    """Kind → definition class, for every kind a module declares."""
    found: dict[str, type[ImportDefinition]] = {}
    for module, paths in collected("imports"):
        for path in paths:
            definition = import_string(path)
            if definition.kind in found:
                raise ImproperlyConfigured(
                    f"{module.app_label} declares the import kind {definition.kind!r}, which {found[definition.kind]} "
                    "declares already"
                )
            found[definition.kind] = definition
    return found


def definition(kind: str) -> type[ImportDefinition]:
    """The definition of `kind` (KeyError for a kind no module declares)."""
    return definitions()[kind]


def kinds() -> list[str]:
    return list(definitions())


def kind_choices() -> list[tuple[str, str]]:
    """(kind, label) for every declared kind: the choices of `ImportJob.kind` and `ImportTemplate.kind` (a callable,
    so that a new kind needs no migration), of the upload form, the job list's filter and `import --kind`."""
    return [(kind, definition.label) for kind, definition in definitions().items()]


def kind_label(kind: str) -> str:
    """What the pages call `kind` (the kind itself when no module declares it any longer)."""
    found = definitions().get(kind)
    return str(found.label) if found else kind
