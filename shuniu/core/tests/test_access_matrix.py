"""The access matrix: for every registered model and every role, on every surface that shows or writes the model
(the ORM's restrict, the list page and its export, the detail and edit pages, the API list, detail, update and
delete), a record inside the role's scope is reachable and one outside is not, and a write outside is refused and
leaves the record as it was. The cases come from `access_cases`; a new model is covered by registering it there."""

from fnmatch import fnmatchcase

import pytest
from django.apps import apps
from django.urls import NoReverseMatch, reverse
from rest_framework.test import APIClient

from shuniu.accounts.models import Role
from shuniu.core.access import permission_name

from .access_cases import CASES, build_world, make_user
from .access_cases import ROLE_SCOPES as ROLES

pytestmark = pytest.mark.django_db


def url(name, **kwargs):
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


def holds(role: Role, model, action: str) -> bool:
    return any(fnmatchcase(permission_name(model, action), pattern) for pattern in role.all_permissions)


def test_every_model_is_registered():
    models = [model for model in apps.get_models() if hasattr(model._default_manager, "restrict")]
    missing = [model.__name__ for model in models if model not in CASES]
    assert not missing, f"register these models in core/tests/access_cases.py: {missing}"
    for model, case in CASES.items():
        assert (getattr(model, "scope", None) is not None) == case.scoped, model


def test_every_role_is_in_the_matrix():
    assert set(Role.objects.values_list("slug", flat=True)) == set(ROLES)


def test_role_permissions_name_real_permissions():
    from django.contrib.auth.models import Permission

    existing = {f"{p.content_type.app_label}.{p.codename}" for p in Permission.objects.select_related("content_type")}
    for role in Role.objects.all():
        unknown = [name for name in role.all_permissions if "*" not in name and name not in existing]
        assert not unknown, f"{role.slug}: {unknown}"


@pytest.mark.parametrize("model", list(CASES), ids=lambda model: model.__name__)
@pytest.mark.parametrize("slug", list(ROLES))
def test_matrix(slug, model, client):
    world = build_world()
    user = make_user(world, slug)
    role = Role.objects.get(slug=slug)
    case = CASES[model]
    inside, outside = case.inside(world, user), case.outside(world, user)
    can_view = holds(role, model, "view")
    everything = role.scope_kind == "city" or not case.scoped
    sees_outside = can_view and everything

    # the one enforcement point
    visible = set(model.objects.restrict(user, "view").values_list("pk", flat=True))
    assert (inside.pk in visible) == can_view
    assert (outside.pk in visible) == sees_outside

    client.force_login(user)
    app, name = model._meta.app_label, model._meta.model_name
    list_url = url(f"{app}:{name}_list")
    if list_url:
        response = client.get(list_url)
        if not can_view:
            assert response.status_code == 403
        else:
            assert response.status_code == 200
            page = response.content.decode()
            assert case.marker(inside) in page
            assert (case.marker(outside) in page) == sees_outside
            exported = client.get(list_url, {"export": "csv"})
            assert exported.status_code == 200
            text = b"".join(exported.streaming_content if exported.streaming else [exported.content]).decode(
                "utf-8-sig"
            )
            assert case.marker(inside) in text
            assert (case.marker(outside) in text) == sees_outside

    if url("audit:objectchange_log", app_label=app, model_name=name, pk=inside.pk):
        for record, reachable in ((inside, can_view), (outside, sees_outside)):
            log = url("audit:objectchange_log", app_label=app, model_name=name, pk=record.pk)
            status = client.get(log).status_code
            assert status == 200 if reachable else status == 404, ("change log", record, status)

    if url(f"{app}:{name}", pk=inside.pk):
        for record, reachable in ((inside, can_view), (outside, sees_outside)):
            status = client.get(url(f"{app}:{name}", pk=record.pk)).status_code
            assert status == 200 if reachable else status in (403, 404), (record, status)

    edit_name = f"{app}:{name}_edit"
    if url(edit_name, pk=outside.pk) and not (holds(role, model, "change") and everything):
        before = model.objects.get(pk=outside.pk)
        assert client.get(url(edit_name, pk=outside.pk)).status_code in (403, 404)
        assert client.post(url(edit_name, pk=outside.pk), {}).status_code in (403, 404)
        assert model.objects.get(pk=outside.pk).updated_at == before.updated_at

    api = APIClient()
    api.force_authenticate(user)
    api_list = url(f"{app}-api:{name}-list")
    if api_list:
        response = api.get(api_list, {"page_size": 500})
        if not can_view:
            assert response.status_code == 403
        else:
            ids = {row["id"] for row in response.json()["results"]}
            assert inside.pk in ids and (outside.pk in ids) == sees_outside
        for record, reachable in ((inside, can_view), (outside, sees_outside)):
            status = api.get(url(f"{app}-api:{name}-detail", pk=record.pk)).status_code
            assert status == 200 if reachable else status in (403, 404)
        if case.change is not None and not (holds(role, model, "change") and everything):
            detail = url(f"{app}-api:{name}-detail", pk=outside.pk)
            before = model.objects.get(pk=outside.pk)
            assert api.patch(detail, case.change, format="json").status_code in (403, 404)
            assert api.delete(detail).status_code in (403, 404)
            after = model.objects.get(pk=outside.pk)
            assert after.updated_at == before.updated_at
        if case.change is not None and holds(role, model, "change"):
            response = api.patch(url(f"{app}-api:{name}-detail", pk=inside.pk), case.change, format="json")
            assert response.status_code == 200, response.content
