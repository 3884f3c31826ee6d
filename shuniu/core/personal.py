"""The kinds of personal data the system keeps encrypted: how each is checked, normalised and masked.

A kind is what an encrypted field (`core.fields.EncryptedField`) is declared with; the normal form is what is
encrypted and hashed, so "１１０１０５…ｘ" and "110105…X" find the same record.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError

_SEPARATORS = re.compile(r"[\s\-－—()（）]+")


def _plain(value: str) -> str:
    """Full-width characters made ASCII, separators and surrounding spaces removed."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", str(value))).strip()


#
# Resident identity numbers (公民身份号码, GB 11643)
#


def ric_check_character(first17: str) -> str:
    return ric.calc_check_digit(first17 + "0")


def ric_normalize(value: str) -> str:
    """An 18-character identity number with upper-case X, or ValidationError in Chinese.

    Old 15-digit numbers (GB 11643-1989) are converted the official way (birth year 19yy, check character added);
    the address code is not checked against today's division list, since retired codes stay in people's numbers."""
    number = _plain(value).upper()
    if len(number) == 15 and number.isdigit():
        number = number[:6] + "19" + number[6:]
        number += ric_check_character(number)
    if len(number) != 18:
        raise ValidationError(_("公民身份号码应为18位（15位旧号码会自动升位）。"), code="length")
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValidationError(_("公民身份号码前17位应为数字，最后一位为数字或X。"), code="format")
    try:
        born = ric.get_birth_date(number)
    except StdnumError:
        raise ValidationError(_("公民身份号码中的出生日期（第7–14位）不是有效日期。"), code="birth_date") from None
    if born > timezone.localdate() or born < date(1890, 1, 1):
        raise ValidationError(_("公民身份号码中的出生日期（第7–14位）不合理。"), code="birth_date")
    if number[17] != ric_check_character(number[:17]):
        raise ValidationError(_("公民身份号码校验位不正确，请核对号码。"), code="checksum")
    return number


def ric_mask(number: str) -> str:
    """110105********002X: the address code and the last four characters."""
    return number[:6] + "*" * (len(number) - 10) + number[-4:] if len(number) > 10 else "*" * len(number)


#
# Phone numbers
#

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
#: area codes of three digits (Beijing 010, the 02x cities); every other area code has four
_SHORT_AREA_CODE = re.compile(r"^0(10|2\d)")
_LANDLINE = re.compile(r"^(0\d{2,3})(\d{7,8})$")


def phone_normalize(value: str) -> str:
    """A mainland mobile number (13800138000) or a landline with its area code (010-62345678), or ValidationError."""
    number = _plain(value)
    number = re.sub(r"^(\+86|0086)", "", number)
    if len(number) == 13 and number.startswith("86") and _MOBILE.match(number[2:]):
        number = number[2:]
    if _MOBILE.match(number):
        return number
    if number.isdigit() and number.startswith("0"):
        area_length = 3 if _SHORT_AREA_CODE.match(number) else 4
        area, local = number[:area_length], number[area_length:]
        if _LANDLINE.match(number) and 7 <= len(local) <= 8 and local[0] not in "01":
            return f"{area}-{local}"
    raise ValidationError(
        _("电话号码应为11位手机号（1开头，第二位3–9）或带区号的固定电话（如 010-62345678）。"), code="phone"
    )


def phone_mask(number: str) -> str:
    """138****5678, 010-****5678: what stays is the area code or the network prefix and the last four digits."""
    if "-" in number:
        area, local = number.split("-", 1)
        return f"{area}-{'*' * max(len(local) - 4, 0)}{local[-4:]}"
    return number[:3] + "*" * max(len(number) - 7, 0) + number[-4:] if len(number) > 7 else "*" * len(number)


@dataclass(frozen=True)
class PersonalKind:
    """A kind of personal data: `purpose` names it in the ciphertext and the hash (never change it)."""

    purpose: str
    normalize: callable
    mask: callable


IDENTITY_NUMBER = PersonalKind(purpose="ric", normalize=ric_normalize, mask=ric_mask)
PHONE_NUMBER = PersonalKind(purpose="phone", normalize=phone_normalize, mask=phone_mask)


def mask_personal_number(text: str) -> str:
    """`text` masked when it is an identity or phone number (for what is kept about a request, such as a search
    recorded with an export), unchanged otherwise."""
    for normalize, mask in ((ric_normalize, ric_mask), (phone_normalize, phone_mask)):
        try:
            return mask(normalize(text))
        except ValidationError:
            continue
    return text
