from django import forms
from django.forms.renderers import DjangoTemplates
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _


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


class PersonalFieldsFormMixin:
    """The encrypted personal numbers of a model form's record (`Model.PERSONAL_FIELDS`): the stored numbers are never
    put in the page. An empty input says what is registered (masked), and an edit that leaves it empty, or sends the
    masked value back, keeps it; a box clears it; a new number is checked and normalised by its field's kind."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.personal_fields():
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

    def personal_fields(self) -> tuple[str, ...]:
        return tuple(name for name in getattr(self._meta.model, "PERSONAL_FIELDS", ()) if name in self.fields)

    def _clean_fields(self):
        super()._clean_fields()
        for name in self.personal_fields():
            if name in self.cleaned_data:
                try:
                    self.cleaned_data[name] = self.clean_personal(name)
                except forms.ValidationError as error:
                    self.add_error(name, error)

    def clean_personal(self, name: str):
        value = (self.cleaned_data.get(name) or "").strip()
        stored = getattr(self.instance, name)
        if not value or (stored and value == stored.masked):
            return "" if self.data.get(self.add_prefix(f"{name}_clear")) else stored
        return self._meta.model._meta.get_field(name).kind.normalize(value)


class FormRenderer(DjangoTemplates):
    """Django's form renderer, except that a select is written here instead of by its template: Django's includes a
    template per option, and its loop costs ~70 µs an option, which made up half of a list page whose filters offer
    the city's 1,000 hubs twice. The markup is Django's (`FORM_RENDERER` in the settings)."""

    def render(self, template_name, context, request=None):
        if template_name == "django/forms/widgets/select.html":
            return select_html(context["widget"])
        return super().render(template_name, context, request)


def select_html(widget: dict) -> str:
    """The markup of Django's select.html and select_option.html for a widget's context (`flatatt` writes attributes
    as attrs.html does: True as a bare name, False left out)."""
    parts = [format_html('<select name="{}"{}>', widget["name"], flatatt(widget["attrs"]))]
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(format_html('<optgroup label="{}">', group_name))
        parts.extend(
            format_html('<option value="{}"{}>{}</option>', str(o["value"]), flatatt(o["attrs"]), o["label"])
            for o in options
        )
        if group_name:
            parts.append("</optgroup>")
    parts.append("</select>")
    return mark_safe("\n".join(parts))  # noqa: S308  (each part escaped by format_html)
