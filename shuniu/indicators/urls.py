from django.urls import path

from . import views

app_name = "indicators"
urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("coverage/growth/", views.CoverageGrowthView.as_view(), name="coverage_growth"),
    path("coverage/<slug:dimension>/", views.CoverageView.as_view(), name="coverage"),
]
