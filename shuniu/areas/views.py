from django.db.models import Count, Q
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import View

from shuniu.core.exports import EXPORT_FORMATS, build_file
from shuniu.core.modules import list_columns
from shuniu.core.views import ObjectView, ScopedViewMixin

from .choices import AreaLevel
from .models import Area


class AreaListView(ScopedViewMixin, View):
    """The city's districts with their streets and population; other modules add columns (`Module.columns`:
    coverage today); each district links to its page."""

    queryset = Area.objects.all()
    template_name = "areas/area_list.html"

    def get(self, request):
        self.get_queryset()
        districts = list(
            Area.objects.districts()
            .prefetch_related("populations")
            .annotate(streets=Count("children", filter=Q(children__level=AreaLevel.STREET)))
        )
        extras = list_columns("areas.area", districts, request.user)
        rows = []
        for area in districts:
            population = max(area.populations.all(), key=lambda p: p.year, default=None)
            cells = [(extra.cell_template, extra.cells[area.pk]) for extra in extras]
            rows.append((area, population, cells))
        if request.GET.get("export") in EXPORT_FORMATS:
            return self.export(rows, extras, request.GET["export"]).response()
        return render(request, self.template_name, {"rows": rows, "extras": extras})

    def export(self, rows, extras, export_format):
        """The table as shown, with the columns other modules add (a rate as a percentage cell in .xlsx)."""
        headers = [_("代码"), _("区"), _("街道/乡镇"), _("常住人口")]
        formats = {}
        for extra in extras:
            formats.update(
                {len(headers) + offset: code for offset, code in extra.number_formats(export_format).items()}
            )
            headers += extra.export_headers(export_format)
        values = []
        for area, population, _cells in rows:
            resident = population.resident if population else None
            row = [area.code, area.name, area.streets, resident]
            for extra in extras:
                row += extra.export_values(area, export_format)
            values.append(row)
        return build_file(
            title=_("行政区划"),
            headers=headers,
            rows=values,
            export_format=export_format,
            ascii_name="areas",
            **({"number_formats": formats} if formats else {}),
        )


class AreaView(ObjectView):
    queryset = Area.objects.select_related("parent")

    def get_extra_context(self, request, instance):
        """The area's populations; what other modules say about it (the streets' coverage) are their sections."""
        return {"populations": instance.populations.all()}
