from shuniu.core.api.routers import Router

from .views import FieldViewSet, OrganizationViewSet

app_name = "organizations-api"

router = Router()
router.register("organizations", OrganizationViewSet)
router.register("fields", FieldViewSet)

urlpatterns = router.urls
