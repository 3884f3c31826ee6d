from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from shuniu.areas.models import Area
from shuniu.core.forms import StyledFormMixin
from shuniu.organizations.models import Organization

from .models import Role


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, area):
        return f"{area.parent.name} {area.name}" if area.level == "street" else area.name


class RoleAssignmentForm(StyledFormMixin, forms.Form):
    """A role and its scope: an area (district office, street office, leader) or an organization's number (hub
    staff: the organization recognised as the hub; organization accounts: the organization itself)."""

    role = forms.ModelChoiceField(label=_("角色"), queryset=Role.objects.all())
    area = AreaChoiceField(
        label=_("区划"),
        queryset=Area.objects.exclude(level="city").select_related("parent").order_by("code"),
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
    password1 = forms.CharField(label=_("初始密码"), widget=forms.PasswordInput(render_value=False), strip=False)
    password2 = forms.CharField(label=_("再次输入密码"), widget=forms.PasswordInput(render_value=False), strip=False)

    field_order = ["username", "full_name", "email", "password1", "password2", "role", "area", "organization"]

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
