"""Hub staff write only their hub's current links; dropdowns and filters offer only what the user may see."""

from datetime import date

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from shuniu.accounts.testing import user_with_role
from shuniu.areas.models import Area
from shuniu.hubs.choices import HubLevel
from shuniu.hubs.models import Link
from shuniu.hubs.tests.factories import HubFactory, LinkFactory
from shuniu.organizations.tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def assigned(slug, **scope):
    user = user_with_role(slug, **scope)
    client = APIClient()
    client.force_authenticate(user)
    return user, client


def test_hub_staff_add_change_and_end_only_their_hubs_current_links():
    own, other = HubFactory(), HubFactory()
    _user, api = assigned("hub-staff", organization=own.organization)
    organization = OrganizationFactory()
    url = reverse("hubs-api:link-list")
    body = {"organization_id": organization.pk, "role": "contact", "start_date": "2016-01-01"}
    assert api.post(url, {**body, "hub_id": own.pk}, format="json").status_code == 201
    refused = api.post(url, {**body, "hub_id": other.pk, "role": "serve"}, format="json")
    assert refused.status_code == 400 and Link.objects.filter(hub=other).count() == 0  # not among the choices
    past = api.post(url, {**body, "hub_id": own.pk, "role": "serve", "end_date": "2017-12-31"}, format="json")
    assert past.status_code == 403 and not Link.objects.filter(role="serve").exists()

    ended = LinkFactory(hub=own, start_date=date(2010, 1, 1), end_date=date(2012, 12, 31))
    detail = reverse("hubs-api:link-detail", args=[ended.pk])
    assert api.patch(detail, {"note": "改动历史"}, format="json").status_code == 404
    assert Link.objects.get(pk=ended.pk).note == ""

    current = Link.objects.get(hub=own, organization=organization)
    response = api.post(reverse("hubs-api:link-end", args=[current.pk]), {"end_date": "2020-06-30"}, format="json")
    assert response.status_code == 200 and Link.objects.get(pk=current.pk).end_date == date(2020, 6, 30)


def test_a_district_officer_is_offered_only_the_districts_hubs_and_areas(client):
    chaoyang, haidian = Area.objects.get(code="110105"), Area.objects.get(code="110108")
    mine = HubFactory(
        organization__name="朝阳区枢纽", organization__district=chaoyang, level=HubLevel.DISTRICT, area=chaoyang
    )
    HubFactory(organization__name="海淀区枢纽", organization__district=haidian, level=HubLevel.DISTRICT, area=haidian)
    LinkFactory(hub=mine)
    user, _api = assigned("district-office", area=chaoyang)
    client.force_login(user)
    links = client.get(reverse("hubs:link_list")).content.decode()
    assert "朝阳区枢纽" in links and "海淀区枢纽" not in links  # the hub filter's choices
    form = client.get(reverse("organizations:organization_add")).context["form"]
    assert set(form.fields["district"].queryset) == {chaoyang}
    assert all(street.parent_id == chaoyang.pk for street in form.fields["street"].queryset)
    refused = client.post(
        reverse("organizations:organization_add"),
        {
            "name": "越界协会",
            "kind": "community",
            "district": haidian.pk,
            "founded_on": "2015-01-01",
            "status": "active",
        },
    )
    assert refused.status_code == 200 and "选择一个有效的选项" in refused.content.decode()
