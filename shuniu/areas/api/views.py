from shuniu.core.api.viewsets import ScopedReadOnlyModelViewSet

from ..models import Area
from .filtersets import AreaFilterSet
from .serializers import AreaSerializer


class AreaViewSet(ScopedReadOnlyModelViewSet):
    """Beijing's divisions: the city, its districts and their streets and townships (read-only)."""

    queryset = Area.objects.select_related("parent")
    serializer_class = AreaSerializer
    filterset_class = AreaFilterSet
