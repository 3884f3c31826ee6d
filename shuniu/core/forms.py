from django import forms


class StyledFormMixin:
    """Gives every widget Bootstrap's classes, so templates render fields without per-field markup. Fields with
    errors are marked when the form is cleaned, not here: choices may still be narrowed after __init__ (the user's
    scope), and validating now would check against the wider ones."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self, mark_errors=False)

    def full_clean(self):
        super().full_clean()
        for name, field in self.fields.items():
            if self._errors.get(name) and "is-invalid" not in field.widget.attrs.get("class", ""):
                field.widget.attrs["class"] = f"{field.widget.attrs.get('class', '')} is-invalid".strip()


def style_fields(form, mark_errors: bool = True) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
            css = "form-select form-select-sm" if getattr(form, "compact", False) else "form-select"
        else:
            css = "form-control form-control-sm" if getattr(form, "compact", False) else "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
        if mark_errors and form.is_bound and form.errors.get(getattr(field, "name", None)):
            widget.attrs["class"] += " is-invalid"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def add_validation_error(form, error) -> None:
    """A service's ValidationError shown on `form`: each field's messages beside the field, the rest (and messages
    for fields the form does not have) above the form."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)
