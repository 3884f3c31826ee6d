from shuniu.core.api.viewsets import ScopedModelViewSet

from ..filtersets import HubFilterSet, LinkFilterSet
from ..models import Hub, Link, System
from .serializers import HubSerializer, LinkSerializer, SystemSerializer


class SystemViewSet(ScopedModelViewSet):
    """Systems or lines (条线) of hubs."""

    queryset = System.objects.all()
    serializer_class = SystemSerializer


class HubViewSet(ScopedModelViewSet):
    """Hub recognitions: an organization recognised as a hub at a level, for a jurisdiction and a system. Revoking a
    recognition keeps the row: POST `…/{id}/revoke/` (`hubs.actions`)."""

    queryset = Hub.objects.select_related("organization", "area", "system", "parent__organization").prefetch_related(
        "fields"
    )
    serializer_class = HubSerializer
    filterset_class = HubFilterSet


class LinkViewSet(ScopedModelViewSet):
    """Dated links between hubs and organizations. Ending a link keeps the row: POST `…/{id}/end/` (`hubs.actions`)."""

    queryset = Link.objects.select_related("hub__organization", "organization")
    serializer_class = LinkSerializer
    filterset_class = LinkFilterSet
