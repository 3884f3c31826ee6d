from django.urls import path

from . import views

app_name = "organizations"
urlpatterns = [
    path("", views.OrganizationListView.as_view(), name="organization_list"),
    path("uncovered/", views.UncoveredOrganizationListView.as_view(), name="organization_uncovered"),
    path("add/", views.OrganizationEditView.as_view(), name="organization_add"),
    path("duplicates/", views.DuplicateListView.as_view(), name="duplicates"),
    path("duplicates/merge/", views.DuplicateMergeView.as_view(), name="duplicate_merge"),
    path("duplicates/dismiss/", views.DuplicateDismissView.as_view(), name="duplicate_dismiss"),
    path("<int:pk>/", views.OrganizationView.as_view(), name="organization"),
    path("<int:pk>/edit/", views.OrganizationEditView.as_view(), name="organization_edit"),
    path("<int:pk>/personal-data/", views.OrganizationPersonalDataView.as_view(), name="organization_personal_data"),
]
