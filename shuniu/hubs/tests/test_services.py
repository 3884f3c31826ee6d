from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from shuniu.hubs.choices import LinkRole
from shuniu.hubs.models import Link
from shuniu.hubs.services import link_create, link_end, link_update
from shuniu.hubs.tests.factories import HubFactory, LinkFactory
from shuniu.organizations.tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def test_end_keeps_the_row_and_refuses_a_second_end():
    link = LinkFactory(start_date=date(2015, 1, 1))
    link_end(link=link, end_date=date(2015, 6, 30), reason="合并")
    link.refresh_from_db()
    assert link.end_date == date(2015, 6, 30) and "合并" in link.note
    with pytest.raises(ValidationError, match="已于 2015-06-30 结束"):
        link_end(link=link, end_date=date(2016, 1, 1))


def test_end_before_start_is_refused():
    link = LinkFactory(start_date=date(2015, 1, 1))
    with pytest.raises(ValidationError, match="早于开始日期"):
        link_end(link=link, end_date=date(2014, 12, 31))


def test_overlapping_link_of_the_same_role_is_refused():
    link = LinkFactory(start_date=date(2015, 1, 1))
    with pytest.raises(ValidationError, match="已有时间重叠的「联系」关系"):
        link_create(hub=link.hub, organization=link.organization, role=link.role, start_date=date(2015, 3, 1))
    assert Link.objects.count() == 1


def test_same_pair_with_another_role_or_after_the_end_is_allowed():
    link = LinkFactory(start_date=date(2015, 1, 1), role=LinkRole.CONTACT)
    link_create(hub=link.hub, organization=link.organization, role=LinkRole.SERVE, start_date=date(2015, 3, 1))
    link_end(link=link, end_date=date(2015, 6, 30))
    link_create(hub=link.hub, organization=link.organization, role=LinkRole.CONTACT, start_date=date(2015, 7, 1))
    assert Link.objects.count() == 3


def test_a_second_managing_hub_on_the_same_day_is_refused():
    organization = OrganizationFactory()
    LinkFactory(organization=organization, role=LinkRole.MANAGE, start_date=date(2012, 1, 1))
    with pytest.raises(ValidationError, match="只能有一个管理枢纽"):
        LinkFactory(organization=organization, role=LinkRole.MANAGE, start_date=date(2013, 1, 1))


def test_link_before_recognition_or_after_revocation_is_refused():
    hub = HubFactory(recognized_on=date(2009, 3, 1), recognized_until=date(2013, 12, 31))
    with pytest.raises(ValidationError, match="未处于认定有效期"):
        LinkFactory(hub=hub, start_date=date(2008, 12, 1))
    with pytest.raises(ValidationError, match="未处于认定有效期"):
        LinkFactory(hub=hub, start_date=date(2014, 1, 1))


def test_editing_into_an_overlap_is_refused():
    link = LinkFactory(start_date=date(2012, 1, 1))
    link_end(link=link, end_date=date(2012, 12, 31))
    later = link_create(hub=link.hub, organization=link.organization, role=link.role, start_date=date(2013, 1, 1))
    later.start_date = date(2012, 6, 1)
    with pytest.raises(ValidationError):
        link_update(link=later)
    later.refresh_from_db()
    assert later.start_date == date(2013, 1, 1)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the exclusion constraints exist on PostgreSQL only")
def test_postgresql_refuses_overlaps_even_past_the_service():
    link = LinkFactory(start_date=date(2015, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Link.objects.create(hub=link.hub, organization=link.organization, role=link.role, start_date=date(2016, 1, 1))
    other = LinkFactory(organization=link.organization, role=LinkRole.MANAGE, start_date=date(2015, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Link.objects.create(
            hub=HubFactory(),
            organization=other.organization,
            role=LinkRole.MANAGE,
            start_date=date(2015, 5, 1),
            end_date=date(2015, 5, 2),
        )
