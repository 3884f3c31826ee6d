"""What the API shows besides its data: JSON only (no browsable API, whose forms list related records city-wide), and
the OpenAPI document and its docs page only to a signed-in or authenticated user unless SHUNIU_PUBLIC_API_SCHEMA."""

import base64

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from shuniu.accounts.testing import user_with_role
from shuniu.accounts.tokens import api_token_create
from shuniu.hubs.tests.factories import LinkFactory
from shuniu.organizations.tests.factories import district

LINKS = "/api/hubs/links/"
SCHEMA = reverse("api-schema")
DOCS = reverse("api-docs")
DOCS_SCRIPT = DOCS + "?script="
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture
def officer(db):
    LinkFactory()  # a hub and an organization: what a browsable form's dropdowns would list
    return user_with_role("district-office", area=district("110105"), password="officer-password")


@pytest.mark.parametrize("accept", ["text/html", BROWSER_ACCEPT])
def test_the_api_answers_json_and_never_an_html_form(client, officer, accept):
    client.force_login(officer)  # the session of a browser, as the browsable API would have served it
    response = client.get(LINKS, headers={"Accept": accept})
    assert response.status_code in (200, 406)
    assert response["Content-Type"] == "application/json"
    assert response.json()
    content = response.content.decode()
    assert "<form" not in content and "<option" not in content and "<html" not in content


def test_the_browsable_renderer_cannot_be_asked_for(client, officer):
    client.force_login(officer)
    response = client.get(LINKS + "?format=api")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"


def test_schema_and_docs_answer_signed_in_and_token_users_only(client, officer):
    anonymous = APIClient()
    schema = anonymous.get(SCHEMA)
    assert schema.status_code == 401 and "openapi" not in schema.content.decode()
    assert anonymous.get(DOCS_SCRIPT).status_code == 401
    docs = anonymous.get(DOCS, headers={"Accept": BROWSER_ACCEPT})  # a browser: to the login page, then back
    assert docs.status_code == 302
    assert docs["Location"] == f"{reverse('login')}?next=/api/docs/"

    client.force_login(officer)
    assert client.get(SCHEMA).status_code == 200
    docs = client.get(DOCS)
    assert docs.status_code == 200 and 'src="/api/docs/?script="' in docs.content.decode()
    assert client.get(DOCS_SCRIPT).status_code == 200

    token = api_token_create(user=officer, name="脚本").text
    by_token = APIClient().get(SCHEMA, {"format": "json"}, headers={"Authorization": f"Token {token}"})
    assert by_token.status_code == 200 and "/api/hubs/links/" in by_token.json()["paths"]
    basic = "Basic " + base64.b64encode(f"{officer.username}:officer-password".encode()).decode()
    assert APIClient().get(SCHEMA, headers={"Authorization": basic}).status_code == 200


@pytest.mark.django_db
def test_a_setting_opens_schema_and_docs_to_anyone(settings):
    anonymous = APIClient()
    assert anonymous.get(SCHEMA).status_code == 401  # off by default
    settings.SHUNIU_PUBLIC_API_SCHEMA = True
    assert anonymous.get(SCHEMA).status_code == 200
    assert "/api/hubs/links/" in anonymous.get(SCHEMA, {"format": "json"}).json()["paths"]
    assert anonymous.get(DOCS).status_code == 200
    assert anonymous.get(DOCS_SCRIPT).status_code == 200
