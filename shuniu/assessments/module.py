"""Annual inspections and grade evaluations of organizations, declared to the platform (`shuniu.core.modules`):
pages, API, menu, the roles' permissions, exports, the section on the organization's page, the import and the access
cases.
The audit log follows both models without being told (they are `BaseModel`s)."""

from django.utils.translation import gettext_lazy as _

from shuniu.core.exporting import ListExport
from shuniu.core.modules import MenuItem, Module, Section, register

VIEW = ("assessments.view_annualinspection", "assessments.view_gradeevaluation")
KEEP = (
    *VIEW,
    "assessments.add_annualinspection",
    "assessments.change_annualinspection",
    "assessments.delete_annualinspection",
    "assessments.add_gradeevaluation",
    "assessments.change_gradeevaluation",
    "assessments.delete_gradeevaluation",
)

module = register(
    Module(
        app_label="assessments",
        urls="shuniu.assessments.urls",
        api_urls="shuniu.assessments.api.urls",
        menu=(
            MenuItem(_("年检记录"), "assessments:annualinspection_list", VIEW[0], order=25, group=_("年检评估")),
            MenuItem(_("等级评估"), "assessments:gradeevaluation_list", VIEW[1], order=26, group=_("年检评估")),
        ),
        permissions={
            "city-admin": ("assessments.*",),
            "district-office": KEEP,  # the registration authority inspects and grades the district's organizations
            **{slug: VIEW for slug in ("city-analyst", "street-office", "hub-staff", "organization", "leader")},
        },
        imports=(
            "shuniu.assessments.imports.AnnualInspectionDefinition",
            "shuniu.assessments.imports.GradeEvaluationDefinition",
        ),
        exports={
            "inspections": ListExport("assessments:annualinspection_list"),
            "grades": ListExport("assessments:gradeevaluation_list", as_of="valid_on"),
        },
        sections=(
            Section(
                model="organizations.organization",
                template="assessments/includes/organization_section.html",
                context="shuniu.assessments.sections.organization_assessments",
                order=50,
            ),
        ),
        merge_steps={"organizations.organization": ("shuniu.assessments.merging.InspectionsAndGrades",)},
        access_cases="shuniu.assessments.tests.access",
    )
)
