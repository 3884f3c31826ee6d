from django.urls import path

from . import views

app_name = "imports"
urlpatterns = [
    path("", views.ImportJobListView.as_view(), name="importjob_list"),
    path("new/", views.ImportCreateView.as_view(), name="importjob_add"),
    path("template/<str:kind>.xlsx", views.ImportTemplateFileView.as_view(), name="template"),
    path("<int:pk>/", views.ImportJobView.as_view(), name="importjob"),
    path("<int:pk>/mapping/", views.ImportMappingView.as_view(), name="importjob_mapping"),
    path("<int:pk>/confirm/", views.ImportConfirmView.as_view(), name="importjob_confirm"),
    path("<int:pk>/cancel/", views.ImportCancelView.as_view(), name="importjob_cancel"),
    path("<int:pk>/<str:what>/", views.ImportFileView.as_view(), name="importjob_file"),
]
