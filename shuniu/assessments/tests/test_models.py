from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from shuniu.assessments.choices import Grade, InspectionResult
from shuniu.assessments.models import AnnualInspection, GradeEvaluation, grade_valid_until
from shuniu.assessments.selectors import grade_on, organizations_graded_at_least
from shuniu.organizations.tests.factories import OrganizationFactory

from .factories import AnnualInspectionFactory, GradeEvaluationFactory

pytestmark = pytest.mark.django_db


def errors_of(record) -> dict:
    with pytest.raises(ValidationError) as caught:
        record.full_clean()
    return caught.value.message_dict


class TestAnnualInspection:
    def test_one_record_per_organization_and_year(self):
        first = AnnualInspectionFactory()
        second = AnnualInspection(organization=first.organization, year=first.year, result=InspectionResult.ABSENT)
        assert errors_of(second)["__all__"] == ["该组织这一年度已有年检记录。"]

    def test_absent_has_no_date_and_the_others_need_one(self):
        organization = OrganizationFactory()
        absent = AnnualInspection(
            organization=organization, year=2015, result=InspectionResult.ABSENT, inspected_on=date(2016, 4, 1)
        )
        assert errors_of(absent)["inspected_on"] == ["未参检的记录没有年检日期。"]
        qualified = AnnualInspection(organization=organization, year=2015, result=InspectionResult.QUALIFIED)
        assert errors_of(qualified)["inspected_on"] == ["请填写年检日期。"]

    def test_dates_and_years_in_the_future_or_before_the_year_are_refused(self):
        today = timezone.localdate()
        organization = OrganizationFactory()
        future = AnnualInspection(organization=organization, year=today.year + 1, result=InspectionResult.ABSENT)
        assert errors_of(future)["year"] == [f"年度不能晚于今年（{today.year}）。"]
        early = AnnualInspection(
            organization=organization, year=2015, result=InspectionResult.QUALIFIED, inspected_on=date(2014, 12, 31)
        )
        assert errors_of(early)["inspected_on"] == ["年检日期不能早于所检年度。"]


class TestGradeEvaluation:
    def test_a_grade_holds_five_years_by_default(self):
        grade = GradeEvaluationFactory(awarded_on=date(2016, 12, 1))
        assert grade.valid_until == date(2021, 11, 30)
        assert grade.is_on(date(2021, 11, 30)) and not grade.is_on(date(2021, 12, 1))
        assert grade_valid_until(date(2016, 2, 29)) == date(2021, 2, 28)

    def test_valid_until_before_the_award_is_refused(self):
        grade = GradeEvaluation(
            organization=OrganizationFactory(),
            grade=Grade.A4,
            awarded_on=date(2016, 12, 1),
            valid_until=date(2016, 11, 30),
            body="评估委员会",
        )
        assert errors_of(grade)["__all__"] == ["有效期至不能早于评定日期。"]

    def test_an_award_in_the_future_is_refused(self):
        tomorrow = timezone.localdate() + timedelta(days=1)
        grade = GradeEvaluation(organization=OrganizationFactory(), grade=Grade.A4, awarded_on=tomorrow, body="委员会")
        assert "评定日期不能晚于今天" in errors_of(grade)["awarded_on"][0]

    def test_the_grade_on_a_day_is_the_latest_valid_one(self):
        organization = OrganizationFactory()
        GradeEvaluationFactory(organization=organization, grade=Grade.A3, awarded_on=date(2014, 6, 1))
        GradeEvaluationFactory(organization=organization, grade=Grade.A5, awarded_on=date(2017, 6, 1))
        assert grade_on(organization=organization, day=date(2013, 1, 1)) is None
        assert grade_on(organization=organization, day=date(2016, 1, 1)).grade == Grade.A3
        assert grade_on(organization=organization, day=date(2018, 1, 1)).grade == Grade.A5  # supersedes the 3A

    def test_organizations_graded_at_least(self):
        three, two, lapsed = OrganizationFactory(), OrganizationFactory(), OrganizationFactory()
        GradeEvaluationFactory(organization=three, grade=Grade.A3, awarded_on=date(2016, 1, 1))
        GradeEvaluationFactory(organization=two, grade=Grade.A2, awarded_on=date(2016, 1, 1))
        GradeEvaluationFactory(organization=lapsed, grade=Grade.A5, awarded_on=date(2010, 1, 1))
        eligible = organizations_graded_at_least(grade=Grade.A3, day=date(2017, 1, 1))
        assert list(eligible) == [three]
