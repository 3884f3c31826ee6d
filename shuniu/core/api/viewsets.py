"""Base views of the API: the caller's scope restricts every queryset, writes are atomic and re-checked.

- `get_queryset()` goes through `restrict(user, action)`, so an out-of-scope id answers 404;
- the caller needs the model permission for the action (`<app>.<action>_<model>`), else 403;
- create, update and delete run in one transaction, and after the write the object must still be within the
  caller's scope for that action, or the whole write is rolled back (403);
- an anonymous caller gets 401 with `WWW-Authenticate: Basic`: the project's DEFAULT_AUTHENTICATION_CLASSES try
  HTTP Basic first, then a user's API token, then the session of a signed-in browser (the session first would turn
  every 401 into a 403).
"""

from django.db import transaction
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import permissions, viewsets
from rest_framework.exceptions import PermissionDenied

from ..access import user_can
from .schema import AutoSchema

METHOD_ACTIONS = {
    "GET": "view",
    "HEAD": "view",
    "OPTIONS": "view",
    "POST": "add",
    "PUT": "change",
    "PATCH": "change",
    "DELETE": "delete",
}


def request_action(view, request) -> str:
    """The permission action of a request: the view's own (e.g. "change" for a workflow POST), or the method's."""
    return getattr(view, "permission_action", None) or METHOD_ACTIONS.get(request.method, "view")


class ModelActionPermission(permissions.BasePermission):
    """The caller holds the model permission for the request's action (scope narrows the queryset after)."""

    def has_permission(self, request, view):
        model = view.get_queryset().model
        return user_can(request.user, model, request_action(view, request))


class FilterBackend(DjangoFilterBackend):
    """The FilterSets of the list pages, without their HTML form in the browsable API: its selects would list
    every organization and hub on each page view. Filters are given as query parameters (see /api/docs/)."""

    def to_html(self, request, queryset, view):
        return None


class APIMixin:
    """What every API view shares: the OpenAPI inspector, signed-in callers only (authentication: the settings)."""

    permission_classes = [permissions.IsAuthenticated]
    filter_backends = [FilterBackend]
    schema = AutoSchema()


class ScopedViewSetMixin(APIMixin):
    permission_classes = [permissions.IsAuthenticated, ModelActionPermission]
    permission_action: str | None = None
    lookup_value_regex = "[^/]+"  # any id reaches the view, so a malformed one answers a JSON 404 too

    def get_queryset(self):
        return super().get_queryset().restrict(self.request.user, request_action(self, self.request))


class ScopedModelViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """A ModelViewSet whose queryset is restricted to the caller's scope; out-of-scope records answer 404."""

    def check_in_scope(self, instance) -> None:
        """Called inside the write's transaction: the written object must be within the caller's scope."""
        model = type(instance)
        action = request_action(self, self.request)
        if not model._default_manager.restrict(self.request.user, action).filter(pk=instance.pk).exists():
            raise PermissionDenied

    def perform_create(self, serializer):
        with transaction.atomic():
            instance = serializer.save()
            self.check_in_scope(instance)

    def perform_update(self, serializer):
        with transaction.atomic():
            instance = serializer.save()
            self.check_in_scope(instance)

    def perform_destroy(self, instance):
        with transaction.atomic():
            instance.delete()


class ScopedReadOnlyModelViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass
