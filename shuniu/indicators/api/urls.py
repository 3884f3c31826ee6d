from django.urls import path

from . import views

app_name = "indicators-api"

urlpatterns = [
    path("", views.CoverageView.as_view(), name="coverage"),
    path("trend/", views.CoverageTrendView.as_view(), name="coverage_trend"),
    path("growth/", views.CoverageGrowthView.as_view(), name="coverage_growth"),
    path("hubs/", views.CoverageHubsView.as_view(), name="coverage_hubs"),
]
