"""我的账户: the signed-in user's own page, where they change their password and manage their API token."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView, View
from rest_framework.authtoken.models import Token

from shuniu.core.forms import style_fields

from .tokens import api_token_create, api_token_revoke

PASSWORD_CHANGED = _("密码已修改。")
TOKEN_CREATED = _("已生成新的 API 令牌，原有令牌（如有）已失效。")
TOKEN_REVOKED = _("API 令牌已撤销，使用它的程序将无法再访问。")
NO_TOKEN = _("您没有 API 令牌。")


class AccountView(LoginRequiredMixin, TemplateView):
    template_name = "accounts/account.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(token=Token.objects.filter(user=self.request.user).first(), **kwargs)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change (old password, new twice, the password validators), styled and in Chinese."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("account")

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        style_fields(form)
        return form

    def form_valid(self, form):
        messages.success(self.request, PASSWORD_CHANGED)
        return super().form_valid(form)


class ApiTokenCreateView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request):
        api_token_create(user=request.user)
        messages.success(request, TOKEN_CREATED)
        return redirect("account")


class ApiTokenRevokeView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request):
        if api_token_revoke(user=request.user):
            messages.success(request, TOKEN_REVOKED)
        else:
            messages.warning(request, NO_TOKEN)
        return redirect("account")
