from shuniu.core.api.routers import Router

from .views import AreaViewSet

app_name = "areas-api"

router = Router()
router.register("areas", AreaViewSet)

urlpatterns = router.urls
