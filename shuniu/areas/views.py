from django.db.models import Count, Q
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from shuniu.core.exports import EXPORT_FORMATS, build_file
from shuniu.core.views import ObjectView, ScopedViewMixin
from shuniu.indicators.figures import ratio
from shuniu.indicators.selectors import coverage_by_district

from .choices import AreaLevel
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
            .annotate(streets=Count("children", filter=Q(children__level=AreaLevel.STREET)))
        )
        figures = {figure.key: figure for figure in coverage_by_district(day=today, user=request.user)}
        rows = []
        for area in districts:
            population = max(area.populations.all(), key=lambda p: p.year, default=None)
            figure = figures.get(area.code)
            per_10k = ratio(figure.denominator * 10000, population.resident, "0.1") if population and figure else None
            rows.append((area, figure, population, per_10k))
        if request.GET.get("export") in EXPORT_FORMATS:
            return self.export(rows, request.GET["export"]).response()
        return render(request, self.template_name, {"rows": rows, "today": today})

    def export(self, rows, export_format):
        """The table as shown; the rate as a percentage cell in .xlsx, a number of per cent in .csv."""
        xlsx = export_format == "xlsx"
        headers = [_("代码"), _("区"), _("街道/乡镇"), _("常住人口"), _("已覆盖"), _("社会组织数")]
        headers += [_("覆盖率") if xlsx else _("覆盖率（%）"), _("未覆盖"), _("每万人社会组织")]
        values = []
        for area, figure, population, per_10k in rows:
            if figure is None:  # a district outside the user's scope
                counts = [None] * 4
            else:
                rate = figure.rate / 100 if xlsx and figure.rate is not None else figure.rate
                counts = [figure.numerator, figure.denominator, rate, figure.gap]
            resident = population.resident if population else None
            values.append([area.code, area.name, area.streets, resident, *counts, per_10k])
        return build_file(
            title=_("行政区划"),
            headers=headers,
            rows=values,
            export_format=export_format,
            ascii_name="areas",
            **({"number_formats": {6: "0.00%"}} if xlsx else {}),
        )


class AreaView(ObjectView):
    queryset = Area.objects.select_related("parent")

    def get_extra_context(self, request, instance):
        """The area's populations; what other modules say about it (the streets' coverage) are their sections."""
        return {"populations": instance.populations.all()}
