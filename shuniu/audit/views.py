"""The audit log's two pages, both read-only (GET only): a record's change log (变更记录), for whoever may see the
record, and the audit search (审计日志) for those holding `audit.view_objectchange`."""

from django.apps import apps
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch
from django.utils.translation import gettext as _
from django.views import View

from shuniu.core.views import ObjectListView

from .display import describe
from .filtersets import ObjectChangeFilterSet
from .models import ObjectChange
from .tables import ObjectChangeTable


class ObjectChangeListView(ObjectListView):
    """审计日志: every recorded change, searchable by user, action, kind of record, date, request and record."""

    queryset = ObjectChange.objects.select_related("content_type")
    filterset = ObjectChangeFilterSet
    table = ObjectChangeTable

    def get_add_url(self, request):
        return None

    def get_extra_context(self, request):
        return {"title": _("审计日志")}


def _detail_url(instance) -> str | None:
    """The record's own page, when it has one (fields, systems, roles and the like have none)."""
    try:
        return instance.get_absolute_url()
    except (AttributeError, NoReverseMatch):
        return None


class ObjectChangeLogView(LoginRequiredMixin, View):
    """One record's change log: its own changes and those it is the related record of (a hub's links, an
    organization's recognitions). The record must be visible to the user (`restrict(user, "view")`), else 404, so
    the log leaks neither a record outside the user's scope nor whether it exists."""

    template_name = "audit/objectchange_log.html"
    per_page = 50

    def get_object(self, request, app_label, model_name, pk):
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            raise Http404 from None
        manager = model._default_manager
        if not hasattr(manager, "restrict"):
            raise Http404
        return get_object_or_404(manager.restrict(request.user, "view"), pk=pk)

    def get(self, request, app_label, model_name, pk):
        instance = self.get_object(request, app_label, model_name, pk)
        changes = ObjectChange.objects.for_object(instance, request.user).select_related("content_type")
        page = Paginator(changes, self.per_page).get_page(request.GET.get("page"))
        context = {
            "object": instance,
            "object_url": _detail_url(instance),
            "object_content_type_id": ContentType.objects.get_for_model(type(instance)).pk,
            "verbose_name": instance._meta.verbose_name,
            "page": page,
            "entries": describe(page.object_list, request.user),
        }
        return render(request, self.template_name, context)
