"""Row changes recorded automatically, for every audited model (`registry.audited_models()`).

- `pre_save` reads the stored row (one query, only the fields being saved; none for a new record), so an update's
  record holds the fields that changed, before and after, whoever changed them: a form, the API, a service, the
  admin. Reading it here rather than asking every caller for a snapshot keeps it correct for callers that forget.
- `post_save` and `post_delete` write the record, inside the save's or the delete's transaction (`BaseModel.save()`
  is atomic, so a save and its record commit or roll back together even outside a transaction).
- `m2m_changed` records a many-to-many change of the record that holds the field, as its own update row.

Receivers are connected per model, so unaudited models (and migrations' historical models) pay nothing.
"""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from . import registry
from .context import current
from .services import record_row_change
from .values import differs, field_value, snapshot


def connect() -> None:
    for model in registry.audited_models():
        uid = registry.label(model)
        pre_save.connect(remember_stored_row, sender=model, dispatch_uid=f"audit-pre-save-{uid}")
        post_save.connect(record_save, sender=model, dispatch_uid=f"audit-post-save-{uid}")
        post_delete.connect(record_delete, sender=model, dispatch_uid=f"audit-post-delete-{uid}")
        for field in registry.logged_m2m_fields(model):
            through = field.remote_field.through
            m2m_changed.connect(record_m2m_change, sender=through, dispatch_uid=f"audit-m2m-{through._meta.label}")


def remember_stored_row(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or not current().enabled or (instance._state.adding and instance.pk is None):
        return
    fields = registry.logged_fields(sender)
    if update_fields is not None:
        fields = tuple(field for field in fields if field.name in update_fields or field.attname in update_fields)
    stored = None
    if fields:
        stored = sender._base_manager.filter(pk=instance.pk).values(*[field.attname for field in fields]).first()
    instance._audit_stored = (fields, stored)


def record_save(sender, instance, created, raw=False, **kwargs):
    remembered = instance.__dict__.pop("_audit_stored", None)
    if raw or not current().enabled:
        return
    if created:
        record_row_change(instance, created=True, after=snapshot(instance))
        return
    if remembered is None or not remembered[0]:
        return  # nothing logged was saved (e.g. only a user's last login)
    fields, stored = remembered
    if stored is None:
        return  # saved over a row that was not there: Django inserted it, and `created` said so
    before, after = {}, {}
    for field in fields:
        old, new = stored[field.attname], field.value_from_object(instance)
        if differs(field, old, new):
            before[field.name], after[field.name] = field_value(field, old), field_value(field, new)
    if after:
        record_row_change(instance, before=before, after=after)


def record_delete(sender, instance, **kwargs):
    if current().enabled:
        try:
            record_row_change(instance, deleted=True, before=snapshot(instance))
        except ObjectDoesNotExist:  # its related record went first in the same cascade
            record_row_change(_without_related(instance), deleted=True, before=snapshot(instance))


def _without_related(instance):
    related_field = registry.related_field(type(instance))
    setattr(instance, related_field.attname, None)
    return instance


def record_m2m_change(sender, instance, action, reverse, model, pk_set, **kwargs):
    if not current().enabled:
        return
    owner_model = model if reverse else type(instance)
    field = next((f for f in registry.logged_m2m_fields(owner_model) if f.remote_field.through is sender), None)
    if field is None:
        return
    source, target = f"{field.m2m_field_name()}_id", f"{field.m2m_reverse_field_name()}_id"
    if action == "pre_clear":  # what was there, since post_clear does not say
        lookup = {target: instance.pk} if reverse else {source: instance.pk}
        column = source if reverse else target
        instance._audit_cleared = set(sender.objects.filter(**lookup).values_list(column, flat=True))
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if action == "post_clear":
        pk_set = instance.__dict__.pop("_audit_cleared", set())
    if not pk_set:
        return
    if not reverse:
        _record_field_change(sender, instance, field, source, target, action, set(pk_set))
        return
    for owner in owner_model._base_manager.filter(pk__in=pk_set):  # e.g. field.organizations.add(…)
        _record_field_change(sender, owner, field, source, target, action, {instance.pk})


def _record_field_change(through, owner, field, source, target, action, changed: set) -> None:
    after = set(through.objects.filter(**{source: owner.pk}).values_list(target, flat=True))
    before = after - changed if action == "post_add" else after | changed
    if before != after:
        record_row_change(owner, before={field.name: sorted(before)}, after={field.name: sorted(after)})
