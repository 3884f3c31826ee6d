from django import forms

from shuniu.core.forms import DateInput, StyledFormMixin
from shuniu.organizations.forms import limit_organization_choices

from .models import AnnualInspection, GradeEvaluation


class AnnualInspectionForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = AnnualInspection
        fields = ("organization", "year", "result", "inspected_on", "remarks")
        widgets = {"inspected_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit_organization_choices(self)

    def limit_to_scope(self, user, action: str) -> None:
        """An organization the user may not see is not named in the page: its number stays as entered."""
        limit_organization_choices(self, user=user)


class GradeEvaluationForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = GradeEvaluation
        fields = ("organization", "grade", "awarded_on", "valid_until", "body", "remarks")
        widgets = {"awarded_on": DateInput(), "valid_until": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit_organization_choices(self)

    def limit_to_scope(self, user, action: str) -> None:
        """An organization the user may not see is not named in the page: its number stays as entered."""
        limit_organization_choices(self, user=user)
