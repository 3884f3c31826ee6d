"""/api/: each app's router under /api/<app>/, coverage figures under /api/coverage/, the OpenAPI document and
its interactive docs (Swagger UI and ReDoc served from drf-spectacular-sidecar's static files, no CDN)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

urlpatterns = [
    path("areas/", include("shuniu.areas.api.urls")),
    path("organizations/", include("shuniu.organizations.api.urls")),
    path("hubs/", include("shuniu.hubs.api.urls")),
    path("coverage/", include("shuniu.indicators.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
]
