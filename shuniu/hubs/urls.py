from django.urls import include, path

from shuniu.core.actions import action_urls

from . import views

app_name = "hubs"
#: mounted at the site's root (`module.py`): the hubs' pages under hubs/, and the uncovered worklist beside the
#: organizations' pages
hub_patterns = [
    path("", views.HubListView.as_view(), name="hub_list"),
    path("add/", views.HubEditView.as_view(), name="hub_add"),
    path("<int:pk>/", views.HubView.as_view(), name="hub"),
    path("<int:pk>/edit/", views.HubEditView.as_view(), name="hub_edit"),
    path("links/", views.LinkListView.as_view(), name="link_list"),
    path("links/add/", views.LinkEditView.as_view(), name="link_add"),
    path("links/add-suggested/", views.LinkAddSuggestedView.as_view(), name="link_add_suggested"),
    path("links/<int:pk>/edit/", views.LinkEditView.as_view(), name="link_edit"),
    *action_urls("hubs"),  # links/<pk>/end/, <pk>/revoke/ (`hubs.actions`)
]
urlpatterns = [
    path("hubs/", include(hub_patterns)),
    path("organizations/uncovered/", views.UncoveredOrganizationListView.as_view(), name="organization_uncovered"),
]
