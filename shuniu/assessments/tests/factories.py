from datetime import date

import factory

from shuniu.assessments.choices import Grade, InspectionResult
from shuniu.assessments.models import AnnualInspection, GradeEvaluation
from shuniu.organizations.tests.factories import OrganizationFactory


class AnnualInspectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AnnualInspection

    organization = factory.SubFactory(OrganizationFactory)
    year = 2015
    result = InspectionResult.QUALIFIED
    inspected_on = factory.LazyAttribute(lambda o: date(o.year + 1, 4, 30))


class GradeEvaluationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GradeEvaluation

    organization = factory.SubFactory(OrganizationFactory)
    grade = Grade.A3
    awarded_on = date(2016, 12, 1)
    body = "北京市社会组织评估委员会"
