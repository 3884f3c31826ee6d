"""我的账户: the signed-in user's own page, where they change their password and manage their API tokens (`tokens.py`).

A new token's full text is in the answer to the POST that creates it and nowhere else: the page is rendered there and
then (not after a redirect, which would have to keep the token somewhere to show it), marked `no-store` so that no
cache keeps it, and no later visit can show it again."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView, View

from shuniu.core.forms import add_validation_error, style_fields

from .forms import ApiTokenForm
from .models import ApiToken
from .tokens import api_token_create, api_token_revoke

PASSWORD_CHANGED = _("密码已修改。")
TOKEN_CREATED = _("已生成 API 令牌「%(name)s」。它只显示这一次，离开本页后无法再查看：请立即复制并妥善保存。")
TOKEN_REVOKED = _("API 令牌「%(name)s」已撤销，使用它的程序将无法再访问。")
TOKEN_REVOKED_BEFORE = _("API 令牌「%(name)s」此前已撤销。")


class AccountView(LoginRequiredMixin, TemplateView):
    template_name = "accounts/account.html"

    def get_context_data(self, **kwargs):
        tokens = ApiToken.objects.filter(user=self.request.user).select_related("user")
        kwargs.setdefault("token_form", ApiTokenForm())
        return super().get_context_data(tokens=tokens, **kwargs)


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


class ApiTokenCreateView(AccountView):
    """Creates a token and answers with 我的账户 showing its full text, this once."""

    http_method_names = ["post"]

    def post(self, request):
        form, issued = ApiTokenForm(request.POST), None
        if form.is_valid():
            try:
                issued = api_token_create(user=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_validation_error(form, error)
            else:
                form = ApiTokenForm()
        context = self.get_context_data(token_form=form, issued=issued)
        if issued:
            context["token_created"] = TOKEN_CREATED % {"name": issued.token.name}
        response = render(request, self.template_name, context)
        add_never_cache_headers(response)  # Cache-Control: no-store, among others
        return response


class ApiTokenRevokeView(LoginRequiredMixin, View):
    """Revokes one of the user's own tokens; another user's token answers 404, like one that does not exist."""

    http_method_names = ["post"]

    def post(self, request, pk):
        token = get_object_or_404(ApiToken.objects.select_related("user"), pk=pk, user=request.user)
        if api_token_revoke(token=token):
            messages.success(request, TOKEN_REVOKED % {"name": token.name})
        else:
            messages.warning(request, TOKEN_REVOKED_BEFORE % {"name": token.name})
        return redirect("account")
