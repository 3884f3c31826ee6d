"""Reference rows (fields of work, systems, …) named in a cell: by name or code, loaded once per import."""

from __future__ import annotations

from .normalize import NormalizeError, split_list, text

CHUNK = 2000  # records per look-up query


class NameResolver:
    """Reference rows (fields, systems) by name or code: `one(value)` for a cell naming one, `many(value)` for a
    cell listing several (领域: 教育、养老服务)."""

    def __init__(self, model, unknown: str):
        self.by_name = {}
        for pk, code, name in model.objects.values_list("pk", "code", "name"):
            self.by_name[name] = self.by_name[code] = pk
        self.names = "、".join(model.objects.values_list("name", flat=True))
        self.unknown = unknown  # the message, with %(name)s and %(names)s

    def _pk(self, name: str) -> int:
        pk = self.by_name.get(name)
        if pk is None:
            raise NormalizeError(self.unknown % {"name": name, "names": self.names})
        return pk

    def one(self, value) -> int | None:
        name = text(value)
        return self._pk(name) if name else None

    def many(self, value) -> frozenset[int]:
        return frozenset(self._pk(name) for name in split_list(value))
