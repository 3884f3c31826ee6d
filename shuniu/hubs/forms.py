from django import forms
from django.utils.translation import gettext_lazy as _

from shuniu.areas.models import Area
from shuniu.core.access import areas_within_scope
from shuniu.core.forms import DateInput, StyledFormMixin
from shuniu.organizations.forms import limit_organization_choices
from shuniu.organizations.models import Organization

from .models import Hub, Link


class HubForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Hub
        fields = (
            "organization",
            "level",
            "area",
            "system",
            "fields",
            "batch",
            "recognized_on",
            "recognized_until",
            "parent",
        )
        widgets = {
            "recognized_on": DateInput(),
            "recognized_until": DateInput(),
            "fields": forms.CheckboxSelectMultiple(),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = Area.objects.select_related("parent")
        limit_organization_choices(self)
        self.fields["parent"].queryset = Hub.objects.select_related("organization")
        self.fields["fields"].widget.attrs["class"] = "sn-checks"

    def limit_to_scope(self, user, action: str) -> None:
        """Offer only the areas in which the user may keep hubs."""
        ids = areas_within_scope(user, Hub, action)
        if ids is not None:
            self.fields["area"].queryset = self.fields["area"].queryset.filter(pk__in=ids)


class HubChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, hub):
        return f"{hub.organization.name}（{hub.get_level_display()}·{hub.system.name}）"


class LinkForm(StyledFormMixin, forms.ModelForm):
    hub = HubChoiceField(queryset=Hub.objects.select_related("organization", "system"), label=_("枢纽"))
    unrestricted_choices = ("organization",)  # hub staff link organizations by number before they may see them

    class Meta:
        model = Link
        fields = ("hub", "organization", "role", "start_date", "end_date", "basis", "note")
        widgets = {"start_date": DateInput(), "end_date": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit_organization_choices(self)

    def limit_to_scope(self, user, action: str) -> None:
        """An organization the user may not see yet (hub staff link one by its number) is not named in the page."""
        limit_organization_choices(self, user=user)


class LinkEndForm(StyledFormMixin, forms.Form):
    end_date = forms.DateField(label=_("结束日期（最后有效的一天）"), widget=DateInput())
    # kept in the link's note: how long it may be is `link_end`'s rule (`services.link_end_note`), the same for the
    # page, the API and the import
    reason = forms.CharField(label=_("原因"), required=False)


class HubRevokeForm(StyledFormMixin, forms.Form):
    recognized_until = forms.DateField(
        label=_("认定截止日期（最后一天仍为枢纽）"), help_text=_("撤销认定之日的前一天"), widget=DateInput()
    )
    reason = forms.CharField(label=_("原因"), required=False, max_length=100)


class LinkSuggestedForm(forms.Form):
    """The worklist's one-step link: organization, suggested hub and start day, as hidden fields. The view restricts
    both choices to what the user may see, so that neither can name a record outside the scope."""

    organization = forms.ModelChoiceField(queryset=Organization.objects.all())
    hub = forms.ModelChoiceField(queryset=Hub.objects.select_related("organization"))
    start_date = forms.DateField()
