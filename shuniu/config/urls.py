from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from shuniu.core.lookups import LookupView
from shuniu.core.modules import collected

# each module's pages under its prefix (`Module.urls`, `Module.url_prefix`)
urlpatterns = [path(module.prefix, include(urls)) for module, urls in collected("urls")]
urlpatterns += [
    path("api/", include("shuniu.config.api")),
    path("lookup/<str:model>/", LookupView.as_view(), name="record_lookup"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
]

# Error pages in the user's language inside the site's layout; JSON under /api/ (shuniu.core.errors)
handler403 = "shuniu.core.errors.permission_denied"
handler404 = "shuniu.core.errors.page_not_found"
handler500 = "shuniu.core.errors.server_error"
