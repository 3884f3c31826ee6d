"""Unified social credit code (GB 32100-2015): check digit with python-stdnum, and agreement with the kind.

Every refusal names the character position, what it found and what was expected.
"""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.cn import uscc as stdnum_uscc

from .choices import REGISTERED_KIND_CATEGORY, OrganizationKind

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CIVIL_AFFAIRS = "5"


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
    for position, char in enumerate(code, start=1):
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
    expected = stdnum_uscc.calc_check_digit(code[:17])
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
