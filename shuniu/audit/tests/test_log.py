"""The log is append-only, and its two pages show it only to whom they should."""

from datetime import date

import pytest
from django.contrib.admin.sites import site
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.urls import reverse

from shuniu import audit
from shuniu.audit.models import ObjectChange
from shuniu.core.tests.access_cases import build_world, make_user
from shuniu.hubs.services import link_end
from shuniu.hubs.tests.factories import LinkFactory
from shuniu.organizations.tests.factories import OrganizationFactory, field

pytestmark = pytest.mark.django_db


def log_url(instance) -> str:
    meta = instance._meta
    return reverse(
        "audit:objectchange_log", kwargs={"app_label": meta.app_label, "model_name": meta.model_name, "pk": instance.pk}
    )


#
# Append-only
#


def test_a_record_cannot_be_changed_or_deleted_by_the_application():
    OrganizationFactory()
    change = ObjectChange.objects.first()
    change.message = "改写"
    with pytest.raises(PermissionDenied):
        change.save()
    with pytest.raises(PermissionDenied):
        change.delete()
    with pytest.raises(PermissionDenied):
        ObjectChange.objects.filter(pk=change.pk).update(message="改写")
    with pytest.raises(PermissionDenied):
        ObjectChange.objects.filter(pk=change.pk).delete()
    assert ObjectChange.objects.get(pk=change.pk).message == ""


def test_no_page_accepts_a_write(admin_client):
    organization = OrganizationFactory()
    count = ObjectChange.objects.count()
    for url in (reverse("audit:objectchange_list"), log_url(organization)):
        for method in ("post", "put", "patch", "delete"):
            assert getattr(admin_client, method)(url).status_code == 405, (method, url)
    assert ObjectChange.objects.count() == count


def test_the_admin_is_read_only(admin_user):
    model_admin = site._registry[ObjectChange]
    request = RequestFactory().get("/")
    request.user = admin_user
    assert model_admin.has_view_permission(request)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


#
# A record's change log
#


def test_the_change_log_shows_who_changed_what_readably(admin_client, admin_user):
    link = LinkFactory(start_date=date(2012, 1, 1))
    with audit.context(user=admin_user):
        link_end(link=link, end_date=date(2015, 6, 30), reason="组织迁出")
    link.organization.fields.add(field())
    page = admin_client.get(log_url(link)).content.decode()
    assert "联系关系结束" in page and "组织迁出" in page and "admin" in page
    assert "结束日期</span>：— → 2015-06-30" in page
    assert "关系</span>：联系" in page  # the role's label, not its value
    assert f"枢纽</span>：{link.hub}" in page  # the hub's name, not its id
    hub_page = admin_client.get(log_url(link.hub)).content.decode()
    assert "联系关系结束" in hub_page  # a link's changes show on its hub's log
    organization_page = admin_client.get(log_url(link.organization)).content.decode()
    assert f"领域</span>：— → {field()}" in organization_page


def test_every_detail_page_links_its_change_log(admin_client):
    link = LinkFactory()
    for instance in (link.organization, link.hub, link.hub.area):
        page = admin_client.get(instance.get_absolute_url()).content.decode()
        assert f'href="{log_url(instance)}"' in page, instance
    assert f'href="{log_url(link)}"' in admin_client.get(link.organization.get_absolute_url()).content.decode()


def test_the_change_log_of_a_record_out_of_scope_or_missing_is_404(client):
    world = build_world()
    client.force_login(make_user(world, "district-office"))
    assert client.get(log_url(world.a)).status_code == 200
    assert client.get(log_url(world.link_a)).status_code == 200
    assert client.get(log_url(world.b)).status_code == 404
    assert client.get(log_url(world.link_b)).status_code == 404
    missing = reverse(
        "audit:objectchange_log", kwargs={"app_label": "organizations", "model_name": "organization", "pk": 10**9}
    )
    assert client.get(missing).status_code == 404
    unknown = reverse("audit:objectchange_log", kwargs={"app_label": "nothing", "model_name": "here", "pk": 1})
    assert client.get(unknown).status_code == 404


def test_the_change_log_requires_login(client):
    organization = OrganizationFactory()
    response = client.get(log_url(organization))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_change_log_pins_its_query_count(admin_client, django_assert_num_queries):
    organization = OrganizationFactory(fields=[field()])
    for n in range(5):
        organization.address = f"朝阳路{n}号"
        organization.save()
    LinkFactory(organization=organization)
    log_url(organization)
    ObjectChange.objects.for_object(organization).exists()  # the content type is cached, as in a running server
    # session, user, the organization, the kinds of related records (each checked against the user's scope), count,
    # page of changes with content types, names of districts, of fields
    with django_assert_num_queries(8):
        response = admin_client.get(log_url(organization))
    assert response.status_code == 200 and response.content.decode().count('data-testid="change-') == 7


#
# The audit search
#


def test_the_search_is_for_those_holding_the_permission(client, admin_client):
    OrganizationFactory()
    world = build_world()
    client.force_login(make_user(world, "district-office"))
    assert client.get(reverse("audit:objectchange_list")).status_code == 403
    assert 'data-testid="audit-nav"' not in client.get(reverse("organizations:organization_list")).content.decode()
    client.force_login(make_user(world, "audit-admin"))
    response = client.get(reverse("audit:objectchange_list"))
    assert response.status_code == 200 and 'data-testid="audit-nav"' in response.content.decode()
    assert "审计日志" in admin_client.get(reverse("audit:objectchange_list")).content.decode()


def test_the_search_filters_by_user_action_model_date_request_and_record(admin_client, admin_user):
    with audit.context(user=admin_user):
        first = OrganizationFactory(name="甲协会")
    link = LinkFactory()
    mine = ObjectChange.objects.get(object_id=first.pk, content_type__model="organization")
    url = reverse("audit:objectchange_list")

    def listed(**params) -> set[int]:
        response = admin_client.get(url, params)
        assert response.status_code == 200
        return {c.pk for c in response.context["table"].data}

    everything = set(ObjectChange.objects.values_list("pk", flat=True))
    assert listed() == everything
    assert listed(user=admin_user.pk) == {mine.pk}
    assert listed(user_name="系统") == everything - {mine.pk}
    assert listed(action="create", model="hubs.link") == {ObjectChange.objects.get(content_type__model="link").pk}
    assert listed(request_id=str(mine.request_id)) == {mine.pk}
    assert listed(object_id=link.pk, model="hubs.link") == {ObjectChange.objects.get(content_type__model="link").pk}
    assert listed(q="甲协会") == {mine.pk}
    assert listed(since=date.today().isoformat(), until=date.today().isoformat()) == everything
    assert listed(until="2000-01-01") == set()


def test_the_search_pins_its_query_count(admin_client, django_assert_num_queries):
    for _ in range(10):
        LinkFactory()
    ObjectChange.objects.for_object(OrganizationFactory()).exists()
    # session, user, count, page of changes with content types, the users of the filter's choices
    with django_assert_num_queries(5):
        response = admin_client.get(reverse("audit:objectchange_list"))
    assert response.status_code == 200 and f"共 {ObjectChange.objects.count()} 条" in response.content.decode()


def test_the_search_offers_the_models_followed_and_those_whose_events_alone_are_logged():
    from shuniu.audit.filtersets import model_choices

    labels = dict(model_choices())
    assert "organizations.organization" in labels
    # an import job's rows are not followed (a module excludes them), but its `import` events are in the log
    assert "imports.importjob" in labels
    assert "audit.objectchange" not in labels
