"""No page leaks a record outside the user's scope, through related records or side channels.

For every role, every URL pattern of the site and the API is requested: each page that takes a record is requested
for every record of the world it names (in scope or not); each page also with the query parameters that name related
records (`?organization=`, `?hub=`, `?parent=`, …) set to records outside the user's scope, by GET and by POST, and
as a CSV export. No response may contain the name or another identifier of a record the user may not
see (its name, unique codes, its page's and its API address), whatever the status code.

The URL patterns and the models are discovered, not listed: a new page is covered without being named here, and a
pattern this test does not know how to fill fails `test_every_url_pattern_is_covered` until it is taught.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.db import models
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, resolve, reverse

from shuniu.hubs.choices import LinkRole
from shuniu.hubs.services import link_update
from shuniu.hubs.tests.factories import LinkFactory

from .access_cases import CASES, ROLE_SCOPES, add_city_hub, build_world, make_user

pytestmark = pytest.mark.django_db

#: patterns that are not pages of records: signing in and out, the language switch, Django's admin (superusers only)
NOT_RECORD_PAGES = {"login", "logout", "set_language"}
NOT_RECORD_PREFIXES = ("admin:",)
#: path parameters that name a record of another model than the view's
PATH_MODELS = {"assignment": "accounts.RoleAssignment", "token": "accounts.ApiToken"}
#: values for path parameters that do not name a record
PATH_VALUES = {
    "dimension": lambda: __import__("shuniu.indicators.selectors", fromlist=["DIMENSIONS"]).DIMENSIONS,
    "kind": lambda: ["organizations", "hubs", "links"],
    "what": lambda: ["source", "rejected", "result"],
    # the record pickers' look-up: every declared model, asked with nothing typed (the world's records of each model
    # are fewer than one answer holds, so every record the user may pick is in it, and no other may be)
    "model": lambda: sorted(__import__("shuniu.core.lookups", fromlist=["lookups"]).lookups()),
}


def related_world():
    """The access matrix's world, with the relations that cross scopes: a city hub above both district hubs and
    linking an organization of each district (`add_city_hub`), and the district-B hub serving an organization of
    district A. Each link is changed once, so that the change logs hold rows about related records."""
    w = add_city_hub(build_world())
    w.link_b_a = LinkFactory(hub=w.hub_b, organization=w.a, role=LinkRole.SERVE, start_date=date(2017, 1, 1))
    for link in (w.link_city_a, w.link_city_b, w.link_b_a, w.link_a, w.link_b):
        link.basis = f"文号{link.pk}"
        link_update(link=link)
    return w


#
# What identifies a record
#


def scoped_models():
    return [model for model in apps.get_models() if getattr(model, "scope", None) is not None]


def api_url(record) -> str | None:
    try:
        return reverse(f"{record._meta.app_label}-api:{record._meta.model_name}-detail", kwargs={"pk": record.pk})
    except NoReverseMatch:
        return None


def identifiers(record) -> set[str]:
    """The texts by which a page could reveal `record`: its name, its unique codes and names, its addresses."""
    found = {str(record)}
    for field in record._meta.concrete_fields:
        if isinstance(field, models.CharField) and (field.unique or field.name.endswith(("name", "uscc"))):
            found.add(str(getattr(record, field.name) or ""))
    try:
        page = record.get_absolute_url()
    except (AttributeError, NoReverseMatch):
        page = None
    for address in (page, api_url(record)):
        if address and "#" not in address:
            found.add(address)
    return {text for text in found if len(text) >= 4}


@dataclass
class Secrets:
    """What `user` may not see: identifier → the record it names; and one record per scoped model outside."""

    texts: dict[str, object]
    outside: dict[type, list]

    def leaks(self, content: str) -> list[str]:
        plain = html.unescape(content)
        found = self.texts.items()
        return [f"{text!r} ({type(record).__name__} #{record.pk})" for text, record in found if text in plain]


def secrets_of(user) -> Secrets:
    hidden: dict[str, object] = {}
    allowed: set[str] = set()
    outside: dict[type, list] = {}
    for model in scoped_models():
        visible = set(model.objects.restrict(user, "view").values_list("pk", flat=True))
        for record in model._default_manager.all():
            if record.pk in visible:
                allowed |= identifiers(record)
            else:
                outside.setdefault(model, []).append(record)
                hidden.update((text, record) for text in identifiers(record))
    return Secrets({text: record for text, record in hidden.items() if text not in allowed}, outside)


#
# The URL patterns and how to fill them
#


@dataclass
class Pattern:
    name: str  # namespaced
    params: list[str]
    view: object  # the view class (or function)
    methods: set[str]

    @property
    def model(self):
        """The view's model, or the one its name begins with (`organizations:organization_personal_data`,
        `api_token_revoke`)."""
        queryset = getattr(self.view, "queryset", None)
        if queryset is not None:
            return queryset.model
        if getattr(self.view, "model", None) is not None:
            return self.view.model
        app, _, name = self.name.rpartition(":")
        words = name.split("_")
        prefixes = {"".join(words[: n + 1]) for n in range(len(words))}  # api_token_revoke: api, apitoken, …
        for model in apps.get_models():
            if (not app or model._meta.app_label == app.split(":")[0]) and model._meta.model_name in prefixes:
                return model
        return None


def url_patterns(patterns=None, namespace="") -> list[Pattern]:
    found = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else entry.namespace or namespace
            found += url_patterns(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            callback = entry.callback
            view = getattr(callback, "view_class", None) or getattr(callback, "cls", None) or callback
            actions = getattr(callback, "actions", None)
            if actions:
                methods = {method.upper() for method in actions}
            else:
                methods = {m.upper() for m in getattr(view, "http_method_names", ["get"]) if hasattr(view, m)}
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            params = list(entry.pattern.regex.groupindex)
            found.append(Pattern(name, params, view, methods - {"OPTIONS", "HEAD"}))
    return found


def is_record_page(pattern: Pattern) -> bool:
    return pattern.name not in NOT_RECORD_PAGES and not pattern.name.startswith(NOT_RECORD_PREFIXES)


def path_kwargs(pattern: Pattern, world_records) -> list[dict] | None:
    """Every way to fill the pattern's parameters from the world; None when this test does not know how."""
    params = [name for name in pattern.params if name != "format"]
    if not params:
        return [{}]
    if params == ["app_label", "model_name", "pk"]:  # a change log: every record of every audited model
        return [
            {"app_label": record._meta.app_label, "model_name": record._meta.model_name, "pk": record.pk}
            for records in world_records.values()
            for record in records
        ]
    fills = [{}]
    for name in params:
        if name in PATH_VALUES:
            values = list(PATH_VALUES[name]())
        elif name == "pk" and pattern.model is not None and pattern.model in world_records:
            values = [record.pk for record in world_records[pattern.model]]
        elif name == "pk" and pattern.model is not None:
            values = list(pattern.model._default_manager.values_list("pk", flat=True)[:3])
        elif name in PATH_MODELS:
            values = list(apps.get_model(PATH_MODELS[name])._default_manager.values_list("pk", flat=True)[:3])
        else:
            return None
        fills = [{**fill, name: value} for fill in fills for value in values]
    return fills


def related_parameters(secrets: Secrets) -> dict[str, object]:
    """Query parameter → a record outside the scope: each foreign key's name (and `<name>_id`) among the scoped
    models, pointing at a scoped model."""
    parameters = {}
    for model in scoped_models():
        for field in model._meta.get_fields():
            target = getattr(field, "related_model", None)
            if not getattr(field, "many_to_one", False) or target not in secrets.outside:
                continue
            record = secrets.outside[target][0]
            parameters.setdefault(field.name, record)
            parameters.setdefault(f"{field.name}_id", record)
    for extra, target in (("keep", "organizations.Organization"), ("merge", "organizations.Organization")):
        target = apps.get_model(target)
        if target in secrets.outside:
            parameters[extra] = secrets.outside[target][0]
    return parameters


def world_records():
    """Every record of the world, per scoped model and per unscoped registered model (two of those)."""
    records = {model: list(model._default_manager.all()) for model in scoped_models()}
    for model, case in CASES.items():
        if not case.scoped:
            records[model] = list(model._default_manager.order_by("pk")[:2])
    return records


def content_of(response) -> str:
    if getattr(response, "streaming", False):
        body = b"".join(response.streaming_content)
    else:
        body = response.content
    kind = response.get("Content-Type", "")
    if not any(text in kind for text in ("text", "json", "csv")) and body[:2] == b"PK":
        return ""  # a spreadsheet: its cells are what the exports' own tests read
    text = body.decode("utf-8-sig", errors="replace")
    if "json" in kind:
        try:
            text += json.dumps(json.loads(text), ensure_ascii=False)
        except ValueError:
            pass
    return text


def test_every_url_pattern_is_covered():
    records = world_records()
    unknown = [
        pattern.name for pattern in url_patterns() if is_record_page(pattern) and path_kwargs(pattern, records) is None
    ]
    assert not unknown, f"teach test_scope_leaks how to fill these URL patterns: {unknown}"


@pytest.mark.parametrize("slug", list(ROLE_SCOPES))
def test_no_page_shows_a_record_outside_the_scope(slug):
    world = related_world()
    user = make_user(world, slug)
    secrets = secrets_of(user)
    if ROLE_SCOPES[slug](world):  # a scoped role: the world holds records outside it
        assert secrets.texts
    records = world_records()
    parameters = related_parameters(secrets)
    client = Client(raise_request_exception=False)  # a server error is reported with the leaks
    client.force_login(user)
    leaks, requests = [], 0

    # The audit administrator reads every recorded change, whoever's records it names: that is the role (三权分立).
    reads_the_whole_log = user.has_perm("audit.view_objectchange")

    def check(method, address, data=None):
        nonlocal requests
        requests += 1
        response = getattr(client, method)(address, data or {})
        if response.status_code >= 500:
            leaks.append(f"{method.upper()} {address} {data or ''} → {response.status_code}")
        if reads_the_whole_log and resolve(address.split("?")[0]).namespace == "audit":
            return
        found = secrets.leaks(content_of(response).replace(address.split("?")[0], ""))  # the address asked for
        if found:
            leaks.append(f"{method.upper()} {address} {data or ''} → {response.status_code}: {', '.join(found)}")

    query = urlencode({name: record.pk for name, record in parameters.items()})
    for pattern in url_patterns():
        if not is_record_page(pattern):
            continue
        fills = path_kwargs(pattern, records)
        for kwargs in fills:
            address = reverse(pattern.name, kwargs=kwargs or None)
            if "GET" in pattern.methods:
                check("get", address)
            if kwargs != fills[0]:
                continue  # the query parameters: once per page, with its first record
            if "GET" in pattern.methods:
                check("get", f"{address}?{query}")
                check("get", f"{address}?export=csv")
            if "POST" in pattern.methods:
                check("post", address, {name: record.pk for name, record in parameters.items()})
    assert requests > 100
    assert not leaks, f"{len(leaks)} responses name records outside the scope of {slug}:\n" + "\n".join(leaks)


def test_leak_check_finds_an_out_of_scope_name(client):
    """The check itself: a page that does show a record outside the scope is caught."""
    world = related_world()
    user = make_user(world, "district-office")
    secrets = secrets_of(user)
    assert secrets.leaks(f"<td>{world.b.name}</td>")
    assert secrets.leaks(f'<a href="/organizations/{world.b.pk}/">x</a>')
    assert not secrets.leaks(f"<td>{world.a.name}</td>")
    assert re.search(r"\d", str(world.b.pk))
