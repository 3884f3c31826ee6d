from django.db import models

from .access import scope_filter


class ScopedQuerySet(models.QuerySet):
    """Every model's queryset: `restrict(user, action)` keeps only what the user may see or change."""

    def restrict(self, user, action: str = "view", *, seen_with: bool = True):
        """`seen_with=False`: without the records seen only through related ones (`Scope.seen_with`), as figures
        count them."""
        condition = scope_filter(user, self.model, action, seen_with=seen_with)
        if condition is None:
            return self.none()
        return self.filter(condition) if condition else self
