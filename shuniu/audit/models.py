from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shuniu.core.access import scope_filter
from shuniu.core.querysets import ScopedQuerySet

from .context import SYSTEM_NAME
from .registry import action_choices

READ_ONLY = _("审计记录只能新增，不能修改或删除。")


class ObjectChangeQuerySet(ScopedQuerySet):
    """The log is append-only: the queryset refuses updates and deletes (the database refuses them too, see
    `audit.protection`; only `shuniu audit archive --purge` removes rows, older than the retention)."""

    def update(self, **kwargs):
        raise PermissionDenied(READ_ONLY)

    def delete(self):
        raise PermissionDenied(READ_ONLY)

    def for_object(self, instance, user=None):
        """Changes of `instance` and the changes whose related object it is (a hub's links, an organization's
        recognitions); with `user`, only those related changes whose own record `user` may see (a city hub's log,
        opened by a district office, leaves out its links to other districts' organizations, and the changes of
        records since deleted, whose scope can no longer be told)."""
        content_type = ContentType.objects.get_for_model(type(instance))
        related = Q(related_content_type=content_type, related_object_id=instance.pk)
        if user is not None:
            related &= self._seen_by(user, self.filter(related))
        return self.filter(Q(content_type=content_type, object_id=instance.pk) | related)

    def _seen_by(self, user, changes) -> Q:
        """The changes among `changes` whose record `user` may view: one condition per kind of record."""
        condition = Q(pk__in=[])
        for type_id in changes.order_by().values_list("content_type", flat=True).distinct():
            model = ContentType.objects.get_for_id(type_id).model_class()
            scope = scope_filter(user, model, "view") if model is not None else None
            if scope is None:
                continue
            records = Q(content_type_id=type_id)
            if scope:
                records &= Q(object_id__in=model._base_manager.filter(scope).values("pk"))
            condition |= records
        return condition

    def search(self, value: str):
        return self.filter(Q(object_repr__contains=value) | Q(message__contains=value))


class ObjectChange(models.Model):
    """One change in the audit log: a row created, changed or deleted, or a domain action, with who, when, the
    request, and the values before and after (an update: only the fields that changed).

    Written in the same transaction as the change it records (`audit.signals`, `audit.services`); never changed or
    deleted by the application. A user who holds records cannot be deleted (`user` is PROTECT, see the migration
    `0004_evidence`): accounts are deactivated instead, and identities are never reused.
    """

    time = models.DateTimeField(verbose_name=_("时间"), default=timezone.now, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        db_index=False,  # audit_change_user leads with it
    )
    user_name = models.CharField(verbose_name=_("用户名"), max_length=150, default=SYSTEM_NAME, editable=False)
    request_id = models.UUIDField(verbose_name=_("请求编号"), null=True, blank=True, editable=False)
    action = models.CharField(verbose_name=_("操作"), max_length=20, choices=action_choices, editable=False)
    content_type = models.ForeignKey(
        ContentType,
        verbose_name=_("记录类型"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        db_index=False,  # audit_change_object leads with it
    )
    object_id = models.PositiveBigIntegerField(verbose_name=_("记录编号"), null=True, blank=True, editable=False)
    object_repr = models.CharField(verbose_name=_("记录"), max_length=200, editable=False)
    related_content_type = models.ForeignKey(
        ContentType,
        verbose_name=_("相关记录类型"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        db_index=False,  # audit_change_related leads with it
    )
    related_object_id = models.PositiveBigIntegerField(
        verbose_name=_("相关记录编号"), null=True, blank=True, editable=False
    )
    related_object_repr = models.CharField(verbose_name=_("相关记录"), max_length=200, blank=True, editable=False)
    before = models.JSONField(
        verbose_name=_("变更前"), null=True, blank=True, encoder=DjangoJSONEncoder, editable=False
    )
    after = models.JSONField(verbose_name=_("变更后"), null=True, blank=True, encoder=DjangoJSONEncoder, editable=False)
    message = models.TextField(verbose_name=_("说明"), blank=True, editable=False)

    objects = ObjectChangeQuerySet.as_manager()

    class Meta:
        ordering = ("-time", "-pk")
        verbose_name = _("变更记录")
        verbose_name_plural = _("变更记录")
        indexes = [
            models.Index(fields=["content_type", "object_id", "-time"], name="audit_change_object"),
            models.Index(fields=["related_content_type", "related_object_id", "-time"], name="audit_change_related"),
            models.Index(fields=["-time"], name="audit_change_time"),
            models.Index(fields=["user", "-time"], name="audit_change_user"),
            models.Index(fields=["request_id"], name="audit_change_request"),
        ]

    def __str__(self):
        return f"{self.get_action_display()} {self.object_repr}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionDenied(READ_ONLY)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied(READ_ONLY)

    @property
    def model(self):
        return self.content_type.model_class()
