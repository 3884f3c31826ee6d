from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from shuniu.core.api.serializers import CleanModelSerializer
from shuniu.organizations.api.serializers import OrganizationBriefSerializer
from shuniu.organizations.models import Organization

from ..models import AnnualInspection, GradeEvaluation


class AssessmentSerializer(CleanModelSerializer):
    """An organization's record: the organization nested (named only where the caller may see it), written by id."""

    organization = OrganizationBriefSerializer(read_only=True)
    organization_id = serializers.PrimaryKeyRelatedField(
        source="organization", queryset=Organization.objects.all(), write_only=True, label=_("组织")
    )


class AnnualInspectionSerializer(AssessmentSerializer):
    result_display = serializers.CharField(source="get_result_display", read_only=True, label=_("年检结论"))

    class Meta:
        model = AnnualInspection
        fields = [
            "id",
            "url",
            "display",
            "organization",
            "organization_id",
            "year",
            "result",
            "result_display",
            "inspected_on",
            "remarks",
            "created_at",
            "updated_at",
        ]


class GradeEvaluationSerializer(AssessmentSerializer):
    class Meta:
        model = GradeEvaluation
        fields = [
            "id",
            "url",
            "display",
            "organization",
            "organization_id",
            "grade",
            "awarded_on",
            "valid_until",
            "body",
            "remarks",
            "created_at",
            "updated_at",
        ]
