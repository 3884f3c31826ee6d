"""/api/: each app's router under /api/<app>/, coverage figures under /api/coverage/, the OpenAPI document at
/api/schema/ and Swagger UI at /api/docs/, served from drf-spectacular-sidecar's static files (no CDN: the
machines have no internet). ReDoc is not mounted: drf-spectacular's page for it loads Google Fonts."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("areas/", include("shuniu.areas.api.urls")),
    path("organizations/", include("shuniu.organizations.api.urls")),
    path("hubs/", include("shuniu.hubs.api.urls")),
    path("coverage/", include("shuniu.indicators.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
