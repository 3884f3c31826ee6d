"""Unmasked reads of personal data: who may, and the audit row each read writes.

Showing a full number is an explicit act (a button, `?unmask=1`, an export option) by a user for whom
`restrict(user, "unmask")` holds the record; every such read is recorded as an `UNMASK` event naming the fields and
the place, never the number.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.mixins import LoginRequiredMixin
from django.utils.translation import gettext
from django.views import View

from . import crypto, journal
from .access import user_can
from .fields import PersonalValue


def can_unmask(user, instance) -> bool:
    """Whether `user` may see the full personal numbers of `instance`."""
    model = type(instance)
    if not user_can(user, model, "unmask"):
        return False
    return model.objects.restrict(user, "unmask").filter(pk=instance.pk).exists()


def unmaskable_ids(user, model, ids: Iterable[int]) -> set[int]:
    """Those of `ids` whose personal numbers `user` may see in full (one query)."""
    if not user_can(user, model, "unmask"):
        return set()
    return set(model.objects.restrict(user, "unmask").filter(pk__in=list(ids)).values_list("pk", flat=True))


def field_labels(model, fields: Iterable[str]) -> str:
    return "、".join(str(model._meta.get_field(name).verbose_name) for name in fields)


def full_value(value) -> str:
    """The full number (the caller checked the right and audits the read), "" for none, a notice if unreadable."""
    if not isinstance(value, PersonalValue):
        return ""
    try:
        return value.reveal()
    except crypto.DecryptionError:
        return value.masked


def unmask(*, instance, fields: Iterable[str], where: str) -> dict[str, str]:
    """The full numbers of `fields` of `instance`, after checking nothing: the caller checked `can_unmask`. Writes
    the audit row (which fields, `where`)."""
    fields = [name for name in fields if getattr(instance, name)]
    values = {name: full_value(getattr(instance, name)) for name in fields}
    if fields:
        record_unmask(instance, fields=fields, where=where)
    return values


def record_unmask(target, *, fields: Iterable[str], where: str, count: int | None = None):
    """The audit row of an unmasked read: of one record, or (`target` a model, `count` records) of an export."""
    model = target if isinstance(target, type) else type(target)
    message = gettext("查看完整号码：%(fields)s（%(where)s）") % {"fields": field_labels(model, fields), "where": where}
    if count is not None:
        message += gettext("，共 %(count)d 条记录") % {"count": count}
    return journal.record(target, journal.UNMASK, message=message)


#
# The pieces that show personal numbers: a record's page, its list's export, its table
#


def personal_data_context(user, instance, *, unmasked: dict[str, str] | None = None) -> dict:
    """The record's personal numbers (`Model.PERSONAL_FIELDS`) as its page shows them: masked, or the full values just
    read; the button to unmask posts to `<app>:<model>_personal_data` (`PersonalDataView`)."""
    from django.urls import reverse

    model = type(instance)
    fields = model.PERSONAL_FIELDS
    personal_data = [
        {
            "name": name,
            "label": model._meta.get_field(name).verbose_name,
            "value": unmasked[name] if unmasked and name in unmasked else str(getattr(instance, name)),
        }
        for name in fields
    ]
    has_values = any(getattr(instance, name) for name in fields)
    meta = model._meta
    return {
        "personal_data": personal_data,
        "has_personal_data": has_values,
        "unmasked": unmasked is not None,
        "can_unmask": unmasked is None and has_values and can_unmask(user, instance),
        "unmask_url": reverse(f"{meta.app_label}:{meta.model_name}_personal_data", kwargs={"pk": instance.pk}),
    }


class PersonalDataView(LoginRequiredMixin, View):
    """「显示完整号码」: a record's full numbers, by POST only and for a user who may unmask this record (404
    otherwise, so the right does not leak); each read is audited. `where` names the place in the audit row; `title`
    heads the page shown without htmx."""

    model = None
    where = ""
    title = ""

    def post(self, request, pk):
        from django.http import Http404
        from django.shortcuts import get_object_or_404, render
        from django.utils.cache import add_never_cache_headers

        if not user_can(request.user, self.model, "unmask"):
            raise Http404
        instance = get_object_or_404(self.model.objects.restrict(request.user, "unmask"), pk=pk)
        values = unmask(instance=instance, fields=self.model.PERSONAL_FIELDS, where=str(self.where))
        context = {
            "object": instance,
            "title": self.title,
            **personal_data_context(request.user, instance, unmasked=values),
        }
        template = "generic/includes/personal_data.html" if request.htmx else "generic/personal_data.html"
        response = render(request, template, context)
        add_never_cache_headers(response)  # the full numbers stay out of every cache
        return response


class UnmaskingExportMixin:
    """A list view (`core.views.ObjectListView`) whose export writes full numbers when a permitted user asks
    (`unmask=1`), for the records that user may unmask, recorded as one audit row naming how many; otherwise the
    numbers are masked. The table is an `UnmaskingTableMixin`."""

    def can_unmask_export(self, request) -> bool:
        return user_can(request.user, self.queryset.model, "unmask")

    def export(self, request, table, export_format: str):
        from .exports import chosen_columns

        model = self.queryset.model
        if request.GET.get("unmask") == "1" and self.can_unmask_export(request):
            table.unmask_for, table.unmasked_ids = request.user, set()
        export = super().export(request, table, export_format)
        if table.unmasked_ids:
            columns = chosen_columns(table, request.GET.getlist("columns"))
            record_unmask(
                model,
                fields=[name for name in model.PERSONAL_FIELDS if name in columns],
                where=gettext("导出 %(file)s") % {"file": export.filename},
                count=len(table.unmasked_ids),
            )
        return export


class UnmaskingTableMixin:
    """A table's personal-number columns: masked, or in an export asked to unmask (`unmask_for`), the full numbers
    of the records that user may unmask (`unmasked_ids` collects them for the audit row). A column reads
    `self.personal(record, name)` (in its `value_<name>` method)."""

    unmask_for = None
    unmasked_ids: set | None = None
    _unmaskable: set = frozenset()

    def before_export(self, records):
        """Each chunk's records the user may unmask, in one query."""
        if self.unmask_for is not None:
            model = self._meta.model
            self._unmaskable = unmaskable_ids(self.unmask_for, model, [record.pk for record in records])
        parent = getattr(super(), "before_export", None)
        if parent is not None:
            parent(records)

    def personal(self, record, name: str):
        """Masked, or the full number in an export asked to unmask, for a record the user may unmask."""
        value = getattr(record, name)
        if not value:
            return None
        if self.unmask_for is not None and record.pk in self._unmaskable:
            self.unmasked_ids.add(record.pk)
            return full_value(value)
        return value.masked
