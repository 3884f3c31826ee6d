from datetime import date

import django_tables2 as tables
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.http import Http404
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from shuniu.areas.models import Area
from shuniu.core.access import is_visible, user_can, visible_ids
from shuniu.core.errors import PermissionDeniedWithReason
from shuniu.core.exports import chosen_columns
from shuniu.core.unmasking import can_unmask, record_unmask, unmask
from shuniu.core.views import ObjectEditView, ObjectListView, ObjectView, ScopedViewMixin
from shuniu.hubs.models import Hub, Link
from shuniu.hubs.selectors import hubs_suggested_for, organizations_covered_on

from .filtersets import OrganizationFilterSet
from .forms import OrganizationForm
from .models import Organization
from .selectors import duplicate_candidates
from .services import duplicate_dismiss, organization_merge, organization_merge_plan
from .tables import OrganizationTable

LIST_QUERYSET = Organization.objects.select_related("district", "street").prefetch_related("fields")


class OrganizationListView(ObjectListView):
    template_name = "organizations/organization_list.html"
    queryset = LIST_QUERYSET
    filterset = OrganizationFilterSet
    table = OrganizationTable

    def get_extra_context(self, request):
        return {"can_unmask_export": user_can(request.user, Organization, "unmask")}

    def export(self, request, table, export_format: str):
        """`unmask=1` (a permitted user's explicit choice) writes full numbers for the records the user may unmask,
        recorded as one audit row naming how many; otherwise the numbers are masked."""
        if request.GET.get("unmask") == "1" and user_can(request.user, Organization, "unmask"):
            table.unmask_for, table.unmasked_ids = request.user, set()
        export = super().export(request, table, export_format)
        if table.unmasked_ids:
            columns = chosen_columns(table, request.GET.getlist("columns"))
            record_unmask(
                Organization,
                fields=[name for name in Organization.PERSONAL_FIELDS if name in columns],
                where=_("导出 %(file)s") % {"file": export.filename},
                count=len(table.unmasked_ids),
            )
        return export


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
                organizations=[row.record for row in self.page.object_list], day=self.day, user=self.request.user
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
        return {"title": _("未覆盖工作清单"), "day": self.get_day(request), "can_unmask_export": False}


class OrganizationView(ObjectView):
    queryset = Organization.objects.select_related("district", "street").prefetch_related("fields")

    def get_extra_context(self, request, instance):
        """The organization with the related records the user may see: the links and recognitions in their scope
        (hub staff see their own hub's links, not the others'), its merges; each link's buttons only where the
        user may end or change that link."""
        user, today = request.user, timezone.localdate()
        links = list(
            instance.links.restrict(user)
            .select_related("hub__organization", "hub__system")
            .order_by("-start_date", "-pk")
        )
        endable = visible_ids(user, Link, [link.pk for link in links], "end")
        changeable = visible_ids(user, Link, [link.pk for link in links], "change")
        for link in links:
            link.valid_today = link.is_valid_on(today)
            link.can_end = link.pk in endable and link.end_date is None
            link.can_change = link.pk in changeable
        return {
            "links": links,
            "today": today,
            "covered_today": organizations_covered_on(day=today).filter(pk=instance.pk).exists(),
            "recognitions": instance.recognitions.restrict(user).select_related("system", "area"),
            "can_change": is_visible(user, instance, "change"),
            "can_link": user_can(user, Link, "add"),
            "can_recognize": user_can(user, Hub, "add"),
            "merges": instance.merges.restrict(user).select_related("user"),
            **personal_data_context(user, instance),
        }


def personal_data_context(user, instance, *, unmasked: dict[str, str] | None = None) -> dict:
    """The legal representative's numbers as the page shows them: masked, or the full values just read."""
    personal_data = [
        {
            "name": name,
            "label": Organization._meta.get_field(name).verbose_name,
            "value": unmasked[name] if unmasked and name in unmasked else str(getattr(instance, name)),
        }
        for name in Organization.PERSONAL_FIELDS
    ]
    has_values = any(getattr(instance, name) for name in Organization.PERSONAL_FIELDS)
    return {
        "personal_data": personal_data,
        "has_personal_data": has_values,
        "unmasked": unmasked is not None,
        "can_unmask": unmasked is None and has_values and can_unmask(user, instance),
    }


class OrganizationPersonalDataView(LoginRequiredMixin, View):
    """「显示完整号码」: the full numbers, by POST only and for a user who may unmask this record (404 otherwise, so
    the right does not leak); each read is audited."""

    def post(self, request, pk):
        if not user_can(request.user, Organization, "unmask"):
            raise Http404
        instance = get_object_or_404(Organization.objects.restrict(request.user, "unmask"), pk=pk)
        values = unmask(instance=instance, fields=Organization.PERSONAL_FIELDS, where=_("组织详情页"))
        context = {"object": instance, **personal_data_context(request.user, instance, unmasked=values)}
        template = (
            "organizations/includes/personal_data.html"
            if request.htmx
            else "organizations/organization_personal_data.html"
        )
        response = render(request, template, context)
        add_never_cache_headers(response)  # the full numbers stay out of every cache
        return response


class OrganizationEditView(ObjectEditView):
    queryset = Organization.objects.all()
    form = OrganizationForm


def _can_merge(user) -> bool:
    return user_can(user, Organization, "change") and user_can(user, Organization, "delete")


def _pk(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


def _duplicates_url(district_pk=None, page=None) -> str:
    params = {key: value for key, value in (("district", district_pk), ("page", page)) if value}
    return reverse("organizations:duplicates") + (f"?{urlencode(params)}" if params else "")


class DuplicateListView(ScopedViewMixin, View):
    """「疑似重复」: possible duplicates of one district side by side, each pair with merge and dismiss buttons."""

    queryset = Organization.objects.all()
    template_name = "organizations/duplicates.html"
    per_page = 50
    threshold = 90

    def get_pairs(self, organizations, district):
        return duplicate_candidates(queryset=organizations.filter(district=district), threshold=self.threshold)

    def get(self, request):
        organizations = self.get_queryset()
        districts = list(Area.objects.districts())
        chosen = request.GET.get("district", "")
        district = next((d for d in districts if str(d.pk) == chosen), None)
        if district is not None:
            pairs = self.get_pairs(organizations, district)
        else:  # the first district with candidates
            for district in districts:
                if pairs := self.get_pairs(organizations, district):
                    break
            else:
                district, pairs = None, []
        page = Paginator(pairs, self.per_page).get_page(request.GET.get("page"))
        return render(
            request,
            self.template_name,
            {
                "districts": districts,
                "district": district,
                "page": page,
                "pair_count": len(pairs),
                "threshold": self.threshold,
                "can_merge": _can_merge(request.user),
                "can_dismiss": user_can(request.user, Organization, "change"),
                "back_url": _duplicates_url(
                    district.pk if district else None, page.number if page.number > 1 else None
                ),
            },
        )


class DuplicateMergeView(LoginRequiredMixin, View):
    """Confirm a merge: shows what `organization_merge` will do (the review page POSTs here); then 确认合并."""

    template_name = "organizations/duplicate_merge.html"
    queryset = Organization.objects.select_related("district", "street").prefetch_related("fields")

    def get_organizations(self, request, data):
        if not _can_merge(request.user):
            raise PermissionDeniedWithReason(_("合并组织需要修改和删除社会组织的权限。"))
        scoped = self.queryset.restrict(request.user, "change").restrict(request.user, "delete")
        keep = get_object_or_404(scoped.annotate(links_count=Count("links")), pk=_pk(data.get("keep")))
        merge = get_object_or_404(scoped.annotate(links_count=Count("links")), pk=_pk(data.get("merge")))
        return scoped, keep, merge

    def render_plan(self, request, keep, merge, note="", error=None):
        plan = None
        if error is None:
            try:
                plan = organization_merge_plan(keep=keep, merge=merge)
            except ValidationError as refused:
                error = refused
        back_url = request.POST.get("back") or request.GET.get("back") or ""
        if not url_has_allowed_host_and_scheme(back_url, allowed_hosts={request.get_host()}):
            back_url = ""
        context = {
            "keep": keep,
            "merge": merge,
            "plan": plan,
            "errors": error.messages if error is not None else [],
            "note": note,
            "back_url": back_url or _duplicates_url(keep.district_id),
        }
        return render(request, self.template_name, context)

    def get(self, request):
        _scoped, keep, merge = self.get_organizations(request, request.GET)
        return self.render_plan(request, keep, merge)

    def post(self, request):
        scoped, keep, merge = self.get_organizations(request, request.POST)
        note = request.POST.get("note", "").strip()
        if request.POST.get("confirm") != "1":
            return self.render_plan(request, keep, merge, note)
        try:
            with transaction.atomic():
                record = organization_merge(keep=keep, merge=merge, user=request.user, note=note)
                if not scoped.filter(pk=record.kept_id).exists():
                    raise PermissionDeniedWithReason(_("保存后的记录超出了您的权限范围。"))
        except ValidationError as error:
            return self.render_plan(request, keep, merge, note, error=error)
        messages.success(
            request, _("已将「%(merged)s」合并到「%(kept)s」。") % {"merged": record.merged_name, "kept": record.kept}
        )
        return redirect(record.kept.get_absolute_url())


class DuplicateDismissView(LoginRequiredMixin, View):
    """「不是重复」: the pair stops being suggested."""

    def post(self, request):
        if not user_can(request.user, Organization, "change"):
            raise PermissionDeniedWithReason(_("您没有执行此操作的权限。"))
        scoped = Organization.objects.restrict(request.user, "change")
        a = get_object_or_404(scoped, pk=_pk(request.POST.get("a")))
        b = get_object_or_404(scoped, pk=_pk(request.POST.get("b")))
        try:
            duplicate_dismiss(a=a, b=b, user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("已标记「%(a)s」与「%(b)s」不是重复。") % {"a": a, "b": b})
        back_url = request.POST.get("back", "")
        if not url_has_allowed_host_and_scheme(back_url, allowed_hosts={request.get_host()}):
            back_url = _duplicates_url(a.district_id)
        return redirect(back_url)
