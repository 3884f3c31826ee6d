"""The access matrix's cases for annual inspections and grades (`core/tests/access_cases.py`): a record of the
organization inside every scoped role's scope (`w.a`) and one of the organization outside all of them (`w.b`)."""

from shuniu.assessments.models import AnnualInspection, GradeEvaluation
from shuniu.core.tests.access_cases import register

from .factories import AnnualInspectionFactory, GradeEvaluationFactory


def _inspection(organization):
    return AnnualInspection.objects.filter(organization=organization).first() or AnnualInspectionFactory(
        organization=organization, remarks=f"{organization.name}的年检"
    )


def _grade(organization):
    return GradeEvaluation.objects.filter(organization=organization).first() or GradeEvaluationFactory(
        organization=organization, remarks=f"{organization.name}的评估"
    )


register(
    AnnualInspection,
    lambda w, u: _inspection(w.a),
    lambda w, u: _inspection(w.b),
    change={"remarks": "越权修改"},
    marker=lambda o: o.organization.name,
)
register(
    GradeEvaluation,
    lambda w, u: _grade(w.a),
    lambda w, u: _grade(w.b),
    change={"remarks": "越权修改"},
    marker=lambda o: o.organization.name,
)
