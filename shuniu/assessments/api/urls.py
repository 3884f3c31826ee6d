from shuniu.core.api.routers import Router

from .views import AnnualInspectionViewSet, GradeEvaluationViewSet

app_name = "assessments-api"

router = Router()
router.register("inspections", AnnualInspectionViewSet)
router.register("grades", GradeEvaluationViewSet)

urlpatterns = router.urls
