from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from shuniu.core.api.exceptions import validation_detail
from shuniu.core.api.viewsets import ScopedModelViewSet

from .. import services
from ..filtersets import HubFilterSet, LinkFilterSet
from ..models import Hub, Link, System
from .serializers import HubSerializer, LinkEndSerializer, LinkSerializer, SystemSerializer


class SystemViewSet(ScopedModelViewSet):
    """Systems or lines (条线) of hubs."""

    queryset = System.objects.all()
    serializer_class = SystemSerializer


class HubViewSet(ScopedModelViewSet):
    """Hub recognitions: an organization recognised as a hub at a level, for a jurisdiction and a system."""

    queryset = Hub.objects.select_related("organization", "area", "system", "parent__organization").prefetch_related(
        "fields"
    )
    serializer_class = HubSerializer
    filterset_class = HubFilterSet


class LinkViewSet(ScopedModelViewSet):
    """Dated links between hubs and organizations. Ending a link keeps the row: POST `…/{id}/end/`."""

    queryset = Link.objects.select_related("hub__organization", "organization")
    serializer_class = LinkSerializer
    filterset_class = LinkFilterSet

    @extend_schema(request=LinkEndSerializer, responses={200: LinkSerializer})
    @action(detail=True, methods=["post"], permission_action="end")
    def end(self, request, pk=None):
        """End the link on `end_date` (its last valid day); the reason is kept in the note."""
        link = self.get_object()
        data = LinkEndSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            with transaction.atomic():
                link = services.link_end(link=link, **data.validated_data)
                self.check_in_scope(link)
        except DjangoValidationError as error:
            raise ValidationError(validation_detail(error)) from error
        return Response(self.get_serializer(link).data)
