from shuniu.core.api.viewsets import ScopedModelViewSet

from ..filtersets import AnnualInspectionFilterSet, GradeEvaluationFilterSet
from ..models import AnnualInspection, GradeEvaluation
from .serializers import AnnualInspectionSerializer, GradeEvaluationSerializer


class AnnualInspectionViewSet(ScopedModelViewSet):
    """Organizations' annual inspections (年检): one per organization and year."""

    queryset = AnnualInspection.objects.select_related("organization")
    serializer_class = AnnualInspectionSerializer
    filterset_class = AnnualInspectionFilterSet


class GradeEvaluationViewSet(ScopedModelViewSet):
    """Organizations' evaluation grades (等级评估, 1A–5A), each valid from its award to `valid_until` (inclusive)."""

    queryset = GradeEvaluation.objects.select_related("organization")
    serializer_class = GradeEvaluationSerializer
    filterset_class = GradeEvaluationFilterSet
