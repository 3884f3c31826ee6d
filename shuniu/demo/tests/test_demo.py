"""The demo city: the same seed gives the same city; at scale 1 the seed figures hold exactly; every record keeps
the rules the services and the database enforce."""

import random
from collections import Counter, defaultdict
from datetime import date

import pytest
from django.db import transaction

from shuniu import demo
from shuniu.core.personal import phone_normalize, ric_normalize
from shuniu.hubs.models import Hub, Link, System
from shuniu.hubs.selectors import links_covering_on, organizations_counted_on, organizations_covered_on
from shuniu.hubs.services import link_validate
from shuniu.indicators.models import IndicatorState, StoredFigure
from shuniu.indicators.selectors import covered_count
from shuniu.organizations.models import Organization
from shuniu.organizations.tests.factories import OrganizationFactory
from shuniu.organizations.validators import uscc_validate, uscc_validate_kind

THREE = ("union", "youth_league", "womens_federation")
REGISTERED = ("social_group", "private_non_enterprise", "foundation")


def _dump():
    organizations = list(
        Organization.objects.order_by("name").values_list(
            "name",
            "uscc",
            "founded_on",
            "kind",
            "active_until",
            "status",
            "district__code",
            "street__code",
            "legal_representative",
            "address",
            "supervisory_unit",
            "legal_representative_id_number_hash",
            "legal_representative_phone_hash",
        )
    )
    hubs = sorted(
        Hub.objects.values_list(
            "organization__name",
            "level",
            "area__code",
            "system__code",
            "recognized_on",
            "recognized_until",
            "parent__organization__name",
        )
    )
    links = sorted(
        Link.objects.values_list(
            "hub__organization__name", "organization__name", "role", "start_date", "end_date", "basis", "note"
        ),
        key=repr,
    )
    fields = sorted(Organization.fields.through.objects.values_list("organization__name", "field__code"))
    return organizations, hubs, links, fields


def _build_and_dump(seed):
    """Build a small city inside a savepoint, dump it, and roll it back."""
    with transaction.atomic():
        demo.build(scale=0.05, seed=seed)
        dump = _dump()
        transaction.set_rollback(True)
    assert not Organization.objects.exists()
    return dump


@pytest.mark.django_db(transaction=False)
def test_same_seed_same_city_another_seed_another_city():
    first = _build_and_dump(2015)
    assert len(first[0]) > 1000 and len(first[1]) == 650 and len(first[2]) > 1000
    assert _build_and_dump(2015) == first
    other = _build_and_dump(2016)
    assert [row[:3] for row in other[0]] != [row[:3] for row in first[0]]
    assert other[2] != first[2]


@pytest.mark.django_db(transaction=False)
def test_a_share_of_legal_representatives_have_valid_beijing_identity_numbers_and_phones():
    with transaction.atomic():
        demo.build(scale=0.05, seed=2015)
        organizations = list(Organization.objects.select_related("district"))
        transaction.set_rollback(True)
    with_numbers = [o for o in organizations if o.legal_representative_id_number]
    assert 0.5 < len(with_numbers) / len(organizations) < 0.7
    for organization in with_numbers[:300]:
        number = organization.legal_representative_id_number.reveal()
        assert ric_normalize(number) == number and number[:6] == organization.district.code
        assert 1950 <= int(number[6:10]) <= 1995
        phone = organization.legal_representative_phone.reveal()
        assert phone_normalize(phone) == phone


@pytest.mark.django_db(transaction=False)
def test_refuses_a_database_that_has_organizations():
    OrganizationFactory()
    with pytest.raises(demo.DemoError):
        demo.build(scale=0.05)


@pytest.fixture(scope="class")
def city(django_db_setup, django_db_blocker):
    """One scale-1 city for the class, rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield demo.build(scale=1.0, seed=2015)
        transaction.set_rollback(True)


@pytest.mark.django_db(transaction=False)
@pytest.mark.usefixtures("city")
class TestScaleOne:
    def test_hubs_by_level(self):
        assert dict(Counter(Hub.objects.values_list("level", flat=True))) == {
            "city": 36,
            "district": 211,
            "street": 403,
        }
        recognized = Counter(Hub.objects.on(date(2015, 6, 30)).values_list("level", flat=True))
        assert dict(recognized) == {"city": 36, "district": 211, "street": 403}  # seed 000, with coverage 87 %
        assert 10 <= Hub.objects.exclude(recognized_until=None).count() <= 16
        assert not Hub.objects.filter(recognized_until__lt=date(2016, 12, 31)).exists()  # revoked from 2017 on
        assert Hub.objects.filter(level="city", recognized_on__year=2009).count() == 10
        assert Hub.objects.filter(level="city", recognized_on__year=2010).count() == 12

    def test_coverage_on_2015_06_30(self, city):
        day = date(2015, 6, 30)
        counted = organizations_counted_on(day=day).count()
        covered = organizations_covered_on(day=day).count()
        assert 31_000 <= counted <= 33_000
        assert 86.5 <= 100 * covered / counted <= 87.5
        assert city["coverage_2015_06_30"] == {
            "covered": covered,
            "counted": counted,
            "rate": round(100 * covered / counted, 2),
        }

    @pytest.mark.parametrize(
        ("day", "total", "three"), [(date(2009, 3, 31), 358, 46), (date(2015, 6, 30), 11_977, 10_965)]
    )
    def test_city_hubs_seed_figures(self, day, total, three):
        assert covered_count(day=day, user=None, level="city") == total
        systems = System.objects.filter(code__in=THREE)
        by_system = [covered_count(day=day, user=None, level="city", system=system) for system in systems]
        links = links_covering_on(day=day, level="city").filter(hub__system__in=systems)
        any_of_three = organizations_counted_on(day=day).filter(pk__in=links.values("organization_id")).count()
        assert sum(by_system) == any_of_three == three

    def test_coverage_grows_year_by_year(self):
        rates = []
        for day in [date(y, 12, 31) for y in range(2009, 2015)] + [date(2015, 6, 30), date(2022, 12, 31)]:
            counted = organizations_counted_on(day=day).count()
            rates.append(100 * organizations_covered_on(day=day).count() / counted)
        assert rates == sorted(rates)
        assert 7 <= rates[0] <= 13 and 22 <= rates[1] <= 30 and 86 <= rates[-1] <= 94

    def test_registered_on_2010_12_31(self):
        active = Counter(
            Organization.objects.on(date(2010, 12, 31)).filter(kind__in=REGISTERED).values_list("kind", flat=True)
        )
        assert dict(active) == {"social_group": 3235, "private_non_enterprise": 3824, "foundation": 157}

    def test_every_uscc_is_valid_and_only_registered_and_mass_organizations_have_one(self):
        rows = list(Organization.objects.values_list("uscc", "kind"))
        for code, kind in rows:
            if kind in REGISTERED or kind == "mass_organization":
                assert code and uscc_validate(code) == code
                uscc_validate_kind(code, kind)
            else:
                assert code is None
        assert len({code for code, _ in rows if code}) == sum(1 for code, _ in rows if code)

    def test_organizations_are_consistent(self):
        rows = list(
            Organization.objects.values_list(
                "pk",
                "name",
                "district_id",
                "street__parent_id",
                "kind",
                "founded_on",
                "registered_on",
                "status",
                "active_until",
            )
        )
        assert len({(district, name) for _, name, district, *_ in rows}) == len(rows)  # unique within a district
        field_counts = Counter(Organization.fields.through.objects.values_list("organization_id", flat=True))
        for pk, _, district, street_district, kind, founded, registered, status, active_until in rows:
            assert street_district == district
            assert 1 <= field_counts[pk] <= 2
            if kind in REGISTERED:
                assert registered == founded
            assert (status == "active") == (active_until is None)
        sample = random.Random(1).sample(sorted(pk for pk, *_ in rows), 300)
        for organization in Organization.objects.filter(pk__in=sample):
            organization.full_clean()

    def test_sample_of_links_passes_link_validate(self):
        pks = sorted(Link.objects.values_list("pk", flat=True))
        sample = random.Random(0).sample(pks, 300)
        for link in Link.objects.filter(pk__in=sample).select_related("hub__organization", "organization"):
            link_validate(link)

    def test_every_link_keeps_the_rules(self):
        hubs = {
            pk: (org, recognized, until)
            for pk, org, recognized, until in Hub.objects.values_list(
                "pk", "organization_id", "recognized_on", "recognized_until"
            )
        }
        active_until = dict(Organization.objects.exclude(active_until=None).values_list("pk", "active_until"))
        periods = defaultdict(list)
        managers = defaultdict(list)
        for hub, organization, role, start, end in Link.objects.values_list(
            "hub_id", "organization_id", "role", "start_date", "end_date"
        ):
            hub_organization, recognized, until = hubs[hub]
            assert hub_organization != organization
            assert recognized <= start and (until is None or start <= until)
            assert organization not in active_until or start <= active_until[organization]
            assert end is None or end >= start
            assert until is None or (end is not None and end <= until)  # ended when the hub lost recognition
            periods[(hub, organization, role)].append((start, end))
            if role == "manage":
                managers[organization].append((start, end))
        for group in [*periods.values(), *managers.values()]:
            group.sort()
            for (_, end), (next_start, _) in zip(group, group[1:], strict=False):
                assert end is not None and end < next_start

    def test_trend_is_stored_and_current(self):
        assert StoredFigure.objects.filter(indicator="hubs.coverage", day=date(2014, 12, 31)).count() == 16
        state = IndicatorState.objects.get(indicator="hubs.coverage")
        assert state.stale_since is None and state.filled_until == date(2025, 12, 31)
