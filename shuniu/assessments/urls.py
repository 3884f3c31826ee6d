from shuniu.core.urls import model_urls

from . import views

app_name = "assessments"
urlpatterns = [
    *model_urls(
        "inspections/",
        list_view=views.AnnualInspectionListView,
        detail_view=views.AnnualInspectionView,
        edit_view=views.AnnualInspectionEditView,
    ),
    *model_urls(
        "grades/",
        list_view=views.GradeEvaluationListView,
        detail_view=views.GradeEvaluationView,
        edit_view=views.GradeEvaluationEditView,
    ),
]
