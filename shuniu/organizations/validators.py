"""Unified social credit code (GB 32100-2015): the check digit and agreement with the kind.

Every refusal names the character position, what it found and what was expected.
"""

import operator
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .choices import REGISTERED_KIND_CATEGORY, OrganizationKind

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CIVIL_AFFAIRS = "5"
_WELL_FORMED = re.compile(r"[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}")
_VALUES = {char: value for value, char in enumerate(USCC_ALPHABET)}
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_check_digit(body: str) -> str:
    """GB 32100-2015 check digit of the first 17 characters: the same as `stdnum.cn.uscc.calc_check_digit` (a test
    holds them equal), without its per-call cleaning, because an import computes it for every row."""
    total = sum(map(operator.mul, map(_VALUES.__getitem__, body[:17]), _WEIGHTS))
    return USCC_ALPHABET[(31 - total) % 31]


def uscc_normalize(value: str) -> str:
    """Full-width to half-width, strip spaces and dashes, upper case."""
    value = unicodedata.normalize("NFKC", value or "")
    return "".join(value.split()).replace("-", "").upper()


def uscc_validate(value: str) -> str:
    """Return the normalized code or raise ValidationError saying which character is wrong."""
    code = uscc_normalize(value)
    if len(code) != 18:
        raise ValidationError(
            _("统一社会信用代码应为18位，实际为%(length)d位。"), code="uscc_length", params={"length": len(code)}
        )
    for position, char in enumerate(code if not _WELL_FORMED.fullmatch(code) else "", start=1):
        if 3 <= position <= 8 and not char.isdigit():
            raise ValidationError(
                _("第%(position)d位「%(char)s」不合法：第3–8位是登记管理机关行政区划码，应为数字。"),
                code="uscc_char",
                params={"position": position, "char": char},
            )
        if char not in USCC_ALPHABET:
            raise ValidationError(
                _("第%(position)d位「%(char)s」不合法：统一社会信用代码只用数字和除 I、O、Z、S、V 以外的大写字母。"),
                code="uscc_char",
                params={"position": position, "char": char},
            )
    expected = uscc_check_digit(code[:17])
    if expected != code[17]:
        raise ValidationError(
            _("第18位校验码应为「%(expected)s」，实际为「%(actual)s」：请核对代码是否抄错。"),
            code="uscc_checksum",
            params={"expected": expected, "actual": code[17]},
        )
    return code


def uscc_validate_kind(code: str, kind: str) -> None:
    """A civil-affairs code (authority 5, category 1/2/3) must match the kind, and a registered kind needs one."""
    kind_label = OrganizationKind(kind).label
    expected_category = REGISTERED_KIND_CATEGORY.get(kind)
    authority, category = code[0], code[1]
    if expected_category:
        if authority != CIVIL_AFFAIRS:
            raise ValidationError(
                _("第1位登记管理部门码为「%(actual)s」，%(kind)s由民政部门登记，应为「5」。"),
                code="uscc_kind",
                params={"actual": authority, "kind": kind_label},
            )
        if category != expected_category:
            raise ValidationError(
                _("第2位机构类别码为「%(actual)s」，与类型「%(kind)s」不符，应为「%(expected)s」。"),
                code="uscc_kind",
                params={"actual": category, "kind": kind_label, "expected": expected_category},
            )
    elif authority == CIVIL_AFFAIRS and category in REGISTERED_KIND_CATEGORY.values():
        registered_kind = next(k for k, c in REGISTERED_KIND_CATEGORY.items() if c == category)
        raise ValidationError(
            _("代码前两位「5%(category)s」表示民政登记的%(registered)s，与类型「%(kind)s」不符。"),
            code="uscc_kind",
            params={"category": category, "registered": registered_kind.label, "kind": kind_label},
        )
