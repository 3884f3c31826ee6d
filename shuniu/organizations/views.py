from datetime import date

import django_tables2 as tables
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuniu.core.access import user_can
from shuniu.core.views import ObjectEditView, ObjectListView, ObjectView
from shuniu.hubs.models import Hub, Link
from shuniu.hubs.selectors import hubs_suggested_for, organizations_covered_on

from .filtersets import OrganizationFilterSet
from .forms import OrganizationForm
from .models import Organization
from .tables import OrganizationTable

LIST_QUERYSET = Organization.objects.select_related("district", "street").prefetch_related("fields")


class OrganizationListView(ObjectListView):
    queryset = LIST_QUERYSET
    filterset = OrganizationFilterSet
    table = OrganizationTable


class UncoveredOrganizationTable(OrganizationTable):
    """The worklist: each uncovered organization with the hub suggested for it and a one-step link."""

    suggestion = tables.Column(verbose_name=gettext_lazy("建议联系的枢纽"), empty_values=(), orderable=False)

    class Meta(OrganizationTable.Meta):
        fields = ("name", "kind", "district", "street", "fields", "founded_on")
        sequence = ("name", "kind", "district", "street", "fields", "founded_on", "suggestion")
        exclude = ("uscc", "status")

    def __init__(self, *args, day: date, can_link: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.day, self.can_link, self._suggestions = day, can_link, None

    def render_suggestion(self, record):
        if self._suggestions is None:
            self._suggestions = hubs_suggested_for(
                organizations=[row.record for row in self.page.object_list], day=self.day
            )
        hub = self._suggestions.get(record.pk)
        if hub is None:
            return format_html('<span class="text-muted">{}</span>', _("无匹配枢纽"))
        name = format_html(
            '<a href="{}">{}</a> <span class="badge text-bg-light border">{}·{}</span>',
            hub.get_absolute_url(),
            hub.organization.name,
            hub.get_level_display(),
            hub.system.name,
        )
        if not self.can_link:
            return name
        return format_html(
            '{}<form method="post" action="{}" class="d-inline ms-2">'
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
            '<input type="hidden" name="organization" value="{}"><input type="hidden" name="hub" value="{}">'
            '<input type="hidden" name="start_date" value="{}"><input type="hidden" name="next" value="{}">'
            '<button class="btn btn-sm btn-outline-primary py-0" data-testid="link-suggested">{}</button></form>',
            name,
            reverse("hubs:link_add_suggested"),
            get_token(self.request),
            record.pk,
            hub.pk,
            self.day.isoformat(),
            self.request.get_full_path(),
            _("建立联系"),
        )


class UncoveredOrganizationListView(OrganizationListView):
    """Organizations not covered on a date (default today), each with a suggested hub."""

    template_name = "organizations/organization_uncovered.html"

    def get_day(self, request) -> date:
        try:
            return date.fromisoformat(request.GET.get("uncovered_on", ""))
        except ValueError:
            return timezone.localdate()

    def get_filter_data(self, request):
        data = request.GET.copy()
        data.setdefault("uncovered_on", self.get_day(request).isoformat())
        return data

    def get_table(self, queryset, request):
        return UncoveredOrganizationTable(
            queryset, day=self.get_day(request), can_link=user_can(request.user, Link, "add")
        )

    def get_add_url(self, request):
        return None

    def get_extra_context(self, request):
        return {"title": _("未覆盖工作清单"), "day": self.get_day(request)}


class OrganizationView(ObjectView):
    queryset = Organization.objects.select_related("district", "street").prefetch_related("fields")

    def get_extra_context(self, request, instance):
        today = timezone.localdate()
        links = list(instance.links.select_related("hub__organization", "hub__system").order_by("-start_date", "-pk"))
        for link in links:
            link.valid_today = link.is_valid_on(today)
        return {
            "links": links,
            "today": today,
            "covered_today": organizations_covered_on(day=today).filter(pk=instance.pk).exists(),
            "recognitions": instance.recognitions.select_related("system", "area"),
            "can_change": user_can(request.user, Organization, "change"),
            "can_link": user_can(request.user, Link, "add"),
            "can_recognize": user_can(request.user, Hub, "add"),
            "can_end_link": user_can(request.user, Link, "end"),
        }


class OrganizationEditView(ObjectEditView):
    queryset = Organization.objects.all()
    form = OrganizationForm
