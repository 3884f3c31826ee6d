from shuniu.core.api.viewsets import ScopedModelViewSet, ScopedReadOnlyModelViewSet, UnmaskingViewSetMixin

from ..filtersets import OrganizationFilterSet
from ..models import Field, Organization
from .serializers import FieldSerializer, OrganizationSerializer


class FieldViewSet(ScopedReadOnlyModelViewSet):
    """Fields of work (领域)."""

    queryset = Field.objects.all()
    serializer_class = FieldSerializer


class OrganizationViewSet(UnmaskingViewSetMixin, ScopedModelViewSet):
    """The registry of social organizations. Filters are those of the organization list page, including
    coverage on a date (`covered_on`, `uncovered_on`, narrowed by `covered_by_level|system|hub`)."""

    queryset = Organization.objects.select_related("district", "street").prefetch_related("fields")
    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilterSet
