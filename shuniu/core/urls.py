"""URL patterns from declarations: a model's list, add, detail and edit pages under one path, named the way the
generic views and templates look them up (`<model>_list`, `<model>_add`, `<model>`, `<model>_edit`)."""

from django.urls import path


def model_urls(prefix: str, *, list_view=None, detail_view=None, edit_view=None) -> list:
    """The patterns of the views given, for the model of their querysets, under `prefix` (`"inspections/"`)."""
    view = list_view or detail_view or edit_view
    name = view.queryset.model._meta.model_name
    patterns = []
    if list_view is not None:
        patterns.append(path(prefix, list_view.as_view(), name=f"{name}_list"))
    if edit_view is not None:
        patterns.append(path(f"{prefix}add/", edit_view.as_view(), name=f"{name}_add"))
    if detail_view is not None:
        patterns.append(path(f"{prefix}<int:pk>/", detail_view.as_view(), name=name))
    if edit_view is not None:
        patterns.append(path(f"{prefix}<int:pk>/edit/", edit_view.as_view(), name=f"{name}_edit"))
    return patterns
