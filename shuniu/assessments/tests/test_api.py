import pytest
from rest_framework.test import APIClient

from shuniu.accounts.testing import user_with_role
from shuniu.areas.models import Area
from shuniu.assessments.choices import Grade, InspectionResult
from shuniu.assessments.models import AnnualInspection, GradeEvaluation
from shuniu.organizations.tests.factories import OrganizationFactory

from .factories import AnnualInspectionFactory, GradeEvaluationFactory

pytestmark = pytest.mark.django_db
pytest_plugins = ["shuniu.core.api.testing"]

INSPECTIONS = "/api/assessments/inspections/"
GRADES = "/api/assessments/grades/"


@pytest.fixture
def chaoyang():
    return Area.objects.get(code="110105")


@pytest.fixture
def office(chaoyang):
    client = APIClient()
    client.force_authenticate(user_with_role("district-office", area=chaoyang))
    return client


class TestAnnualInspectionAPI:
    def test_create_list_and_refuse_with_the_model_message(self, office, chaoyang):
        organization = OrganizationFactory(district=chaoyang)
        body = {"organization_id": organization.pk, "year": 2015, "result": InspectionResult.QUALIFIED}
        refused = office.post(INSPECTIONS, body, format="json")
        assert refused.status_code == 400 and refused.json()["inspected_on"] == ["请填写年检日期。"]
        created = office.post(INSPECTIONS, {**body, "inspected_on": "2016-05-01"}, format="json")
        assert created.status_code == 201, created.json()
        assert created.json()["result_display"] == "合格"
        assert created.json()["organization"]["id"] == organization.pk
        assert AnnualInspection.objects.count() == 1

    def test_an_organization_outside_the_scope_is_refused(self, office):
        outside = OrganizationFactory(district=Area.objects.get(code="110108"))
        response = office.post(
            INSPECTIONS,
            {"organization_id": outside.pk, "year": 2015, "result": InspectionResult.ABSENT},
            format="json",
        )
        assert response.status_code == 400 and not AnnualInspection.objects.exists()

    def test_list_query_count_is_constant(self, api_client, django_assert_num_queries):
        AnnualInspectionFactory()
        with django_assert_num_queries(2):  # count, page with the organization
            api_client.get(INSPECTIONS)
        for year in range(2010, 2015):
            AnnualInspectionFactory(year=year)
        with django_assert_num_queries(2):
            assert api_client.get(INSPECTIONS).json()["count"] == 6


class TestGradeEvaluationAPI:
    def test_create_takes_five_years_and_filters_by_day(self, office, chaoyang):
        organization = OrganizationFactory(district=chaoyang)
        created = office.post(
            GRADES,
            {"organization_id": organization.pk, "grade": Grade.A5, "awarded_on": "2019-01-01", "body": "评估委员会"},
            format="json",
        )
        assert created.status_code == 201, created.json()
        assert created.json()["valid_until"] == "2023-12-31"
        assert office.get(GRADES, {"valid_on": "2023-12-31"}).json()["count"] == 1
        assert office.get(GRADES, {"valid_on": "2024-01-01"}).json()["count"] == 0

    def test_list_query_count_is_constant(self, api_client, django_assert_num_queries):
        GradeEvaluationFactory()
        with django_assert_num_queries(2):
            api_client.get(GRADES)
        for _ in range(5):
            GradeEvaluationFactory()
        with django_assert_num_queries(2):
            response = api_client.get(GRADES)
        assert response.json()["count"] == GradeEvaluation.objects.count() == 6
