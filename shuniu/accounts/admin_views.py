"""User administration: the system administrator creates, deactivates and reactivates users; the security
administrator assigns and removes their roles, resets their two factors and lifts lockouts; their API tokens are
seen and revoked here too. The same services serve `shuniu user …` on the command line."""

from axes.handlers.proxy import AxesProxyHandler
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from shuniu import audit
from shuniu.core.errors import PermissionDeniedWithReason
from shuniu.core.forms import add_validation_error

from .forms import RoleAssignmentForm, UserCreateForm
from .models import ApiToken, RoleAssignment
from .services import role_assign, role_unassign, user_create, user_set_active
from .tokens import api_token_revoke
from .two_factor import two_factor_reset


class UserAdminMixin(LoginRequiredMixin):
    """Each page of user administration needs its permission: `permission`, or `auth.<action>_user`. Separation of
    duties (三权分立) lies in which role holds which: the system administrator holds the user permissions, the
    security administrator those over role assignments, two factors and lockouts (migration 0004)."""

    action = "view"
    permission = None

    def dispatch(self, request, *args, **kwargs):
        permission = self.permission or f"auth.{self.action}_user"
        if request.user.is_authenticated and not request.user.has_perm(permission):
            raise PermissionDeniedWithReason(_("您没有这项用户管理的权限。"))
        return super().dispatch(request, *args, **kwargs)


def _assignments():
    return Prefetch("role_assignments", queryset=RoleAssignment.objects.select_related("role", "area", "organization"))


class UserListView(UserAdminMixin, View):
    def get(self, request):
        users = get_user_model().objects.order_by("username").prefetch_related(_assignments())
        return render(request, "accounts/user_list.html", {"users": users})


class UserCreateView(UserAdminMixin, View):
    action = "add"

    def form(self, request, data=None):
        """Only a creator who may assign roles gives the first role here; the system administrator creates the
        account alone and the security administrator assigns its roles."""
        return UserCreateForm(data, may_assign=request.user.has_perm("accounts.add_roleassignment"))

    def get(self, request):
        return render(request, "accounts/user_form.html", {"form": self.form(request), "title": _("新增用户")})

    def post(self, request):
        form = self.form(request, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                user = user_create(
                    username=data["username"],
                    password=data["password1"],
                    full_name=data["full_name"],
                    email=data["email"],
                    role=data.get("role"),
                    area=data.get("area"),
                    organization=data.get("organization"),
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
            {
                "account": account,
                "form": form or RoleAssignmentForm(),
                "tokens": ApiToken.objects.filter(user=account).select_related("user"),
            },
        )


class RoleAssignView(UserView):
    permission = "accounts.add_roleassignment"

    def post(self, request, pk):
        account = self.get_user(pk)
        form = RoleAssignmentForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                role_assign(
                    user=account,
                    role=data["role"],
                    area=data["area"],
                    organization=data["organization"],
                    by=request.user,
                )
            except ValidationError as error:
                add_validation_error(form, error)
            else:
                messages.success(request, _("已分配角色：%(role)s") % {"role": data["role"]})
                return redirect("user", pk=account.pk)
        return self.get(request, pk, form=form)


class RoleUnassignView(UserAdminMixin, View):
    permission = "accounts.delete_roleassignment"

    def post(self, request, pk, assignment):
        assignment = get_object_or_404(RoleAssignment.objects.select_related("role", "user"), pk=assignment, user_id=pk)
        try:
            role_unassign(assignment=assignment, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("已取消角色：%(role)s") % {"role": assignment.role})
        return redirect(reverse("user", kwargs={"pk": pk}))


class TokenRevokeView(UserAdminMixin, View):
    """Revokes a user's API token (a leaked one, or one of a user who leaves); its full text is never shown here.
    Tokens are keys: the security administrator's (三权分立), not the system administrator's."""

    permission = "accounts.delete_apitoken"

    def post(self, request, pk, token):
        token = get_object_or_404(ApiToken.objects.select_related("user"), pk=token, user_id=pk)
        if api_token_revoke(token=token):
            messages.success(request, _("已撤销 API 令牌：%(token)s") % {"token": token})
        else:
            messages.warning(request, _("API 令牌 %(token)s 此前已撤销。") % {"token": token})
        return redirect(reverse("user", kwargs={"pk": pk}))


class UserActiveView(UserAdminMixin, View):
    """停用 / 启用 a user (the system administrator). Users are never deleted: an identity is not reused, and the
    audit log keeps naming them."""

    action = "change"

    def post(self, request, pk):
        account = get_object_or_404(get_user_model(), pk=pk)
        try:
            user_set_active(user=account, active=request.POST.get("active") == "1", by=request.user)
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        else:
            done = _("已启用用户：%(user)s") if account.is_active else _("已停用用户：%(user)s")
            messages.success(request, done % {"user": account.get_username()})
        return redirect("user", pk=pk)


class UserTwoFactorResetView(UserAdminMixin, View):
    """The security administrator removes a user's authenticator and recovery codes (a lost phone); the user sets
    up a new one at their next sign-in, where it is required."""

    permission = "otp_totp.delete_totpdevice"

    def post(self, request, pk):
        account = get_object_or_404(get_user_model(), pk=pk)
        message = f"安全管理员 {request.user.get_username()} 重置了该用户的两步验证"
        if two_factor_reset(user=account, message=message):
            messages.success(request, _("已重置 %(user)s 的两步验证。") % {"user": account.get_username()})
        else:
            messages.info(request, _("%(user)s 没有设置两步验证。") % {"user": account.get_username()})
        return redirect("user", pk=pk)


class UserUnlockView(UserAdminMixin, View):
    """The security administrator lifts a lockout before its 30 minutes have run: the user name's failed logins are
    forgotten, from every address (as `shuniu axes_reset_username NAME`)."""

    permission = "axes.delete_accessattempt"

    def post(self, request, pk):
        account = get_object_or_404(get_user_model(), pk=pk)
        cleared = AxesProxyHandler.reset_attempts(username=account.get_username())
        if cleared:
            audit.record(account, audit.AuditAction.UPDATE, message="解除了登录锁定（清除失败登录记录）")
            messages.success(request, _("已解除 %(user)s 的登录锁定。") % {"user": account.get_username()})
        else:
            messages.info(request, _("%(user)s 没有失败登录记录。") % {"user": account.get_username()})
        return redirect("user", pk=pk)
