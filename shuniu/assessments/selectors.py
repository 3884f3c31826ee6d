from datetime import date

from django.db.models import OuterRef, Subquery

from shuniu.organizations.models import Organization

from .models import GradeEvaluation


def grade_on(*, organization, day: date) -> GradeEvaluation | None:
    """The organization's grade on `day`: its latest evaluation valid on that day (None: ungraded)."""
    return GradeEvaluation.objects.on(day).filter(organization=organization).order_by("-awarded_on", "-pk").first()


def organizations_graded_at_least(*, grade: str, day: date):
    """The organizations whose grade on `day` is `grade` or higher (eligibility for purchased services: 3A)."""
    latest = (
        GradeEvaluation.objects.on(day)
        .filter(organization=OuterRef("pk"))
        .order_by("-awarded_on", "-pk")
        .values("grade")[:1]
    )
    return Organization.objects.annotate(grade_on_day=Subquery(latest)).filter(grade_on_day__gte=grade)
