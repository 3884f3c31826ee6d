from django.urls import path

from . import views

app_name = "areas"
urlpatterns = [
    path("", views.AreaListView.as_view(), name="area_list"),
    path("<int:pk>/", views.AreaView.as_view(), name="area"),
]
