from datetime import date

import pytest
from django.urls import reverse

from shuniu.accounts.testing import user_with_role
from shuniu.areas.models import Area
from shuniu.assessments.choices import Grade, InspectionResult
from shuniu.assessments.models import AnnualInspection, GradeEvaluation
from shuniu.audit.models import ObjectChange
from shuniu.organizations.tests.factories import OrganizationFactory

from .factories import AnnualInspectionFactory, GradeEvaluationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def chaoyang():
    return Area.objects.get(code="110105")


@pytest.fixture
def office(client, chaoyang):
    client.force_login(user_with_role("district-office", area=chaoyang))
    return client


class TestAnnualInspectionViews:
    def test_the_list_shows_the_district_and_pins_its_queries(self, office, chaoyang, django_assert_num_queries):
        mine = OrganizationFactory(name="朝阳区年检协会", district=chaoyang)
        theirs = OrganizationFactory(name="海淀区年检协会", district=Area.objects.get(code="110108"))
        for organization in (mine, theirs):
            AnnualInspectionFactory(organization=organization)
        office.get(reverse("assessments:annualinspection_list"))  # warm the user's grants and sessions
        with django_assert_num_queries(8):
            response = office.get(reverse("assessments:annualinspection_list"))
        page = response.content.decode()
        assert "朝阳区年检协会" in page and "海淀区年检协会" not in page
        for n in range(5):
            AnnualInspectionFactory(organization=OrganizationFactory(district=chaoyang), year=2010 + n)
        with django_assert_num_queries(8):  # as many for more rows
            office.get(reverse("assessments:annualinspection_list"))

    def test_add_through_the_form_is_audited(self, office, chaoyang):
        organization = OrganizationFactory(district=chaoyang)
        response = office.post(
            reverse("assessments:annualinspection_add"),
            {"organization": organization.pk, "year": 2015, "result": InspectionResult.QUALIFIED,
             "inspected_on": "2016-04-30", "remarks": ""},
        )  # fmt: skip
        inspection = AnnualInspection.objects.get()
        assert response.status_code == 302 and response["Location"] == inspection.get_absolute_url()
        assert ObjectChange.objects.for_object(inspection).filter(action="create").exists()

    def test_the_form_refuses_with_the_model_message(self, office, chaoyang):
        organization = OrganizationFactory(district=chaoyang)
        response = office.post(
            reverse("assessments:annualinspection_add"),
            {"organization": organization.pk, "year": 2015, "result": InspectionResult.QUALIFIED, "remarks": ""},
        )
        assert "请填写年检日期。" in response.content.decode()
        assert not AnnualInspection.objects.exists()

    def test_an_organization_outside_the_district_is_refused(self, office):
        outside = OrganizationFactory(district=Area.objects.get(code="110108"), name="海淀区外区协会")
        response = office.post(
            reverse("assessments:annualinspection_add"),
            {"organization": outside.pk, "year": 2015, "result": InspectionResult.ABSENT, "remarks": ""},
        )
        assert response.status_code == 200 and not AnnualInspection.objects.exists()
        assert "海淀区外区协会" not in response.content.decode()

    def test_the_detail_page_comes_from_the_platform(self, office, chaoyang):
        inspection = AnnualInspectionFactory(organization=OrganizationFactory(district=chaoyang, name="朝阳区详情协会"))
        page = office.get(inspection.get_absolute_url()).content.decode()
        assert "朝阳区详情协会" in page and "合格" in page and "2016-04-30" in page
        assert reverse("assessments:annualinspection_edit", kwargs={"pk": inspection.pk}) in page


class TestOrganizationSection:
    def test_the_organization_page_shows_inspections_and_the_current_grade(self, office, chaoyang):
        organization = OrganizationFactory(district=chaoyang)
        AnnualInspectionFactory(organization=organization, year=2015, result=InspectionResult.BASICALLY_QUALIFIED)
        GradeEvaluationFactory(organization=organization, grade=Grade.A4, awarded_on=date(2024, 3, 1))
        page = office.get(organization.get_absolute_url()).content.decode()
        assert 'data-testid="assessments-section"' in page
        assert "基本合格" in page and "4A级" in page and "2029-02-28" in page

    def test_a_role_without_the_permission_sees_no_section(self, client, chaoyang):
        organization = OrganizationFactory(district=chaoyang)
        user = user_with_role("district-office", area=chaoyang)
        user.role_assignments.all().delete()
        from django.contrib.auth.models import Permission

        user.user_permissions.add(Permission.objects.get(codename="view_organization"))
        client.force_login(user)
        page = client.get(organization.get_absolute_url()).content.decode()
        assert 'data-testid="assessments-section"' not in page


class TestGradeEvaluationViews:
    def test_add_without_valid_until_takes_five_years(self, office, chaoyang):
        organization = OrganizationFactory(district=chaoyang)
        response = office.post(
            reverse("assessments:gradeevaluation_add"),
            {"organization": organization.pk, "grade": Grade.A3, "awarded_on": "2020-07-01", "valid_until": "",
             "body": "朝阳区社会组织评估委员会", "remarks": ""},
        )  # fmt: skip
        assert response.status_code == 302
        assert GradeEvaluation.objects.get().valid_until == date(2025, 6, 30)

    def test_the_menu_offers_the_module(self, office):
        page = office.get(reverse("assessments:gradeevaluation_list")).content.decode()
        assert reverse("assessments:annualinspection_list") in page and "年检评估" in page
