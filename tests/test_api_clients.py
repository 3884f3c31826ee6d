"""API clients (issue 12, point 7): the query parameters mean what the schema says, and a lockout is documented.

- an endpoint's own parameters (`by`, `as_of`, `until`, `start`, `end`, `level`) sent empty or twice answer 400 with
  the reason under the parameter's name, never their default (`core.api.query`, `core.dates`);
- `page_size` on every list: a value that is not one integer from 1 to 1000 answers 400 (`core.api.pagination`),
  as the schema's bounds say;
- every operation lists 429, and a locked-out client (HTTP Basic or a token) gets 429 with the body the schema
  declares for it.
"""

import base64
from datetime import date

import jsonschema
import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from shuniu.accounts.testing import user_with_role
from shuniu.accounts.tokens import api_token_create
from shuniu.core.dates import MESSAGES as DATE_MESSAGES

pytestmark = pytest.mark.django_db

COVERAGE, TREND, GROWTH, HUBS = "/api/coverage/", "/api/coverage/trend/", "/api/coverage/growth/", "/api/coverage/hubs/"
AREAS = "/api/areas/areas/"
PASSWORD = "Correct-horse-9"


@pytest.fixture
def city():
    """The city's administrator, signed in to the API (as a script would be, with a token)."""
    client = APIClient()
    client.force_authenticate(user_with_role("city-admin"))
    return client


@pytest.fixture(scope="module")
def schema(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        return SchemaGenerator().get_schema(request=None, public=True)


def refusal(response, name: str) -> str:
    """The one message under `name` of a 400 answer with no other key."""
    assert response.status_code == 400, response.content
    body = response.json()
    assert list(body) == [name], body
    (message,) = body[name]
    return message


#
# An endpoint's own parameters: empty or repeated is refused, absent takes the default
#


def test_an_empty_by_is_refused_not_read_as_the_city_total(city):
    message = refusal(city.get(COVERAGE, {"by": ""}), "by")
    assert message == (
        "参数 by 不能为空。可选值：total（全市合计）、district（按区）、street（按街道/乡镇）、kind（按组织类型）、"
        "field（按领域）、level（按枢纽层级）、system（按条线）；不传则为 total。"
    )
    assert city.get(COVERAGE).json()["by"] == "total"  # left out, the default


def test_an_unknown_by_names_the_parameter_and_its_choices(city):
    message = refusal(city.get(COVERAGE, {"by": "province"}), "by")
    assert message.startswith("参数 by 的值「province」无效")
    assert "street" in message


def test_an_empty_level_is_refused_not_read_as_all_levels(city):
    message = refusal(city.get(GROWTH, {"start": "2015-01-01", "level": ""}), "level")
    assert message == "参数 level 不能为空。可选值：city（市级）、district（区级）、street（街道级）。"
    assert "不传则为" not in message  # no default: left out, every level counts
    assert city.get(GROWTH, {"start": "2015-01-01"}).json()["level"] is None


@pytest.mark.parametrize(
    ("address", "name", "extra"),
    [(COVERAGE, "as_of", {}), (HUBS, "as_of", {}), (TREND, "until", {}), (GROWTH, "end", {"start": "2015-01-01"})],
)
def test_an_empty_day_is_refused_with_the_date_policys_message(city, address, name, extra):
    assert refusal(city.get(address, {name: "", **extra}), name) == str(DATE_MESSAGES["required"])


@pytest.mark.parametrize(
    ("address", "name", "values"),
    [
        (COVERAGE, "by", ["total", "district"]),
        (COVERAGE, "as_of", ["2015-06-30", "2016-06-30"]),
        (TREND, "until", ["2015-06-30", "2015-06-30"]),
        (GROWTH, "level", ["city", "street"]),
    ],
)
def test_a_parameter_sent_twice_is_refused_not_read_as_its_last_value(city, address, name, values):
    query = "&".join(f"{name}={value}" for value in values)
    extra = "&start=2015-01-01" if address == GROWTH else ""
    message = refusal(city.get(f"{address}?{query}{extra}"), name)
    assert message == f"参数 {name} 只能给一个值，收到 2 个（「{values[0]}」、「{values[1]}」）。"


def test_good_values_still_answer(city):
    response = city.get(COVERAGE, {"as_of": "2015-06-30", "by": "district"})
    assert response.status_code == 200
    assert response.json()["day"] == "2015-06-30" and len(response.json()["figures"]) == 16
    response = city.get(GROWTH, {"start": "2010-01-01", "end": "2015-06-30", "level": "street"})
    assert response.status_code == 200 and response.json()["level"] == "street"


def test_the_schema_says_what_the_parameters_take(schema):
    def parameter(path, name):
        (found,) = [p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == name]
        return found

    assert parameter(COVERAGE, "by")["schema"]["enum"][0] == "total"
    assert "" not in parameter(COVERAGE, "by")["schema"]["enum"]
    assert "不能为空" in parameter(COVERAGE, "by")["description"]
    for path, name in [(COVERAGE, "as_of"), (HUBS, "as_of"), (TREND, "until"), (GROWTH, "end"), (GROWTH, "level")]:
        assert not parameter(path, name).get("allowEmptyValue"), (path, name)
        assert "不能为空" in parameter(path, name)["description"], (path, name)
    assert parameter(COVERAGE, "as_of")["schema"]["format"] == "date"
    for path in (COVERAGE, TREND, GROWTH, HUBS):
        assert "400" in schema["paths"][path]["get"]["responses"], path


#
# page_size on every list
#


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("", ""),
        ("abc", "abc"),
        ("0", "0"),
        ("-5", "-5"),
        ("1001", "1001"),
        ("2.5", "2.5"),
        ("９", "９"),
        ("9" * 30, "9" * 20 + "…"),
    ],
)
def test_a_page_size_that_is_not_an_integer_from_1_to_1000_is_refused(city, value, shown):
    message = refusal(city.get(AREAS, {"page_size": value}), "page_size")
    assert message == f"参数 page_size 应为 1 到 1000 之间的整数（每页条数），收到「{shown}」；不传则每页 50 条。"


def test_a_list_valued_page_size_is_refused(city):
    message = refusal(city.get(f"{AREAS}?page_size=10&page_size=20"), "page_size")
    assert message == "参数 page_size 只能给一个值，收到 2 个（「10」、「20」）。"


def test_a_good_page_size_pages(city):
    assert len(city.get(AREAS, {"page_size": 7}).json()["results"]) == 7
    assert len(city.get(AREAS, {"page_size": 1000}).json()["results"]) == 366  # the city, 16 districts, 349 streets
    assert len(city.get(AREAS).json()["results"]) == 50


def test_the_schema_bounds_page_size_and_lists_400_on_every_list(schema):
    lists = [
        operation
        for operation in (item.get("get") for item in schema["paths"].values())
        if operation and any(p["name"] == "page_size" for p in operation.get("parameters", []))
    ]
    assert len(lists) >= 8
    for operation in lists:
        (page_size,) = [p for p in operation["parameters"] if p["name"] == "page_size"]
        assert page_size["schema"] == {"type": "integer", "minimum": 1, "maximum": 1000, "default": 50}
        assert "只能给一个值" in page_size["description"]
        assert "400" in operation["responses"], operation["operationId"]


#
# 429: documented on every operation, answered with the documented body
#


def test_every_operation_documents_429(schema):
    operations = [
        (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in ("get", "post", "put", "patch", "delete")
    ]
    assert len(operations) > 30
    for path, method, operation in operations:
        response = operation["responses"].get("429")
        assert response is not None, f"{method.upper()} {path}"
        assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
        assert "锁定" in response["description"]


def assert_matches_the_schema(schema, path, response):
    assert response.status_code == 429, response.content
    documented = schema["paths"][path]["get"]["responses"]["429"]["content"]["application/json"]["schema"]
    resolver = {**documented, "components": schema["components"]}
    jsonschema.validate(response.json(), resolver)
    assert set(response.json()) == set(schema["components"]["schemas"]["Error"]["properties"])
    assert "失败次数过多，已被暂时锁定 30 分钟" in response.json()["detail"]


def test_a_locked_out_basic_client_gets_the_documented_429(schema, django_user_model):
    django_user_model.objects.create_superuser("officer", "officer@example.com", PASSWORD)
    wrong = "Basic " + base64.b64encode(b"officer:wrong-password").decode()
    right = "Basic " + base64.b64encode(f"officer:{PASSWORD}".encode()).decode()
    client = APIClient()
    for _ in range(5):
        client.get(COVERAGE, HTTP_AUTHORIZATION=wrong)
    assert_matches_the_schema(schema, COVERAGE, client.get(COVERAGE, HTTP_AUTHORIZATION=right))


def test_a_locked_out_token_gets_the_documented_429(schema, django_user_model):
    officer = django_user_model.objects.create_superuser("officer", "officer@example.com", PASSWORD)
    issued = api_token_create(user=officer, name="报表脚本")
    scheme, prefix, secret = issued.text.split("_", 2)
    client = APIClient()
    for _ in range(5):
        client.get(AREAS, HTTP_AUTHORIZATION=f"Token {scheme}_{prefix}_{'x' * len(secret)}")
    assert_matches_the_schema(schema, AREAS, client.get(AREAS, HTTP_AUTHORIZATION=f"Token {issued.text}"))


def test_a_token_reaches_the_coverage_figures(django_user_model):
    """The README's example for scripts: the same figures with `Authorization: Token …`."""
    issued = api_token_create(user=user_with_role("city-admin", password=PASSWORD), name="报表脚本")
    response = APIClient().get(
        COVERAGE, {"as_of": date(2015, 6, 30).isoformat()}, HTTP_AUTHORIZATION=f"Token {issued.text}"
    )
    assert response.status_code == 200 and response.json()["day"] == "2015-06-30"


def test_the_authentication_benchmark_runs():
    """`benchmarks/api_auth.py` must not rot (no timing asserted: one request each way, Argon2 really used)."""
    from benchmarks.api_auth import report, run

    timings = run(1)
    assert list(timings) == ["HTTP Basic", "Token", "session (floor)"]
    assert all(len(rows) == 1 for rows in timings.values())
    assert "| HTTP Basic | 1 |" in report(timings)


def test_a_write_in_a_media_type_the_api_does_not_parse_answers_the_documented_415(schema, city):
    """A status the API answers is one the schema lists (here for a body in plain text)."""
    response = city.post("/api/hubs/systems/", "名称", content_type="text/plain")
    assert response.status_code == 415
    assert set(response.json()) == {"detail"}
    assert "415" in schema["paths"]["/api/hubs/systems/"]["post"]["responses"]
    assert "415" not in schema["paths"]["/api/hubs/systems/"]["get"]["responses"]
