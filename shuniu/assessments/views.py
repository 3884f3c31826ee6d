"""The pages of annual inspections and grade evaluations: the platform's generic views, declared."""

from shuniu.core.views import ObjectEditView, ObjectListView, ObjectView

from .filtersets import AnnualInspectionFilterSet, GradeEvaluationFilterSet
from .forms import AnnualInspectionForm, GradeEvaluationForm
from .models import AnnualInspection, GradeEvaluation
from .tables import AnnualInspectionTable, GradeEvaluationTable

INSPECTIONS = AnnualInspection.objects.select_related("organization")
GRADES = GradeEvaluation.objects.select_related("organization")


class AnnualInspectionListView(ObjectListView):
    queryset = INSPECTIONS
    filterset = AnnualInspectionFilterSet
    table = AnnualInspectionTable


class AnnualInspectionView(ObjectView):
    queryset = INSPECTIONS
    fields = ("organization", "year", "result", "inspected_on", "remarks")


class AnnualInspectionEditView(ObjectEditView):
    queryset = INSPECTIONS
    form = AnnualInspectionForm


class GradeEvaluationListView(ObjectListView):
    queryset = GRADES
    filterset = GradeEvaluationFilterSet
    table = GradeEvaluationTable


class GradeEvaluationView(ObjectView):
    queryset = GRADES
    fields = ("organization", "grade", "awarded_on", "valid_until", "body", "remarks")


class GradeEvaluationEditView(ObjectEditView):
    queryset = GRADES
    form = GradeEvaluationForm
