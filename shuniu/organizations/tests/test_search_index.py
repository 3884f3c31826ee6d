"""The name search's character index (shuniu/organizations/search.py): the same organizations as a plain substring
test, for one-, two- and longer searches, in names and former names, on SQLite and PostgreSQL; on PostgreSQL through
the GIN index of migration organizations 0008."""

import pytest
from django.db import connection

from shuniu.organizations.models import Organization
from shuniu.organizations.search import contains_text

from .factories import OrganizationFactory

NAMES = (
    ("北京市阳光助老协会", ""),
    ("北京光阳科技服务中心", ""),  # both characters of 阳光, in the other order
    ("朝阳区阳关合唱团", ""),
    ("海淀区启明星培训学校", "北京阳光艺术培训学校"),  # found by its former name
    ("Sunshine 阳光 English Club", ""),
    ("北京市50%公益基金会", ""),  # LIKE's wildcard characters are searched as themselves
)


@pytest.fixture
def organizations(db):
    return [OrganizationFactory(name=name, former_names=former) for name, former in NAMES]


@pytest.mark.parametrize("text", ["阳", "阳光", "光阳", "阳光助老", "艺术培训", "Sun", "50%", "%", "不存在"])
def test_the_search_finds_exactly_the_names_containing_the_text(organizations, text):
    expected = {o.pk for o in organizations if text in o.name or text in o.former_names}
    assert set(Organization.objects.search(text).values_list("pk", flat=True)) == expected


def test_the_condition_alone_is_the_substring_test(organizations):
    found = set(Organization.objects.filter(contains_text("name", "阳光")).values_list("name", flat=True))
    assert found == {"北京市阳光助老协会", "Sunshine 阳光 English Club"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the character index is PostgreSQL's")
def test_postgresql_answers_a_two_character_search_from_the_index(organizations):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a handful of rows: make the planner show it can
        cursor.execute("SET LOCAL enable_indexscan = off")  # (rather than walk the name index in order)
        plan = Organization.objects.search("阳光").order_by().explain()
    assert "organizations_name_chars" in plan and "organizations_former_names_chars" in plan
