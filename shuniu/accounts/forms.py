from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.utils.translation import gettext_lazy as _

from shuniu.areas.choices import AreaLevel
from shuniu.areas.models import Area
from shuniu.core.forms import StyledFormMixin
from shuniu.organizations.models import Organization

from .models import Role
from .tokens import DEFAULT_DAYS, VALIDITY_DAYS


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, area):
        return f"{area.parent.name} {area.name}" if area.level == AreaLevel.STREET else area.name


class RoleAssignmentForm(StyledFormMixin, forms.Form):
    """A role and its scope: an area (district office, street office, leader) or an organization's number (hub
    staff: the organization recognised as the hub; organization accounts: the organization itself)."""

    role = forms.ModelChoiceField(label=_("角色"), queryset=Role.objects.all())
    area = AreaChoiceField(
        label=_("区划"),
        queryset=Area.objects.exclude(level=AreaLevel.CITY).select_related("parent").order_by("code"),
        required=False,
        help_text=_("区级、街道（乡镇）工作人员和领导选择区划；领导不选即全市"),
    )
    organization = forms.ModelChoiceField(
        label=_("组织编号"),
        queryset=Organization.objects.all(),
        required=False,
        widget=forms.NumberInput(),
        help_text=_("枢纽工作人员填枢纽所在组织的编号，社会组织账号填本组织的编号（组织页面地址中的数字）"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].label_from_instance = lambda role: f"{role.name}：{role.description}"


class UserCreateForm(RoleAssignmentForm):
    username = forms.CharField(label=_("用户名"), max_length=150)
    full_name = forms.CharField(label=_("姓名"), max_length=150, required=False)
    email = forms.EmailField(label=_("电子邮箱"), required=False)
    password1 = forms.CharField(
        label=_("初始密码"),
        widget=forms.PasswordInput(render_value=False),
        strip=False,
        help_text=password_validators_help_text_html(),
    )
    password2 = forms.CharField(label=_("再次输入密码"), widget=forms.PasswordInput(render_value=False), strip=False)

    field_order = ["username", "full_name", "email", "password1", "password2", "role", "area", "organization"]

    def __init__(self, *args, may_assign: bool = True, **kwargs):
        """`may_assign`: whether the creator may also give the first role (the security administrator's right;
        the system administrator creates the account, the security administrator assigns its roles)."""
        super().__init__(*args, **kwargs)
        if not may_assign:
            for name in ("role", "area", "organization"):
                del self.fields[name]

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("用户名「%(username)s」已被使用。") % {"username": username})
        return username

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", _("两次输入的密码不一致。"))
        return data


class ApiTokenForm(StyledFormMixin, forms.Form):
    """A new API token: what it is for, and how long it stays valid (`tokens.VALIDITY_DAYS`)."""

    name = forms.CharField(
        label=_("名称"),
        max_length=100,
        help_text=_("令牌的用途，例如「区里的报表脚本」"),
        widget=forms.TextInput(attrs={"data-testid": "api-token-name"}),
    )
    days = forms.TypedChoiceField(
        label=_("有效期"),
        coerce=int,
        choices=[(days, _("%(days)d 天") % {"days": days}) for days in VALIDITY_DAYS],
        initial=DEFAULT_DAYS,
    )


class TwoFactorCodeForm(StyledFormMixin, forms.Form):
    """The second step of signing in: a code from the authenticator app, or one recovery code."""

    code = forms.CharField(
        label=_("验证码"),
        max_length=32,
        help_text=_("身份验证器中显示的 6 位数字；手机不在身边时，可填一个恢复码（每个只能用一次）"),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "data-testid": "otp-code"}),
        error_messages={"required": _("请输入验证码。")},
    )


class TwoFactorEnrollForm(StyledFormMixin, forms.Form):
    """Setting up the authenticator: the first code it shows proves the key was taken over correctly."""

    code = forms.CharField(
        label=_("验证码"),
        max_length=16,
        help_text=_("扫描二维码（或输入密钥）后，身份验证器显示的 6 位数字"),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "data-testid": "otp-enroll-code"}
        ),
        error_messages={"required": _("请输入验证码。")},
    )

    key = forms.CharField(widget=forms.HiddenInput)  # the key being set up, signed (two_factor.enrollment_key_sign)

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        if not (code.isdigit() and len(code) == 6):
            raise forms.ValidationError(_("请输入身份验证器显示的 6 位数字。"))
        return code


class TwoFactorResetForm(StyledFormMixin, forms.Form):
    """Resetting one's own two factors (a new phone): the password and a current code or a recovery code."""

    password = forms.CharField(
        label=_("密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("请输入密码。")},
    )
    code = forms.CharField(
        label=_("验证码或恢复码"), max_length=32, error_messages={"required": _("请输入验证码或恢复码。")}
    )
