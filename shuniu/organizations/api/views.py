from django.db.models import Model

from shuniu.core.api.viewsets import ScopedModelViewSet, ScopedReadOnlyModelViewSet
from shuniu.core.unmasking import unmaskable_ids

from ..filtersets import OrganizationFilterSet
from ..models import Field, Organization
from .serializers import FieldSerializer, OrganizationSerializer


class FieldViewSet(ScopedReadOnlyModelViewSet):
    """Fields of work (领域)."""

    queryset = Field.objects.all()
    serializer_class = FieldSerializer


class OrganizationViewSet(ScopedModelViewSet):
    """The registry of social organizations. Filters are those of the organization list page, including
    coverage on a date (`covered_on`, `uncovered_on`, narrowed by `covered_by_level|system|hub`)."""

    queryset = Organization.objects.select_related("district", "street").prefetch_related("fields")
    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilterSet

    def get_serializer(self, *args, **kwargs):
        """With `?unmask=1` on a read, the records this user may unmask show the legal representative's full numbers
        (each audited); every other record, and every other user, gets them masked."""
        if args and self.request.method == "GET" and self.request.query_params.get("unmask") == "1":
            records = [args[0]] if isinstance(args[0], Model) else list(args[0])
            unmasked = unmaskable_ids(self.request.user, Organization, [record.pk for record in records])
            kwargs["context"] = {**self.get_serializer_context(), "unmasked": unmasked}
        return super().get_serializer(*args, **kwargs)
