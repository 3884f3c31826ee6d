from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("", views.ObjectChangeListView.as_view(), name="objectchange_list"),
    path("<slug:app_label>/<slug:model_name>/<int:pk>/", views.ObjectChangeLogView.as_view(), name="objectchange_log"),
]
