"""Districts and streets as offices write them (朝阳区, 北京市朝阳区, 朝阳, 110105; 三里屯街道, 三里屯, 南磨房地区…)
→ the Area rows: the reading every import, the `user` command and the name key of organizations share.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable

from django.utils.translation import gettext as _

from shuniu.core.importing.normalize import CACHE_LIMIT, NUMBER, NormalizeError, nfkc, number_text, text

from .services import DIVISIONS_FILE


def _district_names() -> list[str]:
    with DIVISIONS_FILE.open(encoding="utf-8") as f:
        return [row["name"] for row in csv.DictReader(f) if row["level"] == "district"]


#: Beijing's 16 district names (from the shipped division file, as loaded into Area).
DISTRICT_NAMES: tuple[str, ...] = tuple(_district_names())
#: Former names still found in offices' files: the counties that became districts in 2015 and the two inner-city
#: districts merged into 东城区 / 西城区 in 2010, with the district each now belongs to.
FORMER_DISTRICT_NAMES: dict[str, str] = {"密云县": "密云区", "延庆县": "延庆区", "崇文区": "东城区", "宣武区": "西城区"}
FORMER_DISTRICT_CODES: dict[str, str] = {"110228": "110118", "110229": "110119", "110103": "110101", "110104": "110102"}


def short_name(name: str) -> str:
    return name[:-1] if name[-1] in "区县" else name


_CITY_PREFIXES = ("北京市", "北京")
_OFFICE_SUFFIXES = ("人民政府", "政府", "办事处", "办")  # 三里屯街道办事处, 北宫镇人民政府, 三里屯街道办
#: The suffix each street-level kind's name ends with; the name without it is accepted too (三里屯, 南磨房).
_KIND_SUFFIXES = {"street": "街道", "area_office": "地区", "town": "镇", "township": "乡"}


def _area_key(value) -> str:
    """Half-width, no whitespace; a number as its digits; a 12-digit statistics code as its 6 or 9 leading digits."""
    if isinstance(value, bool):
        return text(value)
    if isinstance(value, NUMBER):
        key = number_text(value)
    else:
        key = "".join(nfkc(text(value)).split())
    if len(key) == 12 and key.isdigit():
        key = key[:6] if key.endswith("000000") else key[:9] if key.endswith("000") else key
    return key


class AreaResolver:
    """Reads districts and streets/townships as offices write them, from areas loaded once (`load()`).

    After loading, every look-up is a dictionary hit in memory; the Area objects returned are the loaded ones, and a
    street's `parent` is its (loaded) district, so `street.parent` costs no query.

    District column empty, street filled: call `street(value, None)`; a street name unique in the city resolves, and
    its district is `district_of_street(street)` (= `street.parent`). `areas(district_value, street_value)` does both
    columns at once.
    """

    def __init__(self, areas: Iterable):
        self.districts: dict[str, object] = {}  # code → district
        self._district_index: dict[str, object] = {}
        self._street_names: dict[str, list] = {}  # exact names and codes → streets
        self._street_aliases: dict[str, list] = {}  # names without suffix and other spellings → streets
        self._cache: dict[tuple, object] = {}
        areas = list(areas)
        for area in areas:
            if area.level == "district":
                self.districts[area.code] = area
                self._index_district(area)
        for old, new in FORMER_DISTRICT_NAMES.items():
            district = self._district_index.get(new)
            if district:
                for form in (old, short_name(old)):
                    for key in (form, *(prefix + form for prefix in _CITY_PREFIXES)):
                        self._district_index.setdefault(key, district)
        for old, new in FORMER_DISTRICT_CODES.items():
            if new in self.districts:
                self._district_index.setdefault(old, self.districts[new])
        self._district_prefixes = {key: area for key, area in self._district_index.items() if not key.isdigit()}
        self._prefix_lengths = sorted({len(key) for key in self._district_prefixes}, reverse=True)
        districts_by_pk = {area.pk: area for area in self.districts.values()}
        for area in areas:
            if area.level == "street" and area.parent_id in districts_by_pk:
                area.parent = districts_by_pk[area.parent_id]  # the loaded district: street.parent costs no query
                self._index_street(area)
        for key in list(self._street_aliases):
            if key in self._street_names:
                del self._street_aliases[key]  # an exact name wins over another street's shortened name

    @classmethod
    def load(cls) -> AreaResolver:
        """Read the districts and streets (one query)."""
        from shuniu.areas.models import Area

        return cls(Area.objects.filter(level__in=["district", "street"]).order_by("code"))

    def _index_district(self, area) -> None:
        for form in (area.name, short_name(area.name)):
            for key in (form, *(prefix + form for prefix in _CITY_PREFIXES)):
                self._district_index[key] = area
        self._district_index[area.code] = area

    def _index_street(self, area) -> None:
        self._street_names.setdefault(area.code, []).append(area)
        self._street_names.setdefault(area.name, []).append(area)
        aliases = set()
        suffix = _KIND_SUFFIXES.get(area.kind)
        if suffix and area.name.endswith(suffix):
            base = area.name[: -len(suffix)]
            if len(base) >= 2:
                aliases.add(base)
            if area.kind == "township" and base.endswith("族") and len(base) > 3:  # 于家务回族乡 → 于家务乡
                aliases.update((base[:-2] + "乡", base[:-2]))
            if area.kind == "area_office":  # a 地区办事处 shares its territory with a 乡 or 镇 of the same name
                aliases.update((base + "乡", base + "镇"))
        if area.kind == "other" and area.name.startswith("北京"):  # 北京经济技术开发区 → 经济技术开发区
            aliases.add(area.name[2:])
        for alias in aliases - {area.name}:
            self._street_aliases.setdefault(alias, []).append(area)

    # --- districts ----------------------------------------------------------------------------------------------------

    def district(self, value):
        """The district Area for 朝阳区, 北京市朝阳区, 北京朝阳区, 朝阳, 110105, 密云县…; None for an empty cell."""
        if value is None:
            return None
        area = self._district_index.get(value)
        if area is not None:
            return area
        key = _area_key(value)
        if not key:
            return None
        area = self._district_index.get(key)
        if area is None:
            raise NormalizeError(self._unknown_district_message(text(value), key))
        if not isinstance(value, bool) and len(self._district_index) < CACHE_LIMIT:
            self._district_index[value] = area  # the next cell written the same way is one dictionary hit
        return area

    def _unknown_district_message(self, found: str, key: str) -> str:
        candidates = self._street_candidates(key)[0]
        if len(candidates) == 1:
            return _("「%(value)s」是%(district)s的街道（乡镇），不是区：请在区一列填写「%(district)s」。") % {
                "value": found,
                "district": candidates[0].parent.name,
            }
        return _("无法识别的区「%(value)s」：应为北京市的%(count)d个区之一，如「朝阳区」。") % {
            "value": found,
            "count": len(self.districts),
        }

    # --- streets ------------------------------------------------------------------------------------------------------

    def street(self, value, district=None):
        """The street/township Area, looked up within `district` when given, city-wide otherwise; None when empty.

        Accepted: the name with or without its suffix (三里屯街道, 三里屯; 南磨房地区, 南磨房地区办事处, 南磨房,
        南磨房乡; 北宫镇, 北宫镇人民政府), optionally after 北京市 and/or a district name (朝阳区三里屯街道), or the
        9-digit code.
        """
        if value is None:
            return None
        cache_key = (value, district.pk if district is not None else None)
        hit = self._cache.get(cache_key)
        if hit is not None:
            return hit
        key = _area_key(value)
        if not key:
            return None
        area = self._resolve_street(text(value), key, district)
        if len(self._cache) < CACHE_LIMIT:
            self._cache[cache_key] = area
        return area

    def _resolve_street(self, found: str, key: str, district):
        candidates, named_district = self._street_candidates(key)
        if named_district is not None and district is not None and named_district != district:
            raise NormalizeError(
                _("街道「%(value)s」写的是%(named)s，与区「%(district)s」不符。")
                % {"value": found, "named": named_district.name, "district": district.name}
            )
        district = district or named_district
        if district is not None:
            inside = [area for area in candidates if area.parent_id == district.pk]
            if len(inside) == 1:
                return inside[0]
            if candidates:
                return self._raise_wrong_district(found, district, candidates)
            example = next((a.name for a in self._streets_of(district)), "")
            raise NormalizeError(
                _("无法识别的街道（乡镇）「%(value)s」：%(district)s没有这个街道、地区或乡镇，如「%(example)s」。")
                % {"value": found, "district": district.name, "example": example}
            )
        if len(candidates) == 1:
            return candidates[0]
        if candidates:
            raise NormalizeError(
                _("街道「%(value)s」在%(districts)s都有：请填写所属的区。")
                % {"value": found, "districts": "、".join(area.parent.name for area in candidates)}
            )
        raise NormalizeError(
            _("无法识别的街道（乡镇）「%(value)s」：应为北京市的街道、地区或乡镇名称或9位代码，如「三里屯街道」。")
            % {"value": found}
        )

    def _raise_wrong_district(self, found: str, district, candidates):
        raise NormalizeError(
            _("街道「%(value)s」不属于%(district)s（%(others)s有这个街道）。")
            % {
                "value": found,
                "district": district.name,
                "others": "、".join(dict.fromkeys(area.parent.name for area in candidates)),
            }
        )

    def _streets_of(self, district):
        return (
            areas[0] for key, areas in self._street_names.items() if key.isdigit() and areas[0].parent_id == district.pk
        )

    def _lookup(self, key: str) -> list:
        return self._street_names.get(key) or self._street_aliases.get(key) or []

    def _street_candidates(self, key: str) -> tuple[list, object]:
        """(streets the key can mean, the district its prefix names or None)."""
        found = self._lookup(key)
        if found:
            return found, None
        for suffix in _OFFICE_SUFFIXES:
            if key.endswith(suffix) and len(key) > len(suffix):
                key = key[: -len(suffix)]
                found = self._lookup(key)
                if found:
                    return found, None
                break
        for prefix in _CITY_PREFIXES:
            if key.startswith(prefix) and len(key) > len(prefix):
                key = key[len(prefix) :]
                found = self._lookup(key)
                if found:
                    return found, None
                break
        for length in self._prefix_lengths:
            district = self._district_prefixes.get(key[:length])
            if district is not None and len(key) > length:
                found = self._lookup(key[length:])
                if found:
                    return found, district
        return [], None

    def district_of_street(self, street):
        """The district of a street returned by `street()` (its loaded parent; no query)."""
        return street.parent if street is not None else None

    def areas(self, district_value, street_value) -> tuple:
        """(district, street) from the two columns: the district may be empty when the street names one."""
        district = self.district(district_value)
        street = self.street(street_value, district)
        if district is None and street is not None:
            district = street.parent
        return district, street
