from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from shuniu.areas.models import Area
from shuniu.core.access import is_visible, user_can
from shuniu.core.actions import ObjectActionView, perform
from shuniu.core.errors import PermissionDeniedWithReason
from shuniu.core.unmasking import PersonalDataView, UnmaskingExportMixin, personal_data_context
from shuniu.core.views import ObjectEditView, ObjectListView, ObjectView, ScopedViewMixin

from .filtersets import OrganizationFilterSet
from .forms import OrganizationForm
from .models import Organization
from .selectors import load_pairs, reviewed_pairs
from .services import duplicate_dismiss, organization_merge_plan
from .tables import OrganizationTable

LIST_QUERYSET = Organization.objects.select_related("district", "street").prefetch_related("fields")


class OrganizationListView(UnmaskingExportMixin, ObjectListView):
    template_name = "organizations/organization_list.html"
    queryset = LIST_QUERYSET
    filterset = OrganizationFilterSet
    table = OrganizationTable

    def get_extra_context(self, request):
        return {"can_unmask_export": self.can_unmask_export(request)}


class OrganizationView(ObjectView):
    queryset = Organization.objects.select_related("district", "street").prefetch_related("fields")

    def get_extra_context(self, request, instance):
        """The organization with the related records the user may see (its merges); what other modules record about
        it (links, recognitions) are their sections (`Module.sections`)."""
        user = request.user
        return {
            "can_change": is_visible(user, instance, "change"),
            "merges": instance.merges.restrict(user).select_related("user"),
            **personal_data_context(user, instance),
        }


class OrganizationPersonalDataView(PersonalDataView):
    """「显示完整号码」 on an organization's page: its legal representative's numbers."""

    model = Organization
    where = gettext_lazy("组织详情页")
    title = gettext_lazy("法定代表人个人信息")


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
        return reviewed_pairs(queryset=organizations.filter(district=district), threshold=self.threshold)

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
        page.object_list = load_pairs(organizations, page.object_list)  # only the pairs shown are loaded
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


class DuplicateMergeView(ObjectActionView):
    """The page of the declared action 合并 (`organizations.actions`): the review page POSTs the pair here (`keep`, the
    record the action is performed on, and `merge`), this page shows what `organization_merge` will do, and
    确认合并 (`confirm=1`) performs it."""

    template_name = "organizations/duplicate_merge.html"

    def get_queryset(self, request):
        if not self.action.allowed(request.user):
            raise PermissionDeniedWithReason(_("合并组织需要修改和删除社会组织的权限。"))
        queryset = Organization.objects.select_related("district", "street").prefetch_related("fields")
        return self.action.queryset(request.user, queryset).annotate(links_count=Count("links"))

    def get_pair(self, request):
        params = request.POST if request.method == "POST" else request.GET
        keep = self.get_object(request)
        merge = get_object_or_404(self.get_queryset(request), pk=_pk(params.get("merge")))
        return keep, merge

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

    def get(self, request, pk=None):
        keep, merge = self.get_pair(request)
        return self.render_plan(request, keep, merge)

    def post(self, request, pk=None):
        keep, merge = self.get_pair(request)
        note = request.POST.get("note", "").strip()
        if request.POST.get("confirm") != "1":
            return self.render_plan(request, keep, merge, note)
        form = self.get_form(request, keep, data=request.POST)
        try:
            if not form.is_valid():
                raise ValidationError([error for errors in form.errors.values() for error in errors])
            record = perform(self.action, record=keep, user=request.user, data=form.cleaned_data)
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
