"""Coverage figures as of any date. Each figure links to the API organization list that reproduces its
numerator (`covered_on=…`) and its gap (`uncovered_on=…`), with the figure's own filters."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from shuniu.core.access import user_can, visible_ids
from shuniu.core.api.viewsets import APIMixin
from shuniu.hubs.models import Hub
from shuniu.organizations.models import Organization

from .. import selectors
from .serializers import (
    CoverageGrowthSerializer,
    CoverageQuerySerializer,
    CoverageSerializer,
    GrowthQuerySerializer,
    HubsCoverageSerializer,
    HubsQuerySerializer,
    TrendQuerySerializer,
    TrendSerializer,
    organization_list_url,
)


class CanViewOrganizations(permissions.BasePermission):
    message = _("您没有查看社会组织数据的权限。")

    def has_permission(self, request, view):
        return user_can(request.user, Organization, "view")


class CoverageAPIView(APIMixin, APIView):
    permission_classes = [permissions.IsAuthenticated, CanViewOrganizations]
    query_serializer_class = None

    def query(self, request) -> dict:
        query = self.query_serializer_class(data=request.query_params)
        query.is_valid(raise_exception=True)
        return query.validated_data


@extend_schema(parameters=[CoverageQuerySerializer], responses={200: CoverageSerializer})
class CoverageView(CoverageAPIView):
    """Coverage on a date, for the whole city (`by=total`) or per district, street, kind, field, hub level or
    system. For a level or system the denominator is all counted organizations, the numerator those covered by
    hubs of that level or system."""

    query_serializer_class = CoverageQuerySerializer

    def get(self, request):
        query = self.query(request)
        day, by = query.get("as_of") or timezone.localdate(), query["by"]
        if by == "total":
            figures = [selectors.coverage_total(day=day, user=request.user)]
        else:
            figures = selectors.coverage_by(dimension=by, day=day, user=request.user)
        data = {"day": day, "by": by, "figures": figures}
        return Response(CoverageSerializer(data, context={"request": request}).data)


@extend_schema(parameters=[TrendQuerySerializer], responses={200: TrendSerializer})
class CoverageTrendView(CoverageAPIView):
    """Coverage at each year end since 2008, then on `until`."""

    query_serializer_class = TrendQuerySerializer

    def get(self, request):
        until = self.query(request).get("until") or timezone.localdate()
        figures = selectors.coverage_trend(until=until, user=request.user)
        data = {"until": until, "start_year": selectors.TREND_START_YEAR, "figures": figures}
        return Response(TrendSerializer(data, context={"request": request}).data)


@extend_schema(parameters=[GrowthQuerySerializer], responses={200: CoverageGrowthSerializer})
class CoverageGrowthView(CoverageAPIView):
    """Organizations linked to hubs (of `level`, if given) on two dates, and each system's share of the total
    and of the increase."""

    query_serializer_class = GrowthQuerySerializer

    def get(self, request):
        query = self.query(request)
        start, end, level = query["start"], query["end"], query.get("level")
        growth = selectors.coverage_growth(start=start, end=end, user=request.user, level=level)

        def with_urls(part, **filters):
            filters = {"covered_by_level": level, **filters} if level else filters
            return {
                "start": part.start,
                "end": part.end,
                "increase": part.increase,
                "multiple": part.multiple,
                "increase_multiple": part.increase_multiple,
                "start_url": organization_list_url(request, {"covered_on": start.isoformat(), **filters}),
                "end_url": organization_list_url(request, {"covered_on": end.isoformat(), **filters}),
            }

        data = {
            "start": start,
            "end": end,
            "level": level,
            "total": with_urls(growth["total"]),
            "systems": [
                {**row, "growth": with_urls(row["growth"], covered_by_system=row["system"].pk)}
                for row in growth["systems"]
            ],
        }
        return Response(CoverageGrowthSerializer(data, context={"request": request}).data)


@extend_schema(parameters=[HubsQuerySerializer], responses={200: HubsCoverageSerializer})
class CoverageHubsView(CoverageAPIView):
    """Each hub recognised on the date, with the organizations linked to it that day (its part of coverage)."""

    query_serializer_class = HubsQuerySerializer

    def get(self, request):
        day = self.query(request).get("as_of") or timezone.localdate()
        hubs = Hub.objects.restrict(request.user, "view").on(day).select_related("organization", "area", "system")
        # what the answer names: no other column of the four tables (a thousand hubs' timestamps cost 20 ms to read)
        hubs = list(
            hubs.only(
                "level", "organization__name", "area__code", "area__name", "area__level", "system__code", "system__name"
            )
        )
        visible_ids(request.user, Hub, [hub.pk for hub in hubs])  # each row names its hub: asked once, not per row
        counts = selectors.hub_linked_counts(day=day, user=request.user)
        rows = [
            {
                "hub": hub,
                "level_display": hub.get_level_display(),
                "area": hub.area,
                "system": hub.system,
                "linked": counts.get(hub.pk, 0),
                "linked_url": organization_list_url(request, {"covered_on": day.isoformat(), "covered_by_hub": hub.pk}),
            }
            for hub in hubs
        ]
        return Response(HubsCoverageSerializer({"day": day, "hubs": rows}, context={"request": request}).data)
