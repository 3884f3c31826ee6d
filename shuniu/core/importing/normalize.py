"""Value normalisers for imported spreadsheet cells: offices' ways of writing a value → one clean value.

Every function takes the raw cell as a reader returns it (str, int, float, bool, date, datetime or None) and either
returns the clean value or raises `NormalizeError` with a Chinese message saying what was found and what is expected.
The importer calls them for every cell of files with 100,000 rows, so the common cases take a fast path (plain ASCII,
exact dictionary hits), and nothing here touches the database. What needs the domain's data lives with its app:
districts and streets (`shuniu.areas.resolvers.AreaResolver`), an organization's name key (`organizations.names`).
"""

from __future__ import annotations

import datetime
import math
import re
import unicodedata
from collections.abc import Mapping

from django.utils import translation
from django.utils.translation import gettext as _


class NormalizeError(ValueError):
    """A cell that cannot be read; the message (Chinese) says what was found and what is expected."""


NUMBER = _NUMBER = (int, float)
CACHE_LIMIT = _CACHE_LIMIT = 10_000  # resolvers remember up to this many spellings they had to fold


def _nfkc(value: str) -> str:
    return value if value.isascii() else unicodedata.normalize("NFKC", value)


def _number_text(value: int | float) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


nfkc, number_text = _nfkc, _number_text  # public: for the resolvers of the domain apps


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
