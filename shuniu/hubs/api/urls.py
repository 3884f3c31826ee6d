from shuniu.core.api.routers import Router

from .views import HubViewSet, LinkViewSet, SystemViewSet

app_name = "hubs-api"

router = Router()
router.register("systems", SystemViewSet)
router.register("hubs", HubViewSet)
router.register("links", LinkViewSet)

urlpatterns = router.urls
