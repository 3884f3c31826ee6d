"""/api/: each module's routes under /api/<app>/ (`Module.api_urls`; the coverage figures under /api/coverage/), the
OpenAPI document at /api/schema/ and Swagger UI at /api/docs/, served from drf-spectacular-sidecar's static files
(no CDN: the machines have no internet). ReDoc is not mounted: drf-spectacular's page for it loads Google Fonts.

The docs page is the "split" view: its start-up script is served as a separate file (/api/docs/?script), and our
template moves its inline <style> into a static file, so the page runs under the Content-Security-Policy.

The document lists every endpoint, field and filter, so the schema, the docs page and its script answer only a user
signed in (session) or authenticated (token, HTTP Basic), unless settings.SHUNIU_PUBLIC_API_SCHEMA (env
SHUNIU_PUBLIC_API_SCHEMA=1, off by default) opens them. The setting is read at each request, not at import. An
anonymous browser asking for the docs page is sent to the login page; everything else anonymous gets 401."""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import AllowAny, IsAuthenticated

from shuniu.core.modules import collected


class SchemaAccessMixin:
    """Signed-in or authenticated users only, unless SHUNIU_PUBLIC_API_SCHEMA."""

    def get_permissions(self):
        return [AllowAny()] if settings.SHUNIU_PUBLIC_API_SCHEMA else [IsAuthenticated()]


class SchemaView(SchemaAccessMixin, SpectacularAPIView):
    pass


class DocsView(SchemaAccessMixin, SpectacularSwaggerSplitView):
    def handle_exception(self, exc):
        if isinstance(exc, NotAuthenticated) and self.request.GET.get("script") is None:
            return redirect_to_login(self.request.get_full_path())  # the page, in a browser: sign in, then back
        return super().handle_exception(exc)


urlpatterns = [path(module.api_path, include(urls)) for module, urls in collected("api_urls")]
urlpatterns += [
    path("schema/", SchemaView.as_view(), name="api-schema"),
    path("docs/", DocsView.as_view(url_name="api-schema", template_name="api/swagger_ui.html"), name="api-docs"),
]
