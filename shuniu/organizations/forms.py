from django import forms
from django.utils.translation import gettext_lazy as _

from shuniu.areas.models import Area
from shuniu.core.access import areas_within_scope, is_visible
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
            "legal_representative_id_number",
            "legal_representative_phone",
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
        self._set_up_personal_fields()

    def _set_up_personal_fields(self):
        """The stored numbers are never put in the page: an empty input says what is registered (masked), and an
        edit that leaves it empty keeps it; a box clears it."""
        for name in Organization.PERSONAL_FIELDS:
            self.initial[name] = ""
            self.fields[name].widget.attrs["autocomplete"] = "off"
            stored = getattr(self.instance, name)
            if stored:
                self.fields[name].help_text = _("已登记：%(masked)s，留空则不修改") % {"masked": stored.masked}
                clear = f"{name}_clear"
                self.fields[clear] = forms.BooleanField(
                    label=_("删除已登记的%(field)s") % {"field": self.fields[name].label}, required=False
                )
                order = [field for field in self.fields if field != clear]
                order.insert(order.index(name) + 1, clear)
                self.order_fields(order)

    def _clean_personal(self, name: str):
        value = (self.cleaned_data.get(name) or "").strip()
        stored = getattr(self.instance, name)
        if not value or (stored and value == stored.masked):
            return "" if self.data.get(self.add_prefix(f"{name}_clear")) else stored
        return Organization._meta.get_field(name).kind.normalize(value)

    def clean_legal_representative_id_number(self):
        return self._clean_personal("legal_representative_id_number")

    def clean_legal_representative_phone(self):
        return self._clean_personal("legal_representative_phone")

    def limit_to_scope(self, user, action: str) -> None:
        """Offer only the districts and streets in which the user may keep organizations."""
        ids = areas_within_scope(user, Organization, action)
        if ids is not None:
            for name in ("district", "street"):
                self.fields[name].queryset = self.fields[name].queryset.filter(pk__in=ids)


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
