"""Value normalisers for imported spreadsheet cells: offices' ways of writing a value → one clean value.

Every function takes the raw cell as a reader returns it (str, int, float, bool, date, datetime or None) and either
returns the clean value or raises `NormalizeError` with a Chinese message saying what was found and what is expected.
The importer calls them for every cell of files with 100,000 rows, so the common cases take a fast path (plain ASCII,
exact dictionary hits) and nothing here touches the database except `AreaResolver.load()`.
"""

from __future__ import annotations

import csv
import datetime
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping

from django.utils import translation
from django.utils.translation import gettext as _

from shuniu.areas.services import DIVISIONS_FILE


class NormalizeError(ValueError):
    """A cell that cannot be read; the message (Chinese) says what was found and what is expected."""


_NUMBER = (int, float)
_CACHE_LIMIT = 10_000  # resolvers remember up to this many spellings they had to fold


def _nfkc(value: str) -> str:
    return value if value.isascii() else unicodedata.normalize("NFKC", value)


def _number_text(value: int | float) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --- text -------------------------------------------------------------------------------------------------------------

_CJK = r"\u2e80-\u2fdf\u3001-\u303f\u3040-\u30ff\u3100-\u312f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff60"
_INVISIBLE_RE = re.compile("[\u200b-\u200d\u2060\ufeff]")
_SPACES_RE = re.compile(r"\s+")
_SPACE_BETWEEN_CJK_RE = re.compile(f"(?<=[{_CJK}]) (?=[{_CJK}])")


def text(value) -> str:
    """Clean text: None → "", numbers as written (12.0 → "12"), whitespace trimmed and collapsed.

    Whitespace includes the ideographic space (U+3000), non-breaking spaces and line breaks; zero-width characters are
    dropped; a space between two CJK characters (or CJK punctuation) is removed ("朝阳 区" → "朝阳区"). Full-width
    characters are kept as written (use `code()` or `name_key()` to fold them).
    """
    if value is None:
        return ""
    if isinstance(value, str):
        if value.isprintable() and " " not in value:  # no whitespace of any kind, no zero-width characters
            return value
        value = _INVISIBLE_RE.sub("", value)
        value = _SPACES_RE.sub(" ", value).strip()
        return _SPACE_BETWEEN_CJK_RE.sub("", value) if " " in value else value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, _NUMBER):
        return _number_text(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return text(str(value))


# --- code -------------------------------------------------------------------------------------------------------------

_CODE_DROP_RE = re.compile(r"[\s\-\u2010-\u2015\u2212\u30fc\uff70]+")
_SCIENTIFIC_RE = re.compile(r"[0-9]\.[0-9]+E\+[0-9]+")  # how a CSV saved by Excel writes a long number
EXCEL_DIGITS = 15  # Excel keeps 15 significant digits of a number


def _code_lost_digits(value) -> NormalizeError:
    return NormalizeError(
        _(
            "代码「%(value)s」被Excel存成了数字，第%(digits)d位以后的数字已经丢失："
            "请把该列设为「文本」格式后重新输入代码。"
        )
        % {"value": value, "digits": EXCEL_DIGITS}
    )


def code(value) -> str:
    """An identifier (USCC, organization code, …): half-width, no whitespace or dashes, upper case.

    A number means Excel stored the code as a number: up to 15 digits it is taken as written; with more, the last
    ones are already lost (Excel keeps 15 significant digits). That holds for ints too, since the reader turns whole
    floats into ints. Such numbers, and codes written in scientific notation by a CSV export ("9.11E+17"), are refused
    with a message telling the user to set the column to text and retype.
    """
    if type(value) is str and value.isascii() and value.isalnum():
        return value.upper()
    if value is None:
        return ""
    if isinstance(value, bool) or (isinstance(value, float) and not math.isfinite(value)):
        raise NormalizeError(_("「%(value)s」不是代码：应为字母和数字。") % {"value": text(value)})
    if isinstance(value, _NUMBER):
        if abs(value) >= 10**EXCEL_DIGITS:
            raise _code_lost_digits(f"{float(value):.{EXCEL_DIGITS - 1}E}" if isinstance(value, float) else value)
        value = _number_text(value)
    elif not isinstance(value, str):
        value = text(value)
    if value.isascii():
        if value.isalnum():
            return value.upper()
        value = _CODE_DROP_RE.sub("", value).upper()
    else:
        value = unicodedata.normalize("NFKC", value).upper()
        value = unicodedata.normalize("NFKC", _CODE_DROP_RE.sub("", value))
    if _SCIENTIFIC_RE.fullmatch(value):
        raise _code_lost_digits(value)
    return value


# --- dates ------------------------------------------------------------------------------------------------------------

DATE_MIN = datetime.date(1949, 1, 1)
DATE_MAX = datetime.date(2100, 12, 31)
_EXCEL_EPOCH = datetime.date(1899, 12, 30)  # serial 61 = 1900-03-01; serials 1–59 count from 1899-12-31
_EXCEL_EPOCH_ORDINAL = _EXCEL_EPOCH.toordinal()
_EXCEL_FAKE_LEAP_DAY = 60  # Lotus 1-2-3 treated 1900 as a leap year; Excel's serial 60 is "1900-02-29"

_YMD_RE = re.compile(
    r"([0-9]{4})([-/.])([0-9]{1,2})\2([0-9]{1,2})(?:[ T]+[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]*)?)?)?"
)
_CHINESE_RE = re.compile(r"([0-9]{4})\s*年\s*([0-9]{1,2})\s*月(?:\s*([0-9]{1,2})\s*[日号]?)?")
_COMPACT_RE = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})")
_YM_RE = re.compile(r"([0-9]{4})[-/.]([0-9]{1,2})")
_SERIAL_RE = re.compile(r"[0-9]{5}(?:\.[0-9]*)?")


def _date_out_of_range(found: str, min_date: datetime.date, max_date: datetime.date) -> NormalizeError:
    return NormalizeError(
        _("日期「%(date)s」超出范围：应在%(min)s至%(max)s之间。")
        % {"date": found, "min": min_date.isoformat(), "max": max_date.isoformat()}
    )


def _checked(day: datetime.date, min_date: datetime.date, max_date: datetime.date) -> datetime.date:
    if not min_date <= day <= max_date:
        raise _date_out_of_range(day.isoformat(), min_date, max_date)
    return day


def _make_date(year: str, month: str, day: str, min_date: datetime.date, max_date: datetime.date) -> datetime.date:
    y, m, d = int(year), int(month), int(day)
    try:
        result = datetime.date(y, m, d)
    except ValueError:
        raise NormalizeError(
            _("日期「%(year)d年%(month)d月%(day)d日」不存在。") % {"year": y, "month": m, "day": d}
        ) from None
    return _checked(result, min_date, max_date)


def excel_serial_date(serial: float) -> datetime.date:
    """The day of an Excel serial number in the 1900 date system (time of day dropped)."""
    days = math.floor(serial)
    if days == _EXCEL_FAKE_LEAP_DAY:
        raise NormalizeError(_("Excel日期序号60表示并不存在的1900-02-29。"))
    if days < 1:
        raise NormalizeError(_("「%(value)s」不是有效的Excel日期序号：序号从1（1900-01-01）开始。") % {"value": serial})
    try:
        return datetime.date.fromordinal(_EXCEL_EPOCH_ORDINAL + (days if days > _EXCEL_FAKE_LEAP_DAY else days + 1))
    except (ValueError, OverflowError):
        raise NormalizeError(_("「%(value)s」不是有效的Excel日期序号。") % {"value": serial}) from None


def _serial_out_of_range(found: str, day: datetime.date, min_date, max_date) -> NormalizeError:
    return NormalizeError(
        _("数字「%(value)s」作为Excel日期是%(date)s，超出范围：应在%(min)s至%(max)s之间。")
        % {"value": found, "date": day.isoformat(), "min": min_date.isoformat(), "max": max_date.isoformat()}
    )


def _number_to_date(value: int | float, min_date: datetime.date, max_date: datetime.date) -> datetime.date:
    if isinstance(value, float) and not math.isfinite(value):
        raise NormalizeError(_("「%(value)s」不是日期。") % {"value": value})
    if 10_000_000 <= value <= 99_999_999 and value == int(value):  # 20151201 typed into a number cell
        found = str(int(value))
        return _make_date(found[:4], found[4:6], found[6:], min_date, max_date)
    if min_date.year <= value < max_date.year + 1:
        raise NormalizeError(
            _(
                "「%(value)s」是数字，不是日期：Excel会把「2015」「2015.12」这样的写法存成数字（2015.1和2015.10"
                "无法区分）。请把该列设为「文本」格式后写成2015-12-01或2015年12月。"
            )
            % {"value": _number_text(value)}
        )
    day = excel_serial_date(value)
    if not min_date <= day <= max_date:
        raise _serial_out_of_range(_number_text(value), day, min_date, max_date)
    return day


def parse_date(value, *, min_date: datetime.date = DATE_MIN, max_date: datetime.date = DATE_MAX):
    """A date from a cell, or None for an empty one.

    Accepted: date and datetime values; numbers as Excel serial dates (1900 date system), and an eight-digit number
    20151201 as year-month-day; strings 2015-12-01, 2015/12/1, 2015.12.1, 2015-12-01 00:00:00, 2015年12月1日,
    2015年12月1号, 20151201, an Excel serial written as text ("42339"), full-width digits. A month without a day
    (2015年12月, 2015-12, 2015/12, 2015.12) means **the first day of that month**. Dates outside
    `min_date`..`max_date` (default 1949-01-01..2100-12-31) are refused.
    """
    if value is None:
        return None
    if isinstance(value, str):
        found = value.strip()
        if not found:
            return None
        if len(found) == 10 and found[4] == "-" and found[7] == "-" and found.isascii():  # 2015-12-01, the usual
            try:
                day = datetime.date.fromisoformat(found)
            except ValueError:
                pass  # the patterns below say why
            else:
                if min_date <= day <= max_date:
                    return day
        found = _nfkc(found)
        if match := _YMD_RE.fullmatch(found):
            return _make_date(match[1], match[3], match[4], min_date, max_date)
        if match := _CHINESE_RE.fullmatch(found):
            return _make_date(match[1], match[2], match[3] or "1", min_date, max_date)
        if match := _COMPACT_RE.fullmatch(found):
            return _make_date(match[1], match[2], match[3], min_date, max_date)
        if match := _YM_RE.fullmatch(found):
            return _make_date(match[1], match[2], "1", min_date, max_date)
        if _SERIAL_RE.fullmatch(found):
            day = excel_serial_date(float(found))
            if not min_date <= day <= max_date:
                raise _serial_out_of_range(found, day, min_date, max_date)
            return day
        raise NormalizeError(
            _(
                "无法识别的日期「%(value)s」：可以写成2015-12-01、2015/12/1、2015.12.1、2015年12月1日、20151201，"
                "或只写年月如2015年12月、2015-12（记为当月1日）。"
            )
            % {"value": value.strip()}
        )
    if isinstance(value, datetime.datetime):
        return _checked(value.date(), min_date, max_date)
    if isinstance(value, datetime.date):
        return _checked(value, min_date, max_date)
    if isinstance(value, bool):
        raise NormalizeError(_("「%(value)s」不是日期。") % {"value": text(value)})
    if isinstance(value, _NUMBER):
        return _number_to_date(value, min_date, max_date)
    return parse_date(str(value), min_date=min_date, max_date=max_date)


# --- integers ---------------------------------------------------------------------------------------------------------

_INT_RE = re.compile(r"([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(\.[0-9]*)?\s*([\u4e00-\u9fff]{0,3})")
_APPROXIMATE_CHARS = frozenset("十百千万亿余多几")
_FLOAT_TOLERANCE = 1e-9  # formula results like 0.1 * 3 * 10 = 3.0000000000000004


def _not_integer(value) -> NormalizeError:
    return NormalizeError(_("「%(value)s」不是整数：应为0或正整数，如12或12人。") % {"value": value})


def _negative(value) -> NormalizeError:
    return NormalizeError(_("「%(value)s」是负数：应为0或正整数。") % {"value": value})


def parse_int(value) -> int | None:
    """A count (staff, members, …): 12, 12.0, "12", "１２", "12人", "1,200" → int; "" and None → None.

    A unit of up to three Chinese characters after the number is ignored (人, 个, 名, 人次…), but not one that changes
    the number or makes it approximate (万, 余, 多…). Fractions and negative numbers are refused.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise _not_integer(text(value))
    if isinstance(value, int):
        if value < 0:
            raise _negative(value)
        return value
    if isinstance(value, float):
        if not math.isfinite(value) or abs(value - round(value)) > _FLOAT_TOLERANCE:
            raise _not_integer(_number_text(value))
        if value < 0:
            raise _negative(_number_text(value))
        return int(round(value))
    if not isinstance(value, str):
        value = text(value)
    found = value.strip()
    if not found:
        return None
    if found.isdigit() and found.isascii():
        return int(found)
    folded = _nfkc(found)
    match = _INT_RE.fullmatch(folded)
    if match is None:
        if folded.startswith("-") and _INT_RE.fullmatch(folded[1:].lstrip()):
            raise _negative(found)
        raise _not_integer(found)
    if _APPROXIMATE_CHARS.intersection(match[3]):
        raise NormalizeError(_("「%(value)s」不是确切的整数：请只填数字，如1200。") % {"value": found})
    if match[2] and match[2].strip(".0"):
        raise _not_integer(found)
    return int(match[1].replace(",", ""))


# --- lists ------------------------------------------------------------------------------------------------------------

_LIST_SEPARATORS_RE = re.compile(r"[、，,;；/／|｜\s]+")


def split_list(value) -> list[str]:
    """「教育、养老，文化;体育/科技」→ ["教育", "养老", "文化", "体育", "科技"]: split on 、，,;；/ and whitespace."""
    if value is None:
        return []
    if not isinstance(value, str):
        value = text(value)
    return [item for item in _LIST_SEPARATORS_RE.split(_INVISIBLE_RE.sub("", value)) if item]


# --- names ------------------------------------------------------------------------------------------------------------

_NON_WORD_RE = re.compile(r"[\W_]+")


def _fold(value: str) -> str:
    """NFKC, case-folded, without whitespace, punctuation, symbols, combining marks or brackets of any style.

    Idempotent: the loop ends on a string that is NFKC, case-folded and holds word characters only.
    """
    folded = _NON_WORD_RE.sub("", value.casefold())
    while not unicodedata.is_normalized("NFKC", folded):  # full-width letters and digits, compatibility characters
        folded = _NON_WORD_RE.sub("", unicodedata.normalize("NFKC", folded).casefold())
    return folded


fold = _fold  # public: the folding used by name_key, without dropping prefixes


def _district_names() -> list[str]:
    with DIVISIONS_FILE.open(encoding="utf-8") as f:
        return [row["name"] for row in csv.DictReader(f) if row["level"] == "district"]


#: Beijing's 16 district names (from the shipped division file, as loaded into Area).
DISTRICT_NAMES: tuple[str, ...] = tuple(_district_names())
#: Former names still found in offices' files: the counties that became districts in 2015 and the two inner-city
#: districts merged into 东城区 / 西城区 in 2010, with the district each now belongs to.
FORMER_DISTRICT_NAMES: dict[str, str] = {"密云县": "密云区", "延庆县": "延庆区", "崇文区": "东城区", "宣武区": "西城区"}
FORMER_DISTRICT_CODES: dict[str, str] = {"110228": "110118", "110229": "110119", "110103": "110101", "110104": "110102"}


def _short_name(name: str) -> str:
    return name[:-1] if name[-1] in "区县" else name


#: What `name_key` drops from the start of a name: the city and any district name, full or short (朝阳区, 朝阳).
NAME_PREFIXES: frozenset[str] = frozenset(
    ["北京市", "北京"]
    + [form for name in (*DISTRICT_NAMES, *FORMER_DISTRICT_NAMES) for form in (name, _short_name(name))]
)

_NAME_PREFIX_LENGTHS = sorted({len(prefix) for prefix in NAME_PREFIXES}, reverse=True)


def name_key(name: str, prefixes: frozenset[str] = NAME_PREFIXES) -> str:
    """The key that finds duplicate organizations without a USCC.

    NFKC, case-folded, without whitespace, punctuation or brackets, and without leading place names (北京市, 北京 and
    the district names of `prefixes`, repeatedly, as long as something is left): 「北京市朝阳区 阳光（志愿者）协会」,
    「朝阳区阳光(志愿者)协会」 and 「阳光志愿者协会」 have the same key. The district is dropped, so compare keys within
    one district. Pure and idempotent.
    """
    key = _fold(name or "")
    lengths = _NAME_PREFIX_LENGTHS if prefixes is NAME_PREFIXES else sorted({len(p) for p in prefixes}, reverse=True)
    stripped = True
    while stripped:
        stripped = False
        for length in lengths:
            if key[:length] in prefixes:  # the longest place name at the start decides
                if len(key) > length:
                    key = key[length:]
                    stripped = True
                break
    return key


# --- choices ----------------------------------------------------------------------------------------------------------


def _choice_key(value: str) -> str:
    return _fold(text(value))


class ChoiceResolver:
    """Reads a choice (TextChoices) from its Chinese label, its value (any case), or a synonym.

    Matching ignores full-/half-width, case, whitespace, punctuation and bracket style, so 「社区社会组织(备案)」
    and 「社区社会组织【备案】」 both match the label 「社区社会组织（备案）」. `synonyms` maps a word offices use to a
    choice value or label. Labels are read untranslated (the Chinese source) and in the active language.
    """

    def __init__(self, choices, synonyms: Mapping[str, str] | None = None):
        self.choices = choices
        self._exact: dict[str, str] = {}
        self._folded: dict[str, str] = {}
        with translation.override(None):
            source_labels = [(value, str(label)) for value, label in choices.choices]
        for value, label in source_labels:
            self._add(value, value)
            self._add(label, value)
        for synonym, target in (synonyms or {}).items():
            resolved = self._folded.get(_choice_key(target))
            if resolved is None:
                raise ValueError(f"synonym {synonym!r} points to {target!r}, which is not a value or label")
            self._add(synonym, resolved)
        for value, label in choices.choices:  # the active language's labels, where they add something
            self._add(str(label), value, strict=False)

    def _add(self, word: str, value: str, strict: bool = True) -> None:
        key = _choice_key(word)
        if self._folded.setdefault(key, value) != value and strict:
            raise ValueError(f"{word!r} would match both {self._folded[key]!r} and {value!r}")
        self._exact.setdefault(str(word), self._folded[key])

    def resolve(self, value) -> str | None:
        """The choice value, None for an empty cell; NormalizeError listing the allowed labels otherwise."""
        if value is None:
            return None
        if isinstance(value, str) and value in self._exact:
            return self._exact[value]
        key = _choice_key(value)
        if not key:
            return None
        if key in self._folded:
            if isinstance(value, str) and len(self._exact) < _CACHE_LIMIT:
                self._exact[value] = self._folded[key]
            return self._folded[key]
        raise NormalizeError(
            _("无法识别的「%(value)s」：应为以下之一：%(labels)s。")
            % {"value": text(value), "labels": "、".join(str(label) for label in self.choices.labels)}
        )


def _organization_kind_synonyms() -> dict[str, str]:
    from shuniu.organizations.choices import OrganizationKind as Kind

    return {
        "社团": Kind.SOCIAL_GROUP,
        "民非": Kind.PRIVATE_NON_ENTERPRISE,
        "民办非企业": Kind.PRIVATE_NON_ENTERPRISE,
        "社会服务机构": Kind.PRIVATE_NON_ENTERPRISE,  # the name used since the 2016 Charity Law
        "基金": Kind.FOUNDATION,
        "社区社会组织": Kind.COMMUNITY,
        "社区备案组织": Kind.COMMUNITY,
        "备案组织": Kind.COMMUNITY,
        "草根": Kind.GRASSROOTS,
        "未登记组织": Kind.GRASSROOTS,
        "高校学生社团": Kind.UNIVERSITY_CLUB,
        "学生社团": Kind.UNIVERSITY_CLUB,
        "人民团体": Kind.MASS_ORGANIZATION,
        "群团组织": Kind.MASS_ORGANIZATION,
    }


#: Words offices use for an organization kind → OrganizationKind value.
ORGANIZATION_KIND_SYNONYMS: dict[str, str] = _organization_kind_synonyms()


# --- areas ------------------------------------------------------------------------------------------------------------

_CITY_PREFIXES = ("北京市", "北京")
_OFFICE_SUFFIXES = ("人民政府", "政府", "办事处", "办")  # 三里屯街道办事处, 北宫镇人民政府, 三里屯街道办
#: The suffix each street-level kind's name ends with; the name without it is accepted too (三里屯, 南磨房).
_KIND_SUFFIXES = {"street": "街道", "area_office": "地区", "town": "镇", "township": "乡"}


def _area_key(value) -> str:
    """Half-width, no whitespace; a number as its digits; a 12-digit statistics code as its 6 or 9 leading digits."""
    if isinstance(value, bool):
        return text(value)
    if isinstance(value, _NUMBER):
        key = _number_text(value)
    else:
        key = "".join(_nfkc(text(value)).split())
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
                for form in (old, _short_name(old)):
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
        for form in (area.name, _short_name(area.name)):
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
        if not isinstance(value, bool) and len(self._district_index) < _CACHE_LIMIT:
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
        if len(self._cache) < _CACHE_LIMIT:
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
