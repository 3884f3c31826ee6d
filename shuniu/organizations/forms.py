from django import forms
from django.utils.translation import gettext_lazy as _

from shuniu.areas.models import Area
from shuniu.core.access import areas_within_scope, is_visible
from shuniu.core.forms import DateInput, PersonalFieldsFormMixin, StyledFormMixin

from .models import Organization
from .validators import uscc_normalize


class OrganizationForm(PersonalFieldsFormMixin, StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Organization
        fields = (
            "name",
            "former_names",
            "kind",
            "uscc",
            "fields",
            "registration_level",
            "registration_authority",
            "supervisory_unit",
            "district",
            "street",
            "address",
            "legal_representative",
            "legal_representative_id_number",
            "legal_representative_phone",
            "founded_on",
            "registered_on",
            "status",
            "active_until",
            "staff_count",
            "member_count",
            "party_member_count",
            "note",
        )
        widgets = {
            "founded_on": DateInput(),
            "registered_on": DateInput(),
            "active_until": DateInput(),
            "fields": forms.CheckboxSelectMultiple(),
            "note": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        if kwargs.get("data") is not None and kwargs["data"].get("uscc"):
            kwargs["data"] = kwargs["data"].copy()
            kwargs["data"]["uscc"] = uscc_normalize(kwargs["data"]["uscc"])  # before the 18-character check
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = Area.objects.districts()
        self.fields["street"].queryset = Area.objects.streets().select_related("parent")
        self.fields["street"].label_from_instance = lambda area: f"{area.parent.name} {area.name}"
        self.fields["fields"].widget.attrs["class"] = "sn-checks"

    def limit_to_scope(self, user, action: str) -> None:
        """Offer only the districts and streets in which the user may keep organizations, with the district of each
        such street (a street office chooses both). A record the choices still place outside the scope (a street
        office's organization on no street) is refused by the save-within-scope check, as by the API and the import."""
        ids = areas_within_scope(user, Organization, action)
        if ids is not None:
            parents = Area.objects.filter(pk__in=ids).exclude(parent=None).values_list("parent_id", flat=True)
            offered = {"district": {*ids, *parents}, "street": set(ids)}
            for name in ("district", "street"):
                self.fields[name].queryset = self.fields[name].queryset.filter(pk__in=offered[name])


def limit_organization_choices(form, name: str = "organization", user=None) -> None:
    """A city has tens of thousands of organizations: offer only the one already chosen (from the page the user
    came from, the submitted data or the record), otherwise ask for its number. With `user`, a chosen organization
    the user may not see is not named either: the number stays as it was entered."""
    field = form.fields[name]
    chosen = form.data.get(name) or form.initial.get(name) or getattr(form.instance, f"{name}_id", None)
    if chosen and str(chosen).isdigit():
        field.queryset = Organization.objects.filter(pk=chosen)
        if user is None or is_visible(user, field.queryset.first()):
            return
    else:
        field.queryset = Organization.objects.all()
    field.widget = forms.NumberInput(attrs={"class": "form-control"})
    field.help_text = _("组织编号：打开该组织的页面，地址 /organizations/编号/ 中的数字")


class OrganizationMergeForm(forms.Form):
    """Merging a duplicate into the organization kept (the record the action is performed on): which one, and why."""

    merge = forms.ModelChoiceField(
        queryset=Organization.objects.all(), label=_("被合并的组织"), help_text=_("合并后删除，其信息保存在合并记录中")
    )
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def limit_to_scope(self, user, action: str) -> None:
        """Only an organization the user may change and delete can be merged away."""
        self.fields["merge"].queryset = self.fields["merge"].queryset.restrict(user, "change").restrict(user, "delete")
