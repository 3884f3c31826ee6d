"""Generic views: a model's list, detail and edit pages are declarations of queryset, filterset, table and form."""

import copy

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django_tables2 import RequestConfig

from . import journal
from .access import OUT_OF_SCOPE, is_visible, restrict_choices, user_can
from .errors import PermissionDeniedWithReason
from .exports import (
    EXPORT_FORMATS,
    CountedRows,
    ExportFile,
    build_file,
    chosen_columns,
    column_choices,
    table_headers,
    table_rows,
)
from .forms import add_validation_error, style_fields
from .personal import mask_personal_number
from .writes import OutsideScope, ensure_saved_within_scope


class ScopedViewMixin(LoginRequiredMixin):
    """Restricts `queryset` to the user's scope for `permission_action`: out-of-scope objects give 404."""

    queryset = None
    permission_action = "view"

    @property
    def model(self):
        return self.queryset.model

    def get_queryset(self):
        if not user_can(self.request.user, self.model, self.permission_action):
            raise PermissionDeniedWithReason(_("您没有执行此操作的权限。"))
        return self.queryset.restrict(self.request.user, self.permission_action)


class ObjectListView(ScopedViewMixin, View):
    """A model's list: the user's scope, a filterset and a table. `?export=xlsx` or `?export=csv` gives every row of
    the same list (same scope, filters and sort) as a file; `columns=` chooses the columns, on screen and in files."""

    filterset = None
    table = None
    template_name = "generic/object_list.html"
    per_page = 50

    def get_extra_context(self, request):
        return {}

    def get_add_url(self, request):
        if not user_can(request.user, self.model, "add"):
            return None
        return _url_or_none(f"{self.model._meta.app_label}:{self.model._meta.model_name}_add")

    def get_filter_data(self, request):
        return request.GET or None

    def get_table(self, queryset, request):
        return self.table(queryset)

    def get_list(self, request):
        """The filterset and the table the page shows: the user's scope, then the filters (nothing if invalid)."""
        filterset = self.filterset(self.get_filter_data(request), queryset=self.get_queryset(), request=request)
        queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
        if filterset.is_bound and not filterset.is_valid():
            queryset = queryset.none()
        return filterset, self.get_table(queryset, request)

    def get_export_title(self, request) -> str:
        return str(self.get_extra_context(request).get("title") or self.model._meta.verbose_name_plural)

    def export(self, request, table, export_format: str) -> ExportFile:
        """Every row of `table` (sorted as the page asks), the chosen columns, as an .xlsx or .csv file."""
        RequestConfig(request, paginate=False).configure(table)
        columns = chosen_columns(table, request.GET.getlist("columns"))
        rows = CountedRows(table_rows(table, columns))
        export = build_file(
            title=self.get_export_title(request),
            headers=table_headers(table, columns),
            rows=rows,
            export_format=export_format,
            ascii_name=self.model._meta.model_name,
        )
        filters = {
            key: [mask_personal_number(value) for value in values]  # a search by full number is not kept in clear
            for key, values in request.GET.lists()
            if key not in ("columns", "export", "page")
        }
        journal.record(
            self.model,
            journal.EXPORT,
            after={
                "file": export.filename,
                "format": export_format,
                "filters": filters,
                "columns": columns,
                "rows": rows.count,
            },  # fmt: skip
            message=export.filename,
        )
        return export

    def get(self, request):
        filterset, table = self.get_list(request)
        export_format = request.GET.get("export")
        if export_format in EXPORT_FORMATS and not (filterset.is_bound and filterset.errors):
            return self.export(request, table, export_format).response()
        filterset.form.compact = True
        style_fields(filterset.form)
        RequestConfig(request, paginate={"per_page": self.per_page}).configure(table)
        columns = chosen_columns(table, request.GET.getlist("columns"))
        for name, _header in column_choices(table):
            if name not in columns:
                table.columns.hide(name)
        context = {
            "model": self.model,
            "verbose_name_plural": self.model._meta.verbose_name_plural,
            "filterset": filterset,
            "table": table,
            "add_url": self.get_add_url(request),
            "column_choices": [(name, header, name in columns) for name, header in column_choices(table)],
            "chosen_columns": columns if "columns" in request.GET else [],
            "query_items": [
                (key, value)
                for key, values in request.GET.lists()
                if key not in ("columns", "export", "page")
                for value in values
            ],
            **self.get_extra_context(request),
        }
        if request.htmx:
            return render(request, "generic/includes/table.html", context)
        return render(request, self.template_name, context)


def list_export(view_class, *, user, params: QueryDict, export_format: str) -> ExportFile:
    """The export a list page gives `user` for the query `params` (the same view code): for the command line.

    Raises ValidationError with the filter errors when the filters are invalid."""
    request = HttpRequest()
    request.method = "GET"
    request.GET = params
    request.user = user
    view = view_class()
    view.setup(request)
    filterset, table = view.get_list(request)
    if filterset.is_bound and filterset.errors:
        raise ValidationError(filterset.errors.as_text())
    return view.export(request, table, export_format)


class ObjectView(ScopedViewMixin, View):
    """A record's page: the app's template `<app>/<model>.html`, or else the generic one, which shows the fields
    named in `fields` (related records named only where the user may see them), the record's actions, its edit and
    change-log links, and the sections other modules add (`core.modules.Section`)."""

    template_name = None
    fields: tuple[str, ...] = ()

    def get_template_names(self):
        meta = self.model._meta
        return [self.template_name or f"{meta.app_label}/{meta.model_name}.html", "generic/object.html"]

    def get_extra_context(self, request, instance):
        return {}

    def get(self, request, pk):
        instance = get_object_or_404(self.get_queryset(), pk=pk)
        context = {
            "object": instance,
            "model": self.model,
            "rows": detail_rows(instance, self.fields, request.user),
            "can_change": _can_change(request.user, instance),
            "verbose_name_plural": self.model._meta.verbose_name_plural,
            "list_url": _url_or_none(f"{self.model._meta.app_label}:{self.model._meta.model_name}_list"),
            "edit_url_name": f"{self.model._meta.app_label}:{self.model._meta.model_name}_edit",
            **self.get_extra_context(request, instance),
        }
        return render(request, self.get_template_names(), context)


def _url_or_none(name: str, **kwargs) -> str | None:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


def _can_change(user, instance) -> bool:
    meta = instance._meta
    if not is_visible(user, instance, "change"):
        return False
    return _url_or_none(f"{meta.app_label}:{meta.model_name}_edit", pk=instance.pk) is not None


def detail_rows(instance, names, user) -> list[tuple[str, str, str | None]]:
    """(label, text, url) for each field named: choices by their label, dates as YYYY-MM-DD, a related record by its
    name and page — or （权限范围外） when the user may not see it."""
    rows = []
    for name in names:
        field = instance._meta.get_field(name)
        url = None
        if field.is_relation:
            related = getattr(instance, name)
            if related is None:
                text = "—"
            elif getattr(type(related), "scope", None) is not None and not is_visible(user, related):
                text = str(OUT_OF_SCOPE)
            else:
                text, url = str(related), related.get_absolute_url() if hasattr(related, "get_absolute_url") else None
        else:
            value = getattr(instance, name)
            if field.choices and value not in (None, ""):
                text = str(getattr(instance, f"get_{name}_display")())
            elif hasattr(value, "isoformat"):
                text = value.isoformat()
            else:
                text = "—" if value in (None, "") else str(value)
        rows.append((str(field.verbose_name), text, url))
    return rows


class ObjectEditView(ScopedViewMixin, View):
    """Create (no pk) or edit a record; the write and the scope re-check share one transaction."""

    form = None
    template_name = "generic/object_edit.html"

    def get_permission_action(self, pk):
        return "change" if pk else "add"

    def get_object(self, pk):
        self.permission_action = self.get_permission_action(pk)
        queryset = self.get_queryset()
        return get_object_or_404(queryset, pk=pk) if pk else self.model()

    def get_initial(self, request):
        return request.GET.dict()

    def save_object(self, form, request):
        return form.save()

    def get_success_url(self, obj):
        return obj.get_absolute_url()

    def build_form(self, request, **kwargs):
        """The form with its dropdowns limited to the user's scope (and the form's own `limit_to_scope`)."""
        form = self.form(**kwargs)
        restrict_choices(form.fields, request.user, unrestricted=getattr(form, "unrestricted_choices", ()))
        if hasattr(form, "limit_to_scope"):
            form.limit_to_scope(request.user, self.permission_action)
        return form

    def render_form(self, request, form, instance):
        return render(
            request,
            self.template_name,
            {"form": form, "object": instance, "model": self.model, "verbose_name": self.model._meta.verbose_name},
        )

    def get(self, request, pk=None):
        instance = self.get_object(pk)
        form = self.build_form(request, instance=instance, initial=None if pk else self.get_initial(request))
        return self.render_form(request, form, instance)

    def post(self, request, pk=None):
        instance = self.get_object(pk)
        # the form works on a copy: a refused edit must not show the submitted values as the record's own (a
        # 取消 link to another organization's page)
        form = self.build_form(request, data=request.POST, instance=copy.copy(instance))
        if form.is_valid():
            try:
                with transaction.atomic():
                    obj = self.save_object(form, request)
                    ensure_saved_within_scope(request.user, obj, self.permission_action)
            except ValidationError as error:
                add_validation_error(form, error)
            except OutsideScope as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("已保存：%(object)s") % {"object": obj})
                return redirect(self.get_success_url(obj))
        return self.render_form(request, form, instance)
