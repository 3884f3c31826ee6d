from django import forms
from django.utils.translation import gettext_lazy as _

from shuniu.areas.models import Area
from shuniu.core.forms import DateInput, StyledFormMixin

from .models import Organization
from .validators import uscc_normalize


class OrganizationForm(StyledFormMixin, forms.ModelForm):
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
            "founded_on",
            "registered_on",
            "status",
            "dissolved_on",
            "staff_count",
            "member_count",
            "party_member_count",
            "note",
        )
        widgets = {
            "founded_on": DateInput(),
            "registered_on": DateInput(),
            "dissolved_on": DateInput(),
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


def limit_organization_choices(form, name: str = "organization") -> None:
    """A city has tens of thousands of organizations: offer only the one already chosen (from the page the user
    came from, the submitted data or the record), otherwise ask for its number."""
    field = form.fields[name]
    chosen = form.data.get(name) or form.initial.get(name) or getattr(form.instance, f"{name}_id", None)
    if chosen and str(chosen).isdigit():
        field.queryset = Organization.objects.filter(pk=chosen)
    else:
        field.queryset = Organization.objects.all()
        field.widget = forms.NumberInput(attrs={"class": "form-control"})
        field.help_text = _("组织编号：打开该组织的页面，地址 /organizations/编号/ 中的数字")
