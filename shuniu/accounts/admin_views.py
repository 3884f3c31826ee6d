"""User administration: the city administrator creates users, assigns and removes their roles. The same services
serve `shuniu user …` on the command line."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from shuniu.core.forms import add_validation_error

from .forms import RoleAssignmentForm, UserCreateForm
from .models import RoleAssignment
from .services import role_assign, role_unassign, user_create


class UserAdminMixin(LoginRequiredMixin):
    """Managing users and roles needs the user permissions (the city administrator's role holds them)."""

    action = "view"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_perm(f"auth.{self.action}_user"):
            raise PermissionDenied(_("只有管理员可以管理用户和角色。"))
        return super().dispatch(request, *args, **kwargs)


def _assignments():
    return Prefetch("role_assignments", queryset=RoleAssignment.objects.select_related("role", "area", "organization"))


class UserListView(UserAdminMixin, View):
    def get(self, request):
        users = get_user_model().objects.order_by("username").prefetch_related(_assignments())
        return render(request, "accounts/user_list.html", {"users": users})


class UserCreateView(UserAdminMixin, View):
    action = "add"

    def get(self, request):
        return render(request, "accounts/user_form.html", {"form": UserCreateForm(), "title": _("新增用户")})

    def post(self, request):
        form = UserCreateForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                user = user_create(
                    username=data["username"],
                    password=data["password1"],
                    full_name=data["full_name"],
                    email=data["email"],
                    role=data["role"],
                    area=data["area"],
                    organization=data["organization"],
                )
            except ValidationError as error:
                add_validation_error(form, error)
            else:
                messages.success(request, _("已创建用户：%(user)s") % {"user": user.get_username()})
                return redirect("user", pk=user.pk)
        return render(request, "accounts/user_form.html", {"form": form, "title": _("新增用户")})


class UserView(UserAdminMixin, View):
    def get_user(self, pk):
        users = get_user_model().objects.prefetch_related(_assignments())
        return get_object_or_404(users, pk=pk)

    def get(self, request, pk, form=None):
        account = self.get_user(pk)
        return render(
            request,
            "accounts/user.html",
            {"account": account, "form": form or RoleAssignmentForm()},
        )


class RoleAssignView(UserView):
    action = "change"

    def post(self, request, pk):
        account = self.get_user(pk)
        form = RoleAssignmentForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                role_assign(user=account, role=data["role"], area=data["area"], organization=data["organization"])
            except ValidationError as error:
                add_validation_error(form, error)
            else:
                messages.success(request, _("已分配角色：%(role)s") % {"role": data["role"]})
                return redirect("user", pk=account.pk)
        return self.get(request, pk, form=form)


class RoleUnassignView(UserAdminMixin, View):
    action = "change"

    def post(self, request, pk, assignment):
        assignment = get_object_or_404(RoleAssignment.objects.select_related("role"), pk=assignment, user_id=pk)
        role_unassign(assignment=assignment)
        messages.success(request, _("已取消角色：%(role)s") % {"role": assignment.role})
        return redirect(reverse("user", kwargs={"pk": pk}))
