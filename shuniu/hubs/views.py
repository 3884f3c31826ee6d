from datetime import date
from functools import cached_property

import django_tables2 as tables
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.middleware.csrf import get_token
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django_tables2 import RequestConfig

from shuniu.core.access import is_visible, restrict_choices, user_can
from shuniu.core.dates import AsOfViewMixin
from shuniu.core.views import ObjectEditView, ObjectListView, ObjectView, ScopedViewMixin
from shuniu.core.writes import ensure_saved_within_scope
from shuniu.organizations.choices import OrganizationKind
from shuniu.organizations.tables import OrganizationTable
from shuniu.organizations.views import OrganizationListView

from . import services
from .choices import LinkRole
from .filtersets import HubFilterSet, LinkFilterSet, UncoveredOrganizationFilterSet
from .forms import HubForm, LinkForm, LinkSuggestedForm
from .models import Hub, Link
from .selectors import hubs_suggested_for, organizations_covered_on
from .tables import HubTable, LinkTable

#: stored with the link, so in the registry's language whatever the user's interface language
WORKLIST_BASIS = "未覆盖工作清单建议"


class HubListView(ObjectListView):
    queryset = Hub.objects.select_related("organization", "system", "area")
    filterset = HubFilterSet
    table = HubTable

    def get_table(self, queryset, request):
        day = timezone.localdate()
        return HubTable(queryset, day=day, user=request.user)


class HubView(AsOfViewMixin, ObjectView):
    queryset = Hub.objects.select_related("organization", "system", "area", "parent__organization")
    as_of_params = {"as_of": timezone.localdate}

    def get_extra_context(self, request, instance):
        day, error = self.as_of(request)
        if error:  # the hub, the message in the date form, and no figures
            return {
                "day": None,
                "error": error,
                "children": instance.children.restrict(request.user).select_related("organization", "area"),
                "can_change": is_visible(request.user, instance, "change"),
            }
        linked = organizations_covered_on(day=day, user=request.user, hub=instance)
        table = OrganizationTable(linked.select_related("district", "street").prefetch_related("fields"))
        RequestConfig(request, paginate={"per_page": 25}).configure(table)
        links_today = Link.objects.on(day).filter(hub=instance, organization__in=linked.values("pk"))
        by_role = {row["role"]: row["n"] for row in links_today.values("role").annotate(n=Count("pk"))}
        by_kind = {row["kind"]: row["n"] for row in linked.values("kind").annotate(n=Count("pk"))}
        return {
            "day": day,
            "table": table,
            "linked_count": table.paginator.count,
            "by_role": [(role.label, by_role.get(role.value, 0)) for role in LinkRole],
            "by_kind": [(kind.label, by_kind[kind.value]) for kind in OrganizationKind if kind.value in by_kind],
            "children": instance.children.restrict(request.user).select_related("organization", "area"),
            "can_change": is_visible(request.user, instance, "change"),
            "covered_list_params": f"covered_on={day.isoformat()}&covered_by_hub={instance.pk}",
        }


class HubEditView(ObjectEditView):
    queryset = Hub.objects.all()
    form = HubForm


class LinkListView(ObjectListView):
    queryset = Link.objects.select_related("hub__organization", "organization")
    filterset = LinkFilterSet
    table = LinkTable


class LinkEditView(ObjectEditView):
    queryset = Link.objects.select_related("hub__organization", "organization")
    form = LinkForm

    def save_object(self, form, request):
        link = form.save(commit=False)
        if link.pk:
            return services.link_update(link=link)
        return services.link_create(
            **{
                name: getattr(link, name)
                for name in ("hub", "organization", "role", "start_date", "end_date", "basis", "note")
            }
        )

    def get_success_url(self, obj):
        return obj.organization.get_absolute_url()


class LinkAddSuggestedView(ScopedViewMixin, View):
    """One step from the worklist: link the organization to the suggested hub from the worklist's day."""

    queryset = Link.objects.all()
    permission_action = "add"

    def post(self, request):
        self.get_queryset()  # permission check
        form = LinkSuggestedForm(request.POST)
        restrict_choices(form.fields, request.user)
        next_url = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
            next_url = ""
        if not form.is_valid():
            messages.error(request, _("无法建立联系：提交的数据不完整，请刷新页面后重试。"))
            return redirect(next_url or "hubs:organization_uncovered")
        organization, hub = form.cleaned_data["organization"], form.cleaned_data["hub"]
        try:
            with transaction.atomic():
                link = services.link_create(
                    hub=hub,
                    organization=organization,
                    role=LinkRole.CONTACT,
                    start_date=form.cleaned_data["start_date"],
                    basis=WORKLIST_BASIS,
                )
                ensure_saved_within_scope(request.user, link, "add")
        except ValidationError as error:
            messages.error(request, format_html("{}：{}", organization.name, "；".join(error.messages)))
        else:
            messages.success(
                request,
                format_html(
                    '已建立联系：<a href="{}">{}</a> → {}', organization.get_absolute_url(), organization.name, hub.name
                ),
            )
        return redirect(next_url or "hubs:organization_uncovered")


#
# The uncovered worklist: organizations no hub covers on a day, each with the hub suggested for it
#


class UncoveredOrganizationTable(OrganizationTable):
    """The worklist: each uncovered organization with the hub suggested for it and a one-step link."""

    suggestion = tables.Column(verbose_name=gettext_lazy("建议联系的枢纽"), empty_values=(), orderable=False)

    class Meta(OrganizationTable.Meta):
        fields = ("name", "kind", "district", "street", "fields", "founded_on")
        sequence = ("name", "kind", "district", "street", "fields", "founded_on", "suggestion")
        exclude = ("uscc", "status", "legal_representative_id_number", "legal_representative_phone")

    def __init__(self, *args, day: date, can_link: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.day, self.can_link, self._suggestions = day, can_link, None

    def export_queryset(self, queryset):
        return super().export_queryset(queryset).prefetch_related("fields")  # the suggestions read them

    def before_export(self, records):
        """Exports read the rows in chunks: the suggestions for each chunk, in one look-up."""
        self._suggestions = hubs_suggested_for(organizations=records, day=self.day, user=self.request.user)

    def value_suggestion(self, record):
        hub = self._suggestions.get(record.pk)
        return hub.organization.name if hub else None

    def render_suggestion(self, record):
        if self._suggestions is None:
            self._suggestions = hubs_suggested_for(
                organizations=self.page_records(), day=self.day, user=self.request.user
            )
        hub = self._suggestions.get(record.pk)
        if hub is None:
            return format_html('<span class="text-muted">{}</span>', _("无匹配枢纽"))
        if not self.can_link:
            return self._hub_html(hub)
        return format_html(
            '{}<form method="post" action="{}" class="d-inline ms-2">'
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
            '<input type="hidden" name="organization" value="{}"><input type="hidden" name="hub" value="{}">'
            '<input type="hidden" name="start_date" value="{}"><input type="hidden" name="next" value="{}">'
            '<button class="btn btn-sm btn-outline-primary py-0" data-testid="link-suggested">{}</button></form>',
            self._hub_html(hub),
            *self._form_constants,
            record.pk,
            hub.pk,
            self.day.isoformat(),
            self.request.get_full_path(),
            _("建立联系"),
        )

    def _hub_html(self, hub):
        """The suggested hub's link and badge, made once per hub of the page (a few hubs serve most rows)."""
        made = self.__dict__.setdefault("_hub_html_made", {})
        if hub.pk not in made:
            made[hub.pk] = format_html(
                '<a href="{}">{}</a> <span class="badge text-bg-light border">{}·{}</span>',
                hub.get_absolute_url(),
                hub.organization.name,
                hub.get_level_display(),
                hub.system.name,
            )
        return made[hub.pk]

    @cached_property
    def _form_constants(self) -> tuple:
        """The one-step form's action and CSRF token: the same in every row."""
        return reverse("hubs:link_add_suggested"), get_token(self.request)


class UncoveredOrganizationListView(AsOfViewMixin, OrganizationListView):
    """Organizations not covered on a date (default today), each with a suggested hub. A bad or empty date: the
    message beside the filter, and no list."""

    template_name = "hubs/organization_uncovered.html"
    filterset = UncoveredOrganizationFilterSet
    as_of_params = {"uncovered_on": timezone.localdate}

    def get_day(self, request) -> date | None:
        return self.as_of(request, "uncovered_on")[0]

    def get_filter_data(self, request):
        data = request.GET.copy()
        if "uncovered_on" not in data:
            data["uncovered_on"] = timezone.localdate().isoformat()
        return data

    def get_table(self, queryset, request):
        return UncoveredOrganizationTable(
            queryset, day=self.get_day(request), can_link=user_can(request.user, Link, "add")
        )

    def get_add_url(self, request):
        return None

    def get_extra_context(self, request):
        return {"title": _("未覆盖工作清单"), "day": self.get_day(request), "can_unmask_export": False}
