"""Finding the organizations and hubs a row refers to: by USCC, or by name (folded by `name_key`) within a district."""

from __future__ import annotations

from collections import defaultdict

from django.utils.translation import gettext as _

from shuniu.areas.models import Area
from shuniu.hubs.models import Hub, System
from shuniu.organizations.models import Field, Organization

from ..normalize import NormalizeError, fold, name_key, split_list, text

CHUNK = 2000


class OrganizationIndex:
    """Resolves (USCC, name, district) references in bulk: `prepare` once with all of them, then `find` per row."""

    def __init__(self):
        self.by_uscc: dict[str, int] = {}
        self.by_name: dict[str, list[tuple[int, int]]] = defaultdict(list)  # name_key → [(pk, district_id)]
        self.names: dict[int, str] = {}
        self.districts = dict(Area.objects.filter(level="district").values_list("name", "pk"))

    def prepare(self, usccs: set[str], names: set[str]) -> None:
        usccs, keys = list(usccs), {name_key(name) for name in names if name}
        for start in range(0, len(usccs), CHUNK):
            for pk, uscc, name in Organization.objects.filter(uscc__in=usccs[start : start + CHUNK]).values_list(
                "pk", "uscc", "name"
            ):
                self.by_uscc[uscc] = pk
                self.names[pk] = name
        if keys:
            for pk, name, district_id in Organization.objects.values_list("pk", "name", "district_id").iterator(
                chunk_size=5000
            ):
                key = name_key(name)
                if key in keys:
                    self.by_name[key].append((pk, district_id))
                    self.names[pk] = name

    def find(self, *, uscc: str = "", name: str = "", district=None, label: str) -> int:
        """The organization's pk, or NormalizeError saying why none or several match."""
        if uscc:
            pk = self.by_uscc.get(uscc)
            if pk is None:
                raise NormalizeError(
                    _("找不到统一社会信用代码为%(uscc)s的%(label)s：请先导入该组织。") % {"uscc": uscc, "label": label}
                )
            if name and name_key(name) != name_key(self.names[pk]):
                raise NormalizeError(
                    _("统一社会信用代码%(uscc)s是「%(stored)s」的，与填写的名称「%(name)s」不符：请核对。")
                    % {"uscc": uscc, "stored": self.names[pk], "name": name}
                )
            return pk
        candidates = self.by_name.get(name_key(name), [])
        named = self._district_named_in(name)
        if district is None and named is not None:
            district_pk = named
        else:
            district_pk = district.pk if district is not None else None
        if district_pk is not None:
            candidates = [c for c in candidates if c[1] == district_pk]
        exact = [c for c in candidates if fold(self.names[c[0]]) == fold(name)]
        candidates = exact or candidates
        if not candidates:
            where = _("%(district)s的") % {"district": district.name} if district is not None else ""
            raise NormalizeError(
                _("找不到%(where)s%(label)s「%(name)s」：请核对名称，或先导入该组织。")
                % {"where": where, "label": label, "name": name}
            )
        if len(candidates) > 1:
            raise NormalizeError(
                _("有%(count)d个名为「%(name)s」的组织：请填写统一社会信用代码。")
                % {"count": len(candidates), "name": name}
            )
        return candidates[0][0]

    def _district_named_in(self, name: str) -> int | None:
        """The district a name begins with (北京市朝阳区…, 朝阳区…), so that it never matches another district's."""
        rest = name.removeprefix("北京市").removeprefix("北京")
        return next((pk for district, pk in self.districts.items() if rest.startswith(district)), None)


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


def field_resolver() -> NameResolver:
    return NameResolver(Field, _("中的「%(name)s」不是已有的领域。可选：%(names)s"))


def system_resolver() -> NameResolver:
    return NameResolver(System, _("「%(name)s」不是已有的条线。可选：%(names)s"))


def hubs_by_organization(organization_ids: set[int]) -> dict[int, list[Hub]]:
    hubs = defaultdict(list)
    ids = list(organization_ids)
    for start in range(0, len(ids), CHUNK):
        for hub in Hub.objects.filter(organization_id__in=ids[start : start + CHUNK]).select_related(
            "organization", "system", "area"
        ):
            hubs[hub.organization_id].append(hub)
    return hubs
