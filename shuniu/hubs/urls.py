from django.urls import path

from . import views

app_name = "hubs"
urlpatterns = [
    path("", views.HubListView.as_view(), name="hub_list"),
    path("add/", views.HubEditView.as_view(), name="hub_add"),
    path("<int:pk>/", views.HubView.as_view(), name="hub"),
    path("<int:pk>/edit/", views.HubEditView.as_view(), name="hub_edit"),
    path("links/", views.LinkListView.as_view(), name="link_list"),
    path("links/add/", views.LinkEditView.as_view(), name="link_add"),
    path("links/add-suggested/", views.LinkAddSuggestedView.as_view(), name="link_add_suggested"),
    path("links/<int:pk>/edit/", views.LinkEditView.as_view(), name="link_edit"),
    path("links/<int:pk>/end/", views.LinkEndView.as_view(), name="link_end"),
]
