"""Dated records (`shuniu.core.dated`): one convention — the end is the last valid day — read the same by the
querysets, the records, the plain functions, the database's constraints, the "changed from which day" hook and the
migrations that moved the old exclusive ends onto it. Runs on SQLite and on PostgreSQL."""

import importlib
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from shuniu.core.dated import DatedExclusion, end_before, is_on, overlaps
from shuniu.hubs.choices import LinkRole
from shuniu.hubs.models import Hub, Link
from shuniu.hubs.services import link_end
from shuniu.hubs.tests.factories import HubFactory, LinkFactory
from shuniu.organizations.choices import OrganizationStatus
from shuniu.organizations.models import Organization
from shuniu.organizations.tests.factories import OrganizationFactory

D = date(2015, 6, 30)


# ---------------------------------------------------------------- the convention on plain dates


def test_the_end_is_the_last_valid_day():
    assert is_on(date(2015, 1, 1), D, D)  # the end day itself
    assert not is_on(date(2015, 1, 1), D, date(2015, 7, 1))  # the day after
    assert is_on(D, D, D)  # a one-day period
    assert not is_on(D, None, date(2015, 6, 29))  # before the start
    assert is_on(D, None, date(2099, 1, 1))  # open-ended


def test_periods_sharing_one_day_overlap_and_adjacent_ones_do_not():
    assert overlaps(date(2015, 1, 1), D, D, None)
    assert not overlaps(date(2015, 1, 1), date(2015, 6, 29), D, None)
    assert overlaps(D, None, date(2010, 1, 1), None)
    assert not overlaps(date(2016, 1, 1), None, date(2010, 1, 1), date(2015, 12, 31))
    assert overlaps(date(2016, 1, 1), None, date(2010, 1, 1), date(2016, 1, 1))


def test_an_ending_event_is_stored_as_the_day_before():
    assert end_before(date(2016, 1, 1)) == date(2015, 12, 31)
    assert end_before(None) is None


# ---------------------------------------------------------------- querysets and records

pytestmark_db = pytest.mark.django_db


@pytestmark_db
def test_on_and_is_on_agree_on_every_model_around_the_ends():
    hub = HubFactory(recognized_on=date(2009, 3, 1), recognized_until=date(2014, 12, 31))
    organization = OrganizationFactory(
        founded_on=date(2005, 1, 1), status=OrganizationStatus.DEREGISTERED, active_until=date(2014, 12, 31)
    )
    link = LinkFactory(hub=hub, organization=organization, start_date=date(2010, 1, 1))
    link_end(link=link, end_date=date(2014, 12, 31))
    link.refresh_from_db()
    for record in (hub, organization, link):
        model = type(record)
        start, end = record.period
        assert end == date(2014, 12, 31)
        for day, valid in ((start, True), (date(2014, 12, 31), True), (date(2015, 1, 1), False)):
            assert record.is_on(day) is valid, (model, day)
            assert model.objects.on(day).filter(pk=record.pk).exists() is valid, (model, day)
        assert not model.objects.on(date(start.year - 1, 1, 1)).filter(pk=record.pk).exists()


@pytestmark_db
def test_overlapping_shares_at_least_one_day():
    link = LinkFactory(start_date=date(2012, 1, 1))
    link_end(link=link, end_date=date(2012, 12, 31))
    link.refresh_from_db()
    links = Link.objects.filter(pk=link.pk)
    assert links.overlapping(date(2012, 12, 31), None).exists()
    assert links.overlapping(date(2011, 1, 1), date(2012, 1, 1)).exists()
    assert not links.overlapping(date(2013, 1, 1), None).exists()
    assert not links.overlapping(date(2011, 1, 1), date(2011, 12, 31)).exists()
    assert link.overlaps(date(2012, 6, 1), date(2012, 6, 1)) and not link.overlaps(date(2013, 1, 1), None)


@pytestmark_db
def test_conflicting_finds_what_each_no_overlap_rule_forbids():
    first = LinkFactory(role=LinkRole.MANAGE, start_date=date(2012, 1, 1))
    link_end(link=first, end_date=D)
    first.refresh_from_db()
    same = Link(hub=first.hub, organization=first.organization, role=LinkRole.MANAGE, start_date=D)
    assert list(same.conflicting("hubs_link_no_overlap")) == [first]
    assert list(same.conflicting("hubs_link_one_manager")) == [first]
    other_hub = Link(hub=HubFactory(), organization=first.organization, role=LinkRole.MANAGE, start_date=D)
    assert not other_hub.conflicting("hubs_link_no_overlap").exists()
    assert list(other_hub.conflicting("hubs_link_one_manager")) == [first]
    contact = Link(hub=other_hub.hub, organization=first.organization, role=LinkRole.CONTACT, start_date=D)
    assert not contact.conflicting("hubs_link_one_manager").exists()  # the rule holds for managing links only
    the_day_after = Link(
        hub=first.hub, organization=first.organization, role=LinkRole.MANAGE, start_date=date(2015, 7, 1)
    )
    assert not the_day_after.conflicting("hubs_link_no_overlap").exists()
    assert not first.conflicting("hubs_link_no_overlap").exists()  # never with itself


# ---------------------------------------------------------------- constraints derived from the declaration


def test_the_declaration_derives_the_constraints():
    names = {constraint.name for constraint in Link._meta.constraints}
    assert {"hubs_link_end_after_start", "hubs_link_no_overlap", "hubs_link_one_manager"} <= names
    assert "hubs_hub_end_after_start" in {constraint.name for constraint in Hub._meta.constraints}
    assert "organizations_organization_end_after_start" in {c.name for c in Organization._meta.constraints}
    [manager] = [c for c in Link._meta.constraints if c.name == "hubs_link_one_manager"]
    assert isinstance(manager, DatedExclusion) and manager.per == ("organization",)


@pytestmark_db
@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda: HubFactory.build(recognized_on=D, recognized_until=date(2015, 6, 29)),
            "认定截止日期不能早于认定日期。",
        ),
        (
            lambda: OrganizationFactory.build(
                founded_on=D, status=OrganizationStatus.DEREGISTERED, active_until=date(2015, 6, 29)
            ),
            "存续截止日期不能早于成立日期。",
        ),
    ],
)
def test_an_end_before_the_start_is_refused_with_the_fields_names(make, message):
    record = make()
    with pytest.raises(ValidationError) as refusal:
        record.validate_constraints()
    assert refusal.value.messages == [message]
    record.full_clean(exclude=["organization", "area", "system", "district"], validate_constraints=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        if isinstance(record, Hub):
            record.organization.save()
            record.organization_id = record.organization.pk
        record.save()


@pytestmark_db
def test_a_one_day_record_is_allowed():
    hub = HubFactory(recognized_on=D, recognized_until=D)
    assert list(Hub.objects.on(D)) == [hub] and not Hub.objects.on(date(2015, 7, 1)).exists()


@pytestmark_db
def test_the_database_refuses_an_end_before_the_start_even_past_the_models():
    link = LinkFactory(start_date=D)
    with pytest.raises(IntegrityError), transaction.atomic():
        Link.objects.filter(pk=link.pk).update(end_date=date(2015, 6, 29))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="exclusion constraints exist on PostgreSQL only")
@pytestmark_db
def test_the_derived_exclusion_constraints_are_those_the_database_holds():
    """hubs 0003 created them by hand; `Link.dated` derives them: PostgreSQL reads both definitions alike."""
    editor = connection.schema_editor()  # only to compile the definition
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE dated_check (LIKE hubs_link)")
        for constraint in Link._meta.constraints:
            if isinstance(constraint, DatedExclusion):
                cursor.execute(f"ALTER TABLE dated_check ADD {constraint.constraint_sql(Link, editor)}")
        definitions = {}
        for table in ("hubs_link", "dated_check"):
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype = 'x'",
                [table],
            )
            definitions[table] = dict(cursor.fetchall())
        cursor.execute("DROP TABLE dated_check")
    assert set(definitions["hubs_link"]) == {"hubs_link_no_overlap", "hubs_link_one_manager"}
    assert definitions["dated_check"] == definitions["hubs_link"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="exclusion constraints exist on PostgreSQL only")
@pytestmark_db
def test_postgresql_refuses_a_second_manager_sharing_one_day_past_the_service():
    first = LinkFactory(role=LinkRole.MANAGE, start_date=date(2012, 1, 1))
    link_end(link=first, end_date=D)
    other = LinkFactory(organization=first.organization, start_date=date(2016, 1, 1), role=LinkRole.MANAGE)
    with pytest.raises(IntegrityError), transaction.atomic():
        Link.objects.filter(pk=other.pk).update(start_date=D)
    Link.objects.filter(pk=other.pk).update(start_date=date(2015, 7, 1))  # the day after: allowed


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite has no exclusion constraints")
def test_sqlite_gets_no_exclusion_constraint():
    editor = connection.schema_editor()
    for constraint in Link._meta.constraints:
        if isinstance(constraint, DatedExclusion):
            assert constraint.constraint_sql(Link, editor) is None
            assert constraint.create_sql(Link, editor) is None


# ---------------------------------------------------------------- what changed from which day


def _stored(record) -> dict:
    return type(record).objects.filter(pk=record.pk).values(*type(record).dated.watched).get()


@pytestmark_db
def test_affects_from_a_new_record_is_its_start():
    assert LinkFactory.build(start_date=D).affects_from(None) == D


@pytestmark_db
def test_affects_from_nothing_when_no_date_or_declared_field_changed():
    link = LinkFactory(start_date=date(2010, 1, 1))
    before = _stored(link)
    link.note, link.basis = "改了备注", "京社发〔2015〕1号"
    assert link.affects_from(before) is None
    organization = link.organization
    before = _stored(organization)
    organization.address, organization.staff_count = "朝阳区某路1号", 3
    assert organization.affects_from(before) is None


@pytestmark_db
def test_affects_from_the_day_after_the_earlier_end():
    link = LinkFactory(start_date=date(2010, 1, 1))
    before = _stored(link)
    link.end_date = date(2015, 6, 30)  # ending an open link: from the first day it is no longer valid
    assert link.affects_from(before) == date(2015, 7, 1)
    link.save()
    before = _stored(link)
    link.end_date = date(2016, 6, 30)  # extending it
    assert link.affects_from(before) == date(2015, 7, 1)
    link.end_date = date(2014, 6, 30)  # shortening it
    assert link.affects_from(before) == date(2014, 7, 1)
    link.end_date = None  # reopening it
    assert link.affects_from(before) == date(2015, 7, 1)


@pytestmark_db
def test_affects_from_the_earlier_start():
    hub = HubFactory(recognized_on=date(2012, 3, 1))
    before = _stored(hub)
    hub.recognized_on = date(2011, 3, 1)
    assert hub.affects_from(before) == date(2011, 3, 1)
    hub.recognized_on = date(2013, 3, 1)
    assert hub.affects_from(before) == date(2012, 3, 1)


@pytestmark_db
def test_affects_from_the_earlier_start_when_a_declared_field_changed():
    link = LinkFactory(start_date=date(2012, 1, 1))
    before = _stored(link)
    link.role = LinkRole.SERVE
    assert link.affects_from(before) == date(2012, 1, 1)
    link.role, link.hub = LinkRole.CONTACT, HubFactory()
    assert link.affects_from(before) == date(2012, 1, 1)
    organization = OrganizationFactory(founded_on=date(2005, 1, 1))
    before = _stored(organization)
    organization.kind = "mass_organization"
    assert organization.affects_from(before) == date(2005, 1, 1)


@pytestmark_db
def test_affects_from_takes_field_names_and_related_records_too():
    link = LinkFactory(start_date=date(2012, 1, 1))
    before = {
        "start_date": link.start_date,
        "end_date": None,
        "hub": link.hub,
        "organization": link.organization,
        "role": link.role,
    }
    assert link.affects_from(before) is None
    link.start_date = date(2011, 1, 1)
    assert link.affects_from(before) == date(2011, 1, 1)


def test_watched_names_the_stored_columns():
    assert Link.dated.watched == ("start_date", "end_date", "hub_id", "organization_id", "role")
    assert Organization.dated.watched == ("founded_on", "active_until", "kind", "district_id", "street_id")


# ---------------------------------------------------------------- the migrations onto the convention


def _migration(app: str, name: str):
    return importlib.import_module(f"shuniu.{app}.migrations.{name}")


class _Editor:
    """What the migrations' data step uses of a schema editor, inside the test's transaction."""

    connection = connection
    quote_name = staticmethod(connection.ops.quote_name)

    @staticmethod
    def execute(sql, params=()):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


@pytestmark_db
def test_the_hub_migration_moves_revocations_to_the_last_recognised_day_and_back():
    open_hub = HubFactory(recognized_on=date(2009, 3, 1))
    revoked = HubFactory(recognized_on=date(2009, 3, 1))
    # as 0005 stored it: the day of the revocation
    Hub.objects.filter(pk=revoked.pk).update(recognized_until=date(2016, 1, 1))
    migration = _migration("hubs", "0006_recognized_until")
    migration.shift(-1)(None, _Editor())
    values = dict(Hub.objects.values_list("pk", "recognized_until"))
    assert values == {open_hub.pk: None, revoked.pk: date(2015, 12, 31)}
    assert Hub.objects.on(date(2015, 12, 31)).filter(pk=revoked.pk).exists()
    assert not Hub.objects.on(date(2016, 1, 1)).filter(pk=revoked.pk).exists()
    migration.shift(+1)(None, _Editor())
    assert Hub.objects.get(pk=revoked.pk).recognized_until == date(2016, 1, 1)


@pytestmark_db
def test_the_organization_migration_moves_dissolutions_to_the_last_active_day_and_back():
    active = OrganizationFactory(founded_on=date(2005, 1, 1))
    dissolved = OrganizationFactory(
        founded_on=date(2005, 1, 1), status=OrganizationStatus.DEREGISTERED, active_until=date(2012, 1, 1)
    )
    same_day = OrganizationFactory(
        founded_on=date(2010, 5, 1), status=OrganizationStatus.REVOKED, active_until=date(2010, 5, 1)
    )
    migration = _migration("organizations", "0007_active_until")
    migration.shift(-1)(None, _Editor())
    values = dict(Organization.objects.values_list("pk", "active_until"))
    # dissolved on 2012-01-01: last active on 2011-12-31; dissolved on its founding day: it cannot end before it
    # starts, so its founding day is its last
    assert values == {active.pk: None, dissolved.pk: date(2011, 12, 31), same_day.pk: date(2010, 5, 1)}
    migration.shift(+1)(None, _Editor())
    values = dict(Organization.objects.values_list("pk", "active_until"))
    assert values == {active.pk: None, dissolved.pk: date(2012, 1, 1), same_day.pk: date(2010, 5, 2)}
