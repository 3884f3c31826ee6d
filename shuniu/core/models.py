from django.db import models, transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .fields import with_keyed_hashes
from .querysets import ScopedQuerySet


class BaseModel(models.Model):
    """Every domain model: timestamps, the scoped queryset and a detail URL named `<app>:<model>`."""

    created_at = models.DateTimeField(verbose_name=_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(verbose_name=_("更新时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if kwargs.get("update_fields") is not None:  # a personal number saved alone takes its look-up hash along
            kwargs["update_fields"] = with_keyed_hashes(type(self), kwargs["update_fields"])
        # one transaction with the audit record the post_save receiver writes (joins the caller's, if any)
        with transaction.atomic(using=kwargs.get("using"), savepoint=False):
            super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse(f"{self._meta.app_label}:{self._meta.model_name}", kwargs={"pk": self.pk})


from .workers import Worker, WorkerJob  # noqa: E402, F401  (the worker registry's table; the base of background jobs)
