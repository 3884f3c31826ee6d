from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

urlpatterns = [
    path("", include("shuniu.indicators.urls")),
    path("accounts/", include("shuniu.accounts.urls")),
    path("areas/", include("shuniu.areas.urls")),
    path("organizations/", include("shuniu.organizations.urls")),
    path("hubs/", include("shuniu.hubs.urls")),
    path("imports/", include("shuniu.imports.urls")),
    path("audit/", include("shuniu.audit.urls")),
    path("api/", include("shuniu.config.api")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
]

# Error pages in the user's language inside the site's layout; JSON under /api/ (shuniu.core.errors)
handler403 = "shuniu.core.errors.permission_denied"
handler404 = "shuniu.core.errors.page_not_found"
handler500 = "shuniu.core.errors.server_error"
