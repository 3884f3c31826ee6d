from django.urls import path

from . import views

app_name = "organizations"
urlpatterns = [
    path("", views.OrganizationListView.as_view(), name="organization_list"),
    path("uncovered/", views.UncoveredOrganizationListView.as_view(), name="organization_uncovered"),
    path("add/", views.OrganizationEditView.as_view(), name="organization_add"),
    path("<int:pk>/", views.OrganizationView.as_view(), name="organization"),
    path("<int:pk>/edit/", views.OrganizationEditView.as_view(), name="organization_edit"),
]
