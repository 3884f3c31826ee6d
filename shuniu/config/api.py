"""/api/: each app's router under /api/<app>/, coverage figures under /api/coverage/, the OpenAPI document at
/api/schema/ and Swagger UI at /api/docs/, served from drf-spectacular-sidecar's static files (no CDN: the
machines have no internet). ReDoc is not mounted: drf-spectacular's page for it loads Google Fonts.

The docs page is the "split" view: its start-up script is served as a separate file (/api/docs/?script), and our
template moves its inline <style> into a static file, so the page runs under the Content-Security-Policy."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

urlpatterns = [
    path("areas/", include("shuniu.areas.api.urls")),
    path("organizations/", include("shuniu.organizations.api.urls")),
    path("hubs/", include("shuniu.hubs.api.urls")),
    path("coverage/", include("shuniu.indicators.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="api/swagger_ui.html"),
        name="api-docs",
    ),
]
