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
from ..writes import OutsideScope, ensure_saved_within_scope
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
    """A ModelViewSet whose queryset is restricted to the caller's scope; out-of-scope records answer 404. The actions
    declared on its model (`core.actions`) are its endpoints `POST …/{id}/<name>/`, unless the class defines a method
    of that name."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        queryset = cls.__dict__.get("queryset")
        if queryset is None:
            return
        from ..actions import actions_for

        for declared in actions_for(queryset.model):
            if declared.api and not hasattr(cls, declared.name):
                setattr(cls, declared.name, declared.api_endpoint())

    def check_in_scope(self, instance) -> None:
        """Called inside the write's transaction: the written object must be within the caller's scope (403 with the
        reason otherwise, and the transaction rolls back): `core.writes.ensure_saved_within_scope`."""
        try:
            ensure_saved_within_scope(self.request.user, instance, request_action(self, self.request))
        except OutsideScope as error:
            raise PermissionDenied(str(error)) from error

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


class UnmaskingViewSetMixin:
    """With `?unmask=1` on a read, the records this user may unmask show their full personal numbers (each audited:
    `core.api.serializers.UnmaskingSerializerMixin`); every other record, and every other user, gets them masked."""

    def get_serializer(self, *args, **kwargs):
        if args and self.request.method == "GET" and self.request.query_params.get("unmask") == "1":
            from django.db.models import Model

            from ..unmasking import unmaskable_ids

            records = [args[0]] if isinstance(args[0], Model) else list(args[0])
            model = self.queryset.model
            unmasked = unmaskable_ids(self.request.user, model, [record.pk for record in records])
            kwargs["context"] = {**self.get_serializer_context(), "unmasked": unmasked}
        return super().get_serializer(*args, **kwargs)
