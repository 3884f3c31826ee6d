"""Generic views: a model's list, detail and edit pages are declarations of queryset, filterset, table and form."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django_tables2 import RequestConfig

from .access import user_can
from .forms import style_fields


class ScopedViewMixin(LoginRequiredMixin):
    """Restricts `queryset` to the user's scope for `permission_action`: out-of-scope objects give 404."""

    queryset = None
    permission_action = "view"

    @property
    def model(self):
        return self.queryset.model

    def get_queryset(self):
        if not user_can(self.request.user, self.model, self.permission_action):
            raise PermissionDenied(_("您没有执行此操作的权限。"))
        return self.queryset.restrict(self.request.user, self.permission_action)


class ObjectListView(ScopedViewMixin, View):
    filterset = None
    table = None
    template_name = "generic/object_list.html"
    per_page = 50

    def get_extra_context(self, request):
        return {}

    def get_add_url(self, request):
        from django.urls import NoReverseMatch, reverse

        if not user_can(request.user, self.model, "add"):
            return None
        try:
            return reverse(f"{self.model._meta.app_label}:{self.model._meta.model_name}_add")
        except NoReverseMatch:
            return None

    def get_filter_data(self, request):
        return request.GET or None

    def get_table(self, queryset, request):
        return self.table(queryset)

    def get(self, request):
        filterset = self.filterset(self.get_filter_data(request), queryset=self.get_queryset(), request=request)
        filterset.form.compact = True
        style_fields(filterset.form)
        queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
        if filterset.is_bound and not filterset.is_valid():
            queryset = queryset.none()
        table = self.get_table(queryset, request)
        RequestConfig(request, paginate={"per_page": self.per_page}).configure(table)
        context = {
            "model": self.model,
            "verbose_name_plural": self.model._meta.verbose_name_plural,
            "filterset": filterset,
            "table": table,
            "add_url": self.get_add_url(request),
            **self.get_extra_context(request),
        }
        if request.htmx:
            return render(request, "generic/includes/table.html", context)
        return render(request, self.template_name, context)


class ObjectView(ScopedViewMixin, View):
    template_name = None

    def get_template_names(self):
        return self.template_name or f"{self.model._meta.app_label}/{self.model._meta.model_name}.html"

    def get_extra_context(self, request, instance):
        return {}

    def get(self, request, pk):
        instance = get_object_or_404(self.get_queryset(), pk=pk)
        context = {"object": instance, **self.get_extra_context(request, instance)}
        return render(request, self.get_template_names(), context)


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

    def render_form(self, request, form, instance):
        return render(
            request,
            self.template_name,
            {"form": form, "object": instance, "model": self.model, "verbose_name": self.model._meta.verbose_name},
        )

    def get(self, request, pk=None):
        instance = self.get_object(pk)
        form = self.form(instance=instance, initial=None if pk else self.get_initial(request))
        return self.render_form(request, form, instance)

    def post(self, request, pk=None):
        instance = self.get_object(pk)
        form = self.form(data=request.POST, instance=instance)
        if form.is_valid():
            try:
                with transaction.atomic():
                    obj = self.save_object(form, request)
                    if not self.queryset.restrict(request.user, self.permission_action).filter(pk=obj.pk).exists():
                        raise PermissionDenied(_("保存后的记录超出了您的权限范围。"))
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for field, errors in error.error_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, error)
            else:
                messages.success(request, _("已保存：%(object)s") % {"object": obj})
                return redirect(self.get_success_url(obj))
        return self.render_form(request, form, instance)
