from rest_framework.routers import APIRootView, DefaultRouter

from .viewsets import APIMixin


class RootView(APIMixin, APIRootView):
    """The list of an app's endpoints (JSON)."""

    schema = None  # not an operation of the OpenAPI document


class Router(DefaultRouter):
    """Each app's router: a root listing its endpoints; no `.json` suffix routes."""

    include_format_suffixes = False
    APIRootView = RootView
