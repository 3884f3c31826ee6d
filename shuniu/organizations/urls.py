from django.urls import path

from shuniu.core.actions import action_urls

from . import views

app_name = "organizations"
urlpatterns = [
    path("", views.OrganizationListView.as_view(), name="organization_list"),
    path("add/", views.OrganizationEditView.as_view(), name="organization_add"),
    path("duplicates/", views.DuplicateListView.as_view(), name="duplicates"),
    *action_urls("organizations"),  # duplicates/merge/ (`organizations.actions`)
    path("duplicates/dismiss/", views.DuplicateDismissView.as_view(), name="duplicate_dismiss"),
    path("<int:pk>/", views.OrganizationView.as_view(), name="organization"),
    path("<int:pk>/edit/", views.OrganizationEditView.as_view(), name="organization_edit"),
    path("<int:pk>/personal-data/", views.OrganizationPersonalDataView.as_view(), name="organization_personal_data"),
]
