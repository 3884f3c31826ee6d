"""Merging two organizations moves their inspections and grades (the step `assessments/merging.py` declares)."""

from datetime import date

import pytest
from django.urls import reverse

from shuniu.assessments.choices import Grade
from shuniu.assessments.models import AnnualInspection, GradeEvaluation
from shuniu.organizations.choices import OrganizationKind
from shuniu.organizations.models import Organization, OrganizationMerge
from shuniu.organizations.services import organization_merge
from shuniu.organizations.tests.factories import OrganizationFactory

from .factories import AnnualInspectionFactory, GradeEvaluationFactory

pytestmark = pytest.mark.django_db

MERGE_URL = reverse("organizations:duplicate_merge")


@pytest.fixture
def pair():
    """Two records of one community organization (filed, without a USCC)."""
    return tuple(
        OrganizationFactory(name=name, kind=OrganizationKind.COMMUNITY) for name in ("北京市朝阳区阳光协会", "阳光协会")
    )


def test_the_confirmation_page_says_which_inspections_and_grades_move_and_the_merge_moves_them(admin_client, pair):
    keep, merge = pair
    kept_inspection = AnnualInspectionFactory(organization=keep, year=2016)
    inspections = [AnnualInspectionFactory(organization=merge, year=year) for year in (2014, 2015)]
    grade = GradeEvaluationFactory(organization=merge, grade=Grade.A4, awarded_on=date(2017, 3, 1))

    content = admin_client.post(MERGE_URL, {"keep": keep.pk, "merge": merge.pk}).content.decode()
    assert "把 2 条年检记录（2014、2015 年度）移到保留的组织" in content
    assert "把等级评估（4A级，2017-03-01 评定，有效期至 2022-02-28）移到保留的组织" in content

    record = organization_merge(keep=keep, merge=merge)
    assert sorted(AnnualInspection.objects.filter(organization=keep).values_list("pk", flat=True)) == sorted(
        [kept_inspection.pk, *(i.pk for i in inspections)]
    )
    assert GradeEvaluation.objects.get(pk=grade.pk).organization == keep
    assert {label: sorted(ids) for label, ids in record.snapshot["other_moved"].items()} == {
        "assessments.AnnualInspection": [i.pk for i in inspections],
        "assessments.GradeEvaluation": [grade.pk],
    }


def test_a_year_both_organizations_were_inspected_refuses_the_merge_and_changes_nothing(admin_client, pair):
    keep, merge = pair
    AnnualInspectionFactory(organization=keep, year=2015)
    AnnualInspectionFactory(organization=merge, year=2015)
    AnnualInspectionFactory(organization=merge, year=2014)
    message = "「北京市朝阳区阳光协会」和「阳光协会」都有 2015 年度的年检记录，一个组织每年只有一条年检记录。"

    response = admin_client.post(MERGE_URL, {"keep": keep.pk, "merge": merge.pk, "confirm": "1"})
    content = response.content.decode()
    assert response.status_code == 200 and message in content and 'data-testid="confirm-merge"' not in content
    assert Organization.objects.filter(pk=merge.pk).exists() and not OrganizationMerge.objects.exists()
    assert AnnualInspection.objects.filter(organization=merge).count() == 2
