from datetime import date

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from shuniu.core.access import user_can
from shuniu.core.dates import AsOfViewMixin
from shuniu.core.errors import PermissionDeniedWithReason
from shuniu.hubs.choices import HubLevel
from shuniu.hubs.models import System
from shuniu.organizations.models import Organization

from . import registry, selectors
from .exports import dashboard_export, dimension_export


def dimension_labels() -> dict:
    """Coverage's dimensions, as its declaration names them: {key: label}."""
    return {dimension.key: dimension.label for dimension in registry.indicator().dimensions}


class IndicatorView(AsOfViewMixin, LoginRequiredMixin, View):
    def check(self, request):
        if not user_can(request.user, Organization, "view"):
            raise PermissionDeniedWithReason(_("您没有查看社会组织数据的权限。"))


class DashboardView(IndicatorView):
    """Headline coverage, by district (map and table), by system, by level, by kind and field, and the trend. The
    site's root: a user who sees no organizations (an administrator) is sent to their own page instead of a 403."""

    as_of_params = {"as_of": timezone.localdate}

    def get(self, request):
        if not user_can(request.user, Organization, "view") and not request.GET:
            return redirect("home")
        self.check(request)
        today = timezone.localdate()
        day, error = self.as_of(request)
        if error:  # the message in the date form, and no figures
            return render(request, "indicators/dashboard.html", {"day": None, "today": today, "error": error})
        user = request.user
        overview = selectors.coverage_overview(day=day, user=user)  # every figure from one statement
        total, districts, trend = overview["total"], overview["districts"], overview["trend"]
        if request.GET.get("export") in ("xlsx", "csv"):
            return dashboard_export(
                overview=overview, day=day, user=user, export_format=request.GET["export"]
            ).response()
        systems = [figure for figure in overview["systems"] if figure.numerator]
        hub_counts = selectors.hub_counts_by_level(day=day, user=user)
        context = {
            "day": day,
            "today": today,
            "error": error,
            "total": total,
            "districts": districts,
            "systems": systems,
            "levels": overview["levels"],
            "kinds": overview["kinds"],
            "fields": overview["fields"],
            "trend": trend,
            "trend_pending": overview["trend_pending"],
            "hub_counts": [(level.label, hub_counts.get(level.value, 0)) for level in HubLevel],
            "chart_labels": {"rate": _("覆盖率"), "high": _("高"), "low": _("低")},
            "chart_data": {
                "districts": [
                    {
                        "name": f.label,
                        "code": f.key,
                        "value": float(f.rate or 0),
                        "numerator": f.numerator,
                        "denominator": f.denominator,
                        "url": f.uncovered_url(),
                    }
                    for f in districts
                ],
                "systems": [{"name": f.label, "value": f.numerator, "url": f.covered_url()} for f in systems],
                "trend": [
                    {
                        "name": f.label,
                        "value": float(f.rate or 0),
                        "numerator": f.numerator,
                        "denominator": f.denominator,
                    }
                    for f in trend
                ],
            },
        }
        return render(request, "indicators/dashboard.html", context)


class CoverageView(IndicatorView):
    """One dimension's coverage table as of a date."""

    as_of_params = {"as_of": timezone.localdate}

    def get(self, request, dimension):
        if dimension not in selectors.DIMENSIONS:
            raise Http404
        self.check(request)
        day, error = self.as_of(request)
        figures = [] if error else selectors.coverage_by(dimension=dimension, day=day, user=request.user)
        if request.GET.get("export") in ("xlsx", "csv") and not error:
            export_format = request.GET["export"]
            return dimension_export(
                dimension=dimension, figures=figures, day=day, user=request.user, export_format=export_format
            ).response()
        return render(
            request,
            "indicators/coverage.html",
            {
                "day": day,
                "error": error,
                "dimension": dimension,
                "title": dimension_labels()[dimension],
                "figures": figures,
                "dimensions": dimension_labels(),
                "shared_denominator": dimension in ("level", "system"),
            },
        )


class CoverageGrowthView(IndicatorView):
    """Growth between two dates, with each system's share of the total and of the increase."""

    as_of_params = {"start": date(2009, 3, 31), "end": date(2015, 6, 30)}

    def get(self, request):
        self.check(request)
        start, error_start = self.as_of(request, "start")
        end, error_end = self.as_of(request, "end")
        level = request.GET.get("level", "city")
        if level and level not in HubLevel.values:
            level = ""
        errors = [e for e in (error_start, error_end) if e]
        if not errors and start >= end:
            errors.append(_("起始日期须早于截止日期。"))
        growth = None
        if start and end:  # a bad date: the message, and no figures
            growth = selectors.coverage_growth(start=start, end=end, user=request.user, level=level or None)
        return render(
            request,
            "indicators/growth.html",
            {
                "growth": growth,
                "errors": errors,
                "levels": HubLevel.choices,
                "level": level,
                "systems": System.objects.all(),
            },
        )
