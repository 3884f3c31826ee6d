"""What this app adds to an organization's page (`core.modules.Section`)."""

from django.utils import timezone

from shuniu.core.access import user_can

from .models import AnnualInspection, GradeEvaluation

RECENT_YEARS = 5


def organization_assessments(organization, user) -> dict | None:
    """The organization's latest inspections and its grades (the one valid today first); None when the user may see
    neither."""
    can_inspections = user_can(user, AnnualInspection, "view")
    can_grades = user_can(user, GradeEvaluation, "view")
    if not (can_inspections or can_grades):
        return None
    today = timezone.localdate()
    inspections = (
        list(AnnualInspection.objects.restrict(user, "view").filter(organization=organization)[:RECENT_YEARS])
        if can_inspections
        else None
    )
    grades = (
        list(GradeEvaluation.objects.restrict(user, "view").filter(organization=organization)) if can_grades else None
    )
    current = next((grade for grade in grades or () if grade.is_on(today)), None)
    return {
        "inspections": inspections,
        "grades": grades,
        "current_grade": current,
        "today": today,
        "can_add_inspection": user_can(user, AnnualInspection, "add"),
        "can_add_grade": user_can(user, GradeEvaluation, "add"),
    }
