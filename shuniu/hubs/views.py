from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django_tables2 import RequestConfig

from shuniu.core.access import is_visible, restrict_choices
from shuniu.core.forms import add_validation_error
from shuniu.core.views import ObjectEditView, ObjectListView, ObjectView, ScopedViewMixin
from shuniu.indicators.selectors import hub_linked_counts
from shuniu.organizations.choices import OrganizationKind
from shuniu.organizations.tables import OrganizationTable

from . import services
from .choices import LinkRole
from .filtersets import HubFilterSet, LinkFilterSet
from .forms import HubForm, LinkEndForm, LinkForm, LinkSuggestedForm
from .models import Hub, Link
from .selectors import organizations_covered_on
from .tables import HubTable, LinkTable

#: stored with the link, so in the registry's language whatever the user's interface language
WORKLIST_BASIS = "未覆盖工作清单建议"


def _day(request, name="as_of") -> date:
    try:
        return date.fromisoformat(request.GET.get(name, ""))
    except ValueError:
        return timezone.localdate()


class HubListView(ObjectListView):
    queryset = Hub.objects.select_related("organization", "system", "area")
    filterset = HubFilterSet
    table = HubTable

    def get_table(self, queryset, request):
        day = timezone.localdate()
        return HubTable(queryset, linked_counts=hub_linked_counts(day=day, user=request.user))


class HubView(ObjectView):
    queryset = Hub.objects.select_related("organization", "system", "area", "parent__organization")

    def get_extra_context(self, request, instance):
        day = _day(request)
        linked = organizations_covered_on(day=day, user=request.user, hub=instance)
        table = OrganizationTable(linked.select_related("district", "street").prefetch_related("fields"))
        RequestConfig(request, paginate={"per_page": 25}).configure(table)
        links_today = Link.objects.valid_on(day).filter(hub=instance, organization__in=linked.values("pk"))
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


class LinkEndView(ScopedViewMixin, View):
    """End a link: a form in, one service call."""

    queryset = Link.objects.select_related("hub__organization", "organization")
    permission_action = "end"
    template_name = "hubs/link_end.html"

    def get(self, request, pk):
        link = get_object_or_404(self.get_queryset(), pk=pk)
        return render(
            request,
            self.template_name,
            {"object": link, "form": LinkEndForm(initial={"end_date": timezone.localdate()})},
        )

    def post(self, request, pk):
        link = get_object_or_404(self.get_queryset(), pk=pk)
        form = LinkEndForm(request.POST)
        if form.is_valid():
            try:
                services.link_end(link=link, **form.cleaned_data)
            except ValidationError as error:
                add_validation_error(form, error)
            else:
                messages.success(request, _("联系关系已结束，记录保留在时间线中。"))
                return redirect(link.organization.get_absolute_url())
        return render(request, self.template_name, {"object": link, "form": form})


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
            return redirect(next_url or "organizations:organization_uncovered")
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
                if not Link.objects.restrict(request.user, "add").filter(pk=link.pk).exists():
                    raise PermissionDenied
        except ValidationError as error:
            messages.error(request, format_html("{}：{}", organization.name, "；".join(error.messages)))
        else:
            messages.success(
                request,
                format_html(
                    '已建立联系：<a href="{}">{}</a> → {}', organization.get_absolute_url(), organization.name, hub.name
                ),
            )
        return redirect(next_url or "organizations:organization_uncovered")
