"""One policy for a date a user asks about, on every surface (README, "Dates you ask about"; `shuniu.core.dates`).

The surfaces are discovered, not listed:

- every URL pattern of the site and the API (as `test_scope_leaks` finds them), with the as-of parameters its view
  declares: a page's `as_of_params` (`AsOfViewMixin`), the `AsOfFilter` filters of a list page's `filterset` or an
  API list's `filterset_class`, the `AsOfSerializerField` fields of an API view's `query_serializer_class`;
- every management command of the project's apps (sub-commands too), with each option whose `type` is
  `as_of_argument`.

Each is asked, as the city's administrator, for a malformed day (2015-13-45, abc, empty) and for tomorrow. Expected:
an API answers 400 with the policy's message under the parameter's name; a page answers as it does without the
parameter, shows the message and nothing computed for its default day (a list lists nothing); a command ends with
CommandError carrying the message (and, from the command line, a non-zero exit status). An optional list filter left
empty filters nothing (the filter form sends every field): that is checked too, as not an error.

A surface that reads a day its own way fails `test_no_day_is_read_another_way`: a date filter that is not an
`AsOfFilter` in a FilterSet behind any URL, a date field that is not an `AsOfSerializerField` in a query serializer,
a command option that looks like a date without `type=as_of_argument`; and, in a module that reads requests or
command lines (views, API, filtersets, forms, URL confs, modules, management commands), a call of `fromisoformat`,
`strptime`, `parse_date` or `parse_datetime`, or a form with a plain `DateField` built from the request's query.
What is not a day one asks about is listed in `NOT_AS_OF`, each with its reason.
"""

from __future__ import annotations

import argparse
import ast
import html
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import import_module
from pathlib import Path

import django_filters
import pytest
from django import forms
from django.core.management import call_command, get_commands, load_command_class
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from rest_framework import serializers
from rest_framework.views import APIView

import shuniu
from shuniu.accounts.testing import user_with_role
from shuniu.core.dates import (
    AsOfDateError,
    AsOfFilter,
    AsOfFormField,
    AsOfSerializerField,
    AsOfViewMixin,
    as_of_argument,
    parse_as_of,
)
from shuniu.hubs.tests.factories import HubFactory, LinkFactory

from .test_scope_leaks import Pattern, url_patterns

MALFORMED = ("2015-13-45", "abc", "")

#: what is not a day one asks about, and why; a key names a filter (`FilterSet.name`), a command option
#: (`command [sub-command] --option`), a module's call (`path:function`) or a query form's field (`Form.field`)
NOT_AS_OF = {
    "ObjectChangeFilterSet.since": "a bound on the audit log's timestamps, not a state as of a day",
    "ObjectChangeFilterSet.until": "a bound on the audit log's timestamps, not a state as of a day",
    "audit archive --before": "the archive's cutoff, under the retention rule; strict ISO on purpose (it may purge)",
    "shuniu/audit/management/commands/audit.py:fromisoformat": "reads --before (see above)",
}

#: modules where requests and command lines are read
READERS = {"views.py", "filtersets.py", "forms.py", "urls.py", "module.py", "middleware.py"}
PARSERS = {"fromisoformat", "strptime", "parse_date", "parse_datetime"}


def expected_message(value: str) -> str:
    try:
        parse_as_of(value)
    except AsOfDateError as error:
        return error.text
    raise AssertionError(f"{value!r} is accepted")


def bad_values() -> list[str]:
    return [*MALFORMED, (timezone.localdate() + timedelta(days=1)).isoformat()]


#
# The parser
#

TODAY = date(2026, 12, 6)


@pytest.mark.parametrize(
    "text", ["2015-06-30", "2015-6-30", "2015/6/30", "2015.6.30", "20150630", "2015年6月30日", "２０１５－０６－３０ "]
)
def test_what_users_type_is_read(text):
    assert parse_as_of(text, today=TODAY) == date(2015, 6, 30)


@pytest.mark.parametrize(
    ("text", "code", "message"),
    [
        ("", "required", "请填写日期，例如 2015-06-30。"),
        ("abc", "invalid", "日期「abc」无法识别"),
        ("30/6/2015", "invalid", "四位年份在前"),
        ("2015-06", "invalid", "无法识别"),
        ("2015-6/30", "invalid", "无法识别"),
        ("15-06-30", "invalid", "无法识别"),
        ("2015-13-45", "month", "日期「2015-13-45」无效：月份应在 1 到 12 之间。"),
        ("2015-02-29", "day", "日期「2015-02-29」不存在：2015年2月只有 28 天。"),
        ("2026-12-07", "future", "日期 2026-12-07 晚于今天（2026-12-06）：只能查询今天及以前的情况。"),
        ("1899-12-31", "too_early", "日期 1899-12-31 早于 1900-01-01：系统中没有更早的记录。"),
        ("0000-01-01", "too_early", "早于 1900-01-01"),
    ],
)
def test_what_the_policy_refuses_is_named(text, code, message):
    with pytest.raises(AsOfDateError) as refused:
        parse_as_of(text, today=TODAY)
    assert refused.value.code == code
    assert message in refused.value.text


def test_today_and_the_earliest_day_are_accepted():
    assert parse_as_of("2026-12-06", today=TODAY) == TODAY
    assert parse_as_of("1900-01-01", today=TODAY) == date(1900, 1, 1)
    assert parse_as_of(date(2016, 2, 29), today=TODAY) == date(2016, 2, 29)


@given(st.dates(min_value=date(1900, 1, 1), max_value=TODAY))
def test_every_accepted_way_of_writing_a_day_reads_back(day):
    for text in (
        day.isoformat(),
        f"{day.year}/{day.month}/{day.day}",
        f"{day.year}.{day.month}.{day.day}",
        day.strftime("%Y%m%d"),
        f"{day.year}年{day.month}月{day.day}日",
    ):
        assert parse_as_of(text, today=TODAY) == day


@given(st.text(max_size=20))
def test_any_text_is_a_day_or_a_named_refusal(text):
    try:
        day = parse_as_of(text, today=TODAY)
    except AsOfDateError as error:
        assert error.code in {"required", "invalid", "month", "day", "future", "too_early"}
    else:
        assert date(1900, 1, 1) <= day <= TODAY


#
# Discovery
#


@dataclass(frozen=True)
class Surface:
    kind: str  # "page", "list" (a list page's filter), "api" (a query parameter), "api list" (an API list's filter)
    pattern: str
    param: str
    required: bool = True  # an empty value is an error (else: an optional filter, empty filters nothing)
    default: object = None  # a page's day when the parameter is absent
    filters: bool = False  # a filter of the page's list: a bad day lists nothing

    def __str__(self):
        return f"{self.kind} {self.pattern} ?{self.param}="


def _is_api(view) -> bool:
    return isinstance(view, type) and issubclass(view, APIView)


def _filterset(pattern: Pattern):
    view = pattern.view
    if _is_api(view):
        if getattr(view, "get_extra_action_url_map", None) and not pattern.name.endswith("-list"):
            return None  # a viewset's detail and actions: its filters belong to its list
        return getattr(view, "filterset_class", None)
    return getattr(view, "filterset", None)


def surfaces() -> list[Surface]:
    found: dict[tuple[str, str], Surface] = {}
    for pattern in url_patterns():
        if "GET" not in pattern.methods or not isinstance(pattern.view, type):
            continue
        view, api = pattern.view, _is_api(pattern.view)
        filterset = _filterset(pattern)
        if issubclass(view, AsOfViewMixin):
            for name, default in view.as_of_params.items():
                filters = filterset is not None and name in filterset.base_filters
                found[pattern.name, name] = Surface("page", pattern.name, name, default=default, filters=filters)
        for name, item in filterset.base_filters.items() if filterset else ():
            if isinstance(item, AsOfFilter) and (pattern.name, name) not in found:
                kind, required = ("api list" if api else "list"), item.extra.get("required", False)
                found[pattern.name, name] = Surface(kind, pattern.name, name, required=required, filters=not api)
        query = getattr(view, "query_serializer_class", None)
        for name, field in query().fields.items() if query else ():
            if isinstance(field, AsOfSerializerField):
                found[pattern.name, name] = Surface("api", pattern.name, name)
    return sorted(found.values(), key=str)


def command_options():
    """(command, sub-commands, argparse action) for every option of the project's management commands."""

    def walk(parser, command, path):
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub, subparser in action.choices.items():
                    yield from walk(subparser, command, [*path, sub])
            elif action.option_strings:
                yield command, path, action

    for name, app in sorted(get_commands().items()):
        if app.startswith("shuniu"):
            yield from walk(load_command_class(app, name).create_parser("shuniu", name), name, [])


def option_key(command, path, action) -> str:
    return " ".join([command, *path, max(action.option_strings, key=len)])


#
# The world: a hub with linked organizations, and the city's administrator
#


@pytest.fixture
def city_client(db):
    link = LinkFactory(hub=HubFactory(recognized_on=date(2010, 1, 1)), start_date=date(2012, 1, 1))
    LinkFactory(hub=link.hub, start_date=date(2013, 1, 1))
    client = Client()
    client.force_login(user_with_role("city-admin"))
    return client


def address_of(name: str) -> str:
    pattern = next(pattern for pattern in url_patterns() if pattern.name == name)
    kwargs = {}
    for param in pattern.params:
        if param == "pk" and pattern.model is not None and pattern.model._default_manager.exists():
            kwargs[param] = pattern.model._default_manager.order_by("pk").first().pk
        elif param == "dimension":
            kwargs[param] = "district"
        else:
            raise AssertionError(f"teach test_as_of_policy how to fill {param!r} of {name}")
    return reverse(name, kwargs=kwargs or None)


#
# The sweep
#


def test_the_sweep_finds_the_surfaces_of_the_issue():
    """The discovery itself: the surfaces issue 11 names are among those found."""
    found = {(surface.kind, surface.pattern.split(":")[-1], surface.param) for surface in surfaces()}
    for expected in [
        ("page", "dashboard", "as_of"),
        ("page", "coverage", "as_of"),
        ("page", "coverage_growth", "start"),
        ("page", "coverage_growth", "end"),
        ("page", "hub", "as_of"),
        ("page", "organization_uncovered", "uncovered_on"),
        ("list", "organization_list", "covered_on"),
        ("api", "coverage", "as_of"),
        ("api", "coverage_trend", "until"),
        ("api list", "organization-list", "covered_on"),
    ]:
        assert expected in found, f"{expected} not found among {sorted(found)}"
    options = {option_key(*option) for option in command_options() if option[2].type is as_of_argument}
    assert {"export --as-of", "coverage --as-of"} <= options


@pytest.mark.parametrize("surface", surfaces(), ids=str)
def test_every_surface_refuses_a_bad_day(city_client, surface):
    address = address_of(surface.pattern)
    normal = city_client.get(address)
    for value in bad_values():
        response = city_client.get(address, {surface.param: value})
        if value == "" and not surface.required:  # an optional filter left empty filters nothing
            assert response.status_code == normal.status_code == 200, f"{surface} empty → {response.status_code}"
            continue
        message = expected_message(value)
        if surface.kind.startswith("api"):
            assert response.status_code == 400, f"{surface}{value} → {response.status_code}"
            assert response.json()[surface.param] == [message], f"{surface}{value}: {response.json()}"
            continue
        assert response.status_code == normal.status_code, f"{surface}{value} → {response.status_code}"
        content = html.unescape(response.content.decode())
        assert message in content, f"{surface}{value}: the message is not shown"
        if surface.filters:
            assert len(response.context["table"].data) == 0, f"{surface}{value}: the list lists rows"
        if surface.kind == "page":
            default = surface.default() if callable(surface.default) else surface.default
            assert default.isoformat() in html.unescape(normal.content.decode())  # the page shows its day
            assert default.isoformat() not in content.replace(message, ""), (
                f"{surface}{value}: the page shows figures for {default} instead"
            )


@pytest.mark.parametrize(
    "option",
    [option for option in command_options() if option[2].type is as_of_argument],
    ids=lambda option: option_key(*option),
)
def test_every_command_refuses_a_bad_day(db, option):
    command, path, action = option
    for value in bad_values():
        with pytest.raises(CommandError) as refused:
            call_command(command, *path, f"{max(action.option_strings, key=len)}={value}")
        assert expected_message(value) in str(refused.value)


def test_the_command_line_exits_non_zero_with_the_message(tmp_path):
    environment = {**os.environ, "PYTHONPATH": str(Path(shuniu.__file__).parent.parent)}
    environment.setdefault("DJANGO_SETTINGS_MODULE", "shuniu.config.settings.test")
    done = subprocess.run(
        [sys.executable, "-m", "django", "coverage", "--as-of", "2015-13-45"],
        capture_output=True,
        text=True,
        env=environment,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode != 0
    assert expected_message("2015-13-45") in done.stderr


#
# Nothing reads a day another way
#


def _date_like_filter(item) -> bool:
    field_class = getattr(item, "field_class", None)
    return isinstance(item, django_filters.DateFilter | django_filters.DateFromToRangeFilter) or (
        isinstance(field_class, type) and issubclass(field_class, forms.DateField | forms.DateTimeField)
    )


def _date_like_option(action) -> bool:
    names = [action.dest, *(option.lstrip("-").replace("-", "_") for option in action.option_strings)]
    words = {word for name in names for word in name.split("_")}
    help_text = str(action.help or "")
    return bool(words & {"as", "date", "day", "on", "until", "since", "before", "after"}) or any(
        hint in help_text for hint in ("YYYY-MM-DD", "年-月-日")
    )


def _reader_modules():
    root = Path(shuniu.__file__).parent
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root.parent)
        parts = set(relative.parts)
        if parts & {"tests", "migrations"} or relative.as_posix() == "shuniu/core/dates.py":
            continue
        if path.name in READERS or parts & {"api", "views", "commands"}:
            yield relative.as_posix(), path


def _reads_the_query(node: ast.Call) -> bool:
    """A call given the request's query (`request.GET`, `self.request.GET`, `request.query_params`)."""
    values = [*node.args[:1], *(keyword.value for keyword in node.keywords if keyword.arg == "data")]
    return any(ast.unparse(value).endswith(("request.GET", "request.query_params")) for value in values)


def _hand_parsers(source: str, module: str, namespace: dict):
    """`module:function` for each call of a date parser; `Form.field` for each date field, not an `AsOfFormField`,
    of a form built from the request's query (`namespace`: the module's names, to find the form class)."""
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
        if name in PARSERS:
            yield f"{module}:{name}", node.lineno
        form = namespace.get(name)
        if isinstance(form, type) and issubclass(form, forms.BaseForm) and _reads_the_query(node):
            for field_name, field in form.base_fields.items():
                if isinstance(field, forms.DateField | forms.DateTimeField) and not isinstance(field, AsOfFormField):
                    yield f"{form.__name__}.{field_name}", node.lineno


def test_no_day_is_read_another_way():
    found = []
    for pattern in url_patterns():
        if not isinstance(pattern.view, type):
            continue
        filterset = getattr(pattern.view, "filterset", None) or getattr(pattern.view, "filterset_class", None)
        for name, item in filterset.base_filters.items() if filterset else ():
            key = f"{filterset.__name__}.{name}"
            if _date_like_filter(item) and not isinstance(item, AsOfFilter) and key not in NOT_AS_OF:
                found.append(f"{key} (behind {pattern.name}): use shuniu.core.dates.AsOfFilter")
        query = getattr(pattern.view, "query_serializer_class", None)
        for name, field in query().fields.items() if query else ():
            date_field = isinstance(field, serializers.DateField | serializers.DateTimeField)
            if date_field and not isinstance(field, AsOfSerializerField):
                found.append(f"{query.__name__}.{name} (behind {pattern.name}): use AsOfSerializerField")
    for command, path, action in command_options():
        key = option_key(command, path, action)
        if _date_like_option(action) and action.type is not as_of_argument and key not in NOT_AS_OF:
            found.append(f"`{key}`: use type=shuniu.core.dates.as_of_argument")
    for module, path in _reader_modules():
        namespace = vars(import_module(module.removesuffix(".py").replace("/", ".")))
        for key, line in _hand_parsers(path.read_text(encoding="utf-8"), module, namespace):
            if key not in NOT_AS_OF:
                found.append(f"{module}:{line} ({key}): read the day with shuniu.core.dates")
    assert not found, "days read outside the as-of policy (or list them in NOT_AS_OF with the reason):\n" + "\n".join(
        sorted(set(found))
    )


def test_the_guard_finds_a_page_that_parses_its_own_day():
    """The guard itself: a view that reads `?as_of=` with `date.fromisoformat`, or with a form's DateField, is
    caught; a form bound to posted data (a record's own dates) is not."""

    class ReportForm(forms.Form):
        day = forms.DateField()

    source = (
        "class ReportView(View):\n"
        "    def get(self, request):\n"
        "        day = date.fromisoformat(request.GET['as_of'])\n"
        "        form = ReportForm(self.request.GET)\n"
        "    def post(self, request):\n"
        "        form = ReportForm(request.POST)\n"
    )
    found = _hand_parsers(source, "shuniu/x/views.py", {"ReportForm": ReportForm})
    assert sorted(key for key, _line in found) == [
        "ReportForm.day",
        "shuniu/x/views.py:fromisoformat",
    ]
    assert _date_like_option(argparse.ArgumentParser().add_argument("--as-of"))
    assert _date_like_filter(django_filters.DateFilter())
