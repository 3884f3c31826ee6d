from django.db.models import Count, Q
from django.shortcuts import render
from django.utils import timezone
from django.views import View

from shuniu.core.views import ObjectView, ScopedViewMixin
from shuniu.indicators.figures import ratio
from shuniu.indicators.selectors import coverage_by_district, coverage_by_street

from .models import Area


class AreaListView(ScopedViewMixin, View):
    """The city's districts with population and coverage today; each links to its streets."""

    queryset = Area.objects.all()
    template_name = "areas/area_list.html"

    def get(self, request):
        self.get_queryset()
        today = timezone.localdate()
        districts = (
            Area.objects.districts()
            .prefetch_related("populations")
            .annotate(streets=Count("children", filter=Q(children__level="street")))
        )
        figures = {figure.key: figure for figure in coverage_by_district(day=today, user=request.user)}
        rows = []
        for area in districts:
            population = max(area.populations.all(), key=lambda p: p.year, default=None)
            figure = figures.get(area.code)
            per_10k = ratio(figure.denominator * 10000, population.resident, "0.1") if population else None
            rows.append((area, figure, population, per_10k))
        return render(request, self.template_name, {"rows": rows, "today": today})


class AreaView(ObjectView):
    queryset = Area.objects.select_related("parent")

    def get_extra_context(self, request, instance):
        today = timezone.localdate()
        context = {"today": today, "populations": instance.populations.all()}
        if instance.level == "district":
            context["street_figures"] = coverage_by_street(day=today, user=request.user, district=instance)
        context["children"] = instance.children.all()
        return context
