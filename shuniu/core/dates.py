"""The date a user asks about ("as of"): one parser, one policy, and the adapters every surface uses.

A page, an API endpoint, a list filter, an export and a command that show figures or records *as of a day* read that
day here, so that one value gets one answer everywhere (README, "Dates you ask about"):

- **written year first, with a four-digit year**: 2015-06-30, 2015-6-30, 2015/6/30, 2015.6.30, 20150630 and
  2015年6月30日 (full-width digits too) all mean 30 June 2015. Nothing else is guessed: no two-digit year, no day
  first (30/6/2015 and 6/30/2015 cannot both be right), no month alone (2015-06 names no day);
- **not later than today** (`timezone.localdate()`, Asia/Shanghai): the registry records what has happened; what will
  hold on a later day (a deregistration, a link ended) is not known yet, so a figure for it would be a guess;
- **not earlier than `EARLIEST`** (1900-01-01): no record holds an earlier date (it is the earliest founding date an
  organization may have), so every answer would be empty and the date is a typo. Days before the hub system (2008)
  are accepted: the registry's lists have meaning then, and coverage is truly nil;
- **absent** means the surface's default (today, or the default the page states); a value that is **empty or
  malformed is an error**, never silently replaced: a page shows the message and no figures, the API answers 400
  under the parameter's name, a command exits non-zero. An *optional list filter* left empty filters nothing (the
  filter form sends every field), which is not a replacement.

Adapters: `AsOfViewMixin` (pages: declares `as_of_params`, reads one with `as_of()`), `AsOfFormField` and
`AsOfFilter` (forms and django-filter FilterSets, for the lists and the API lists), `AsOfSerializerField` (API
query serializers) and `as_of_argument` (argparse `type=` for management commands). The sweep test
`shuniu/core/tests/test_as_of_policy.py` finds every surface by these adapters and refuses any other way of reading
a date from a request or a command line.
"""

from __future__ import annotations

import argparse
import calendar
import datetime
import re
import unicodedata
from collections.abc import Callable

import django_filters
from django import forms
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.fields import empty

#: the earliest day one may ask about: the earliest founding date a record may hold
EARLIEST = datetime.date(1900, 1, 1)

#: year, month, day with one separator used twice (2015-6-30, 2015/6/30, 2015.6.30), or 20150630, or 2015年6月30日
_SEPARATED = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})", re.ASCII)
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})", re.ASCII)
_CHINESE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]", re.ASCII)

MESSAGES = {
    "required": _("请填写日期，例如 2015-06-30。"),
    "invalid": _(
        "日期「%(value)s」无法识别：请按“年-月-日”填写，四位年份在前，例如 2015-06-30（也可写作 2015/6/30、"
        "20150630 或 2015年6月30日）。"
    ),
    "month": _("日期「%(value)s」无效：月份应在 1 到 12 之间。"),
    "day": _("日期「%(value)s」不存在：%(year)d年%(month)d月只有 %(days)d 天。"),
    "future": _("日期 %(value)s 晚于今天（%(today)s）：只能查询今天及以前的情况。"),
    "too_early": _("日期 %(value)s 早于 %(earliest)s：系统中没有更早的记录。"),
}


class AsOfDateError(ValidationError):
    """A date a user asked about that the policy refuses; `code` names the rule (see `MESSAGES`)."""

    def __init__(self, code: str, **params):
        super().__init__(MESSAGES[code], code=code, params=params)

    @property
    def text(self) -> str:
        return self.messages[0]


def _read(text: str, earliest: datetime.date) -> datetime.date:
    found = unicodedata.normalize("NFKC", text).strip()  # full-width digits and separators from a Chinese IME
    match = _SEPARATED.fullmatch(found) or _COMPACT.fullmatch(found) or _CHINESE.fullmatch(found)
    if not match:
        shown = text.strip()
        raise AsOfDateError("invalid", value=shown if len(shown) <= 40 else f"{shown[:40]}…")
    numbers = [int(part) for part in match.groups() if part.isdigit()]
    year, month, day = numbers
    if not 1 <= month <= 12:
        raise AsOfDateError("month", value=text.strip())
    if year < 1:  # no such year: before any earliest day
        raise AsOfDateError("too_early", value=text.strip(), earliest=earliest.isoformat())
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        raise AsOfDateError("day", value=text.strip(), year=year, month=month, days=days)
    return datetime.date(year, month, day)


def parse_as_of(
    value: str | datetime.date | None, *, today: datetime.date | None = None, earliest: datetime.date = EARLIEST
) -> datetime.date:
    """The day `value` names, under the policy above; raises `AsOfDateError` (a ValidationError) with a message in
    the user's language naming the rule broken. `None` and an empty text are refused too: the caller applies its
    default only when the parameter is absent."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise AsOfDateError("required")
    if isinstance(value, datetime.datetime):
        raise AsOfDateError("invalid", value=value.isoformat())
    day = value if isinstance(value, datetime.date) else _read(str(value), earliest)
    today = today or timezone.localdate()
    if day > today:
        raise AsOfDateError("future", value=day.isoformat(), today=today.isoformat())
    if day < earliest:
        raise AsOfDateError("too_early", value=day.isoformat(), earliest=earliest.isoformat())
    return day


#
# Pages
#


def read_as_of(
    query, name: str = "as_of", *, default: datetime.date | Callable[[], datetime.date] = timezone.localdate
) -> tuple[datetime.date | None, str | None]:
    """The day a page's query parameter `name` asks about and no message, or no day and the message to show.
    `default` (a callable is called) only when the parameter is absent."""
    if name not in query:
        return (default() if callable(default) else default), None
    try:
        return parse_as_of(query.get(name)), None
    except AsOfDateError as error:
        return None, error.text


class AsOfViewMixin:
    """A page that shows figures or records as of a day the user asks about.

    `as_of_params` maps each query parameter that carries such a day to its default when absent (a date, or a
    callable such as `timezone.localdate`): the sweep test requests the page with each set to bad values and expects
    the message and nothing computed for the default. `as_of(request, name)` reads one (a name not declared is a
    programming error, so a page cannot read a day the sweep does not know about). On a bad value the page shows the
    message in its date form and computes nothing."""

    as_of_params: dict[str, datetime.date | Callable[[], datetime.date]] = {}

    def as_of(self, request, name: str = "as_of") -> tuple[datetime.date | None, str | None]:
        if name not in self.as_of_params:
            raise ImproperlyConfigured(f"{type(self).__name__} reads {name!r}: declare it in as_of_params")
        return read_as_of(request.GET, name, default=self.as_of_params[name])


class AsOfFormField(forms.Field):
    """A form field for a day one asks about (a list's filter, a page's date form)."""

    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    default_error_messages = {"required": MESSAGES["required"]}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        return parse_as_of(value)


class AsOfFilter(django_filters.DateFilter):
    """A FilterSet's filter on a day one asks about: the list page shows the message beside the filter and lists
    nothing; the API list answers 400 under the filter's name. Left empty, an optional filter filters nothing."""

    field_class = AsOfFormField


#
# API
#


class AsOfSerializerField(serializers.DateField):
    """A query parameter of the API naming a day one asks about: a bad value answers 400 under the parameter's name.
    An empty value (`?as_of=`) is a bad value, not the default."""

    default_error_messages = {"required": MESSAGES["required"]}

    def get_value(self, dictionary):
        return dictionary.get(self.field_name, empty)  # not DRF's "empty HTML input means absent"

    def to_internal_value(self, value):
        try:
            return parse_as_of(value)
        except AsOfDateError as error:
            raise serializers.ValidationError(error.text, code=error.code) from None


#
# Commands
#


def as_of_argument(value: str) -> datetime.date:
    """argparse `type=` for a command's day: a bad value ends the command with the message (Django's command parser
    raises CommandError when called from code, and exits with status 2 from the command line)."""
    try:
        return parse_as_of(value)
    except AsOfDateError as error:
        raise argparse.ArgumentTypeError(error.text) from None
