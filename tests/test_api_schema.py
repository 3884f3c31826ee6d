"""Schemathesis against the OpenAPI document served by the app itself: every operation, with generated valid and
invalid input, signed in as a superuser (HTTP Basic) on a small registry made by the factories. No answer may be
a server error, and every answer must be one the document declares (status code, content type, body schema).

Generated ids rarely hit a row, so hooks swap in, about half the time, ids of existing rows: in paths (detail,
update, delete, end) and in bodies (`*_id`, `field_ids`), and an empty USCC, so writes also reach the model
checks and the link services."""

import base64
import re
from datetime import date

import pytest
import schemathesis
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.meta import CoveragePhaseData
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from shuniu.areas.models import Area
from shuniu.config.wsgi import application
from shuniu.hubs.choices import HubLevel, LinkRole
from shuniu.hubs.models import Hub, Link, System
from shuniu.hubs.tests.factories import HubFactory, LinkFactory, system
from shuniu.organizations.models import Field, Organization
from shuniu.organizations.tests.factories import OrganizationFactory, field

USERNAME, PASSWORD = "schemathesis", "schemathesis-admin"
AUTHORIZATION = "Basic " + base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
MAX_EXAMPLES = 10

# Loaded at collection, before any user exists: the document is opened to anonymous callers for this one request
# (it needs a signed-in user otherwise, see tests/test_api_exposure.py). The calls themselves authenticate.
with override_settings(SHUNIU_PUBLIC_API_SCHEMA=True):
    schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


@pytest.fixture
def keep_the_test_connection():
    """Like Django's test client: the test's transaction is open across requests, which must not close the
    connection at their start or end (on PostgreSQL that would end the transaction the test runs in)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def registry(db, django_user_model, keep_the_test_connection):
    """A superuser to sign in as, two hubs, four organizations and three links (one ended)."""
    django_user_model.objects.create_superuser(USERNAME, "schemathesis@example.com", PASSWORD)
    chaoyang = Area.objects.get(code="110105")
    street = chaoyang.children.first()
    city = HubFactory(fields=[field("elderly")])
    district = HubFactory(level=HubLevel.DISTRICT, area=chaoyang, system=system("youth_league"), parent=city)
    organizations = [OrganizationFactory(street=street if i % 2 else None, fields=[field("elderly")]) for i in range(4)]
    LinkFactory(hub=city, organization=organizations[0], role=LinkRole.MANAGE)
    LinkFactory(hub=district, organization=organizations[1], start_date=date(2012, 1, 1))
    LinkFactory(hub=city, organization=organizations[2], start_date=date(2010, 1, 1), end_date=date(2014, 6, 30))


#
# Existing ids for generated requests
#

PATH_MODELS = {
    "/api/areas/areas/": Area,
    "/api/organizations/organizations/": Organization,
    "/api/organizations/fields/": Field,
    "/api/hubs/systems/": System,
    "/api/hubs/hubs/": Hub,
    "/api/hubs/links/": Link,
}
BODY_IDS = {
    "district_id": lambda: Area.objects.filter(code__in=["110105", "110101"]),
    "street_id": lambda: Area.objects.filter(parent__code="110105")[:3],
    "area_id": lambda: Area.objects.filter(code__in=["110000", "110105", "110105001"]),
    "organization_id": lambda: Organization.objects.all(),
    "hub_id": lambda: Hub.objects.all(),
    "parent_id": lambda: Hub.objects.all(),
    "system_id": lambda: System.objects.all()[:3],
}


def _path_model(path: str):
    return next((model for prefix, model in PATH_MODELS.items() if path.startswith(prefix)), None)


def _ids(queryset) -> list[int]:
    return list(queryset.values_list("pk", flat=True))


def _sometimes(original, replaced):
    return st.one_of(st.just(original), replaced)


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    model = _path_model(context.operation.path)
    ids = _ids(model.objects.all()[:20]) if model is not None and "id" in (path_parameters or {}) else []
    if not ids:
        return st.just(path_parameters)
    return _sometimes(path_parameters, st.sampled_from(ids).map(lambda pk: {**path_parameters, "id": pk}))


@schema.hook
def flatmap_body(context, body):
    if not isinstance(body, dict):
        return st.just(body)
    replacements = {}
    for key in body:
        if key in BODY_IDS:
            replacements[key] = st.sampled_from(_ids(BODY_IDS[key]()))
        elif key == "field_ids":
            replacements[key] = st.lists(st.sampled_from(_ids(Field.objects.all()[:5])), max_size=3, unique=True)
        elif key == "uscc":
            replacements[key] = st.sampled_from([None, ""])
    if not replacements:
        return st.just(body)
    return _sometimes(body, st.fixed_dictionaries(replacements).map(lambda values: {**body, **values}))


def aim_at_an_existing_row(case) -> None:
    """Coverage-phase cases (built at collection, without the database) that vary the query or the body of a
    detail operation get the id of an existing row, so they reach the validation they exercise, not a 404."""
    data = getattr(getattr(case.meta, "phase", None), "data", None)
    if not isinstance(data, CoveragePhaseData) or data.parameter_location == ParameterLocation.PATH:
        return
    model = _path_model(case.operation.path)
    if model is not None and "id" in (case.path_parameters or {}):
        pk = model.objects.order_by("pk").values_list("pk", flat=True).first()
        if pk is not None:
            case.path_parameters = {**case.path_parameters, "id": pk}


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case, registry):
    aim_at_an_existing_row(case)
    case.call_and_validate(headers={"Authorization": AUTHORIZATION}, checks=CHECKS)


#
# The document itself and its docs pages
#


def test_schema_generates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    assert "/api/hubs/links/{id}/end/" in (tmp_path / "schema.yml").read_text(encoding="utf-8")


def test_docs_load_no_asset_from_a_cdn(admin_client):
    response = admin_client.get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/drf_spectacular_sidecar/" in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page), "the docs must work without internet"
    for path in re.findall(r"/static/(drf_spectacular_sidecar/[^\"'\s]+)", page):
        assert finders.find(path), path
