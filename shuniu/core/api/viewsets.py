from rest_framework import permissions, viewsets

from ..access import user_can

METHOD_ACTIONS = {
    "GET": "view",
    "HEAD": "view",
    "OPTIONS": "view",
    "POST": "add",
    "PUT": "change",
    "PATCH": "change",
    "DELETE": "delete",
}


class ModelActionPermission(permissions.BasePermission):
    """The caller holds the model permission for the request's action (scope narrows the queryset after)."""

    def has_permission(self, request, view):
        model = view.get_queryset().model
        return user_can(request.user, model, view.permission_action or METHOD_ACTIONS[request.method])


class ScopedModelViewSet(viewsets.ModelViewSet):
    """A ModelViewSet whose queryset is restricted to the caller's scope; out-of-scope records answer 404."""

    permission_classes = [permissions.IsAuthenticated, ModelActionPermission]
    permission_action: str | None = None

    def get_queryset(self):
        action = self.permission_action or METHOD_ACTIONS.get(self.request.method, "view")
        return super().get_queryset().restrict(self.request.user, action)


class ScopedReadOnlyModelViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [permissions.IsAuthenticated, ModelActionPermission]
    permission_action: str | None = None

    def get_queryset(self):
        return super().get_queryset().restrict(self.request.user, "view")
