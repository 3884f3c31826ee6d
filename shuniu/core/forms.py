from django import forms


class StyledFormMixin:
    """Gives every widget Bootstrap's classes, so templates render fields without per-field markup."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


def style_fields(form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
            css = "form-select form-select-sm" if getattr(form, "compact", False) else "form-select"
        else:
            css = "form-control form-control-sm" if getattr(form, "compact", False) else "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
        if form.is_bound and form.errors.get(getattr(field, "name", None)):
            widget.attrs["class"] += " is-invalid"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")
