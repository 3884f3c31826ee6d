from django.db import models

from .access import scope_filter


class ScopedQuerySet(models.QuerySet):
    """Every model's queryset: `restrict(user, action)` keeps only what the user may see or change."""

    def restrict(self, user, action: str = "view"):
        condition = scope_filter(user, self.model, action)
        if condition is None:
            return self.none()
        return self.filter(condition) if condition else self
