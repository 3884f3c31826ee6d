"""Rules on a record's values that several models share, written once so that the form, the API (both through the
model's `clean()`) and the import (through the model's `value_errors`) refuse a value with the same message.

Messages are about the field they are attached to and do not name it: the form shows them under the field, the API
under its name, the import after the column's header (「成立登记日期」2030-01-01 晚于今天。)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

#: a date of something that has happened (a founding, a recognition) set after today
FUTURE_DATE = _("%(day)s 晚于今天。")


def not_after_today(values: Mapping[str, Any], names: Iterable[str], *, today: date | None = None) -> dict[str, list]:
    """Field → [message] for those of the date fields `names` whose value in `values` lies after today (a field
    missing from `values` or empty is not checked)."""
    errors: dict[str, list] = {}
    for name in names:
        day = values.get(name)
        if day is not None and day > (today or timezone.localdate()):
            errors[name] = [str(FUTURE_DATE % {"day": day.isoformat()})]
    return errors
