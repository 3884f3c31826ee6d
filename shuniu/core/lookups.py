"""Picking a record by typing: the modules declare, per model, how its records are searched and told apart
(`Module.lookups`); one scoped endpoint answers every picker (`LookupView`, `/lookup/<model>/?q=`), and a form or a
filter offers a model's records through `RecordSelect`, which writes into the page only the
records already chosen — a list of a city's 1,000 hubs as <option>s cost more than the rest of its page."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.apps import apps
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator
from django.http import Http404, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View

LIMIT = 20  # answers per question: enough to see whether the record sought is among them, few enough to read


@dataclass(frozen=True)
class Lookup:
    """How the records of `model` (an app label and model name, "hubs.hub") are found and named.

    key:     the look-up's name in its URL (`/lookup/<key>/`); default the model's label. A second look-up of the same
             model names its own key and narrows the records (`narrow`): the streets among the areas;
    narrow:  queryset → the records this look-up offers (default: all the model's);
    search:  (queryset, text) → the records matching `text` (default: the queryset's own `search(text)`);
    text:    record → its name in the picker and in the chosen value (default: `str`);
    detail:  record → what tells two records of the same name apart (district, kind, USCC), or "";
    related: what `text` and `detail` read, loaded with the records (`select_related`);
    order:   the order answers come in.
    """

    model: str
    key: str = ""
    narrow: Callable[[Any], Any] | None = None
    search: Callable[[Any, str], Any] | None = None
    text: Callable[[Any], str] = str
    detail: Callable[[Any], str] = lambda record: ""
    related: tuple[str, ...] = ()
    order: tuple[str, ...] = ("pk",)

    @property
    def name(self) -> str:
        return self.key or self.model

    def model_class(self):
        return apps.get_model(self.model)

    def queryset(self, user):
        """The records `user` may see, loaded for naming: a scoped model's within the user's scope, reference data
        to those holding its view permission."""
        model = self.model_class()
        queryset = model._default_manager.all()
        if getattr(model, "scope", None) is not None:
            queryset = queryset.restrict(user, "view")
        elif not user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}"):
            queryset = queryset.none()
        if self.narrow is not None:
            queryset = self.narrow(queryset)
        return queryset.select_related(*self.related) if self.related else queryset

    def find(self, user, text: str) -> list[dict]:
        queryset = self.queryset(user)
        text = text.strip()
        if text:
            queryset = self.search(queryset, text) if self.search else queryset.search(text)
        return [self.answer(record) for record in queryset.order_by(*self.order)[:LIMIT]]

    def answer(self, record) -> dict:
        return {"value": str(record.pk), "text": self.text(record), "detail": self.detail(record)}


def lookups() -> dict[str, Lookup]:
    """Every module's lookups, by key (the model's label unless the lookup names another)."""
    from .modules import modules

    return {lookup.name: lookup for module in modules() for lookup in module.lookups}


class LookupView(LoginRequiredMixin, View):
    """`GET /lookup/<key>/?q=text`: up to 20 of the records the user may see that match `text`, as
    `{"results": [{"value", "text", "detail"}]}`; a model nobody declared a lookup for is a 404."""

    raise_exception = True  # a picker's question without a session answers 403, not a sign-in page

    def get(self, request, model: str):
        lookup = lookups().get(model)
        if lookup is None:
            raise Http404(_("没有这种记录可供选择。"))
        text = request.GET.get("q", "")[:100].replace("\x00", "")  # PostgreSQL's text holds no NUL
        return JsonResponse({"results": lookup.find(request.user, text)})


class RecordSelect(forms.Select):
    """A model choice's widget that writes only the chosen record as an option, and names the lookup the page's
    script asks as the user types (`data-sn-lookup`, see shuniu.js): `lookup` names it, by default the lookup of the
    field's model. Validation is the field's, against its own (scoped) queryset: a record the picker could not have
    offered is refused like any invalid choice."""

    def __init__(self, attrs=None, choices=(), *, lookup: str = ""):
        super().__init__(attrs, choices)
        self.lookup = lookup

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        key = self.lookup or self.choices.queryset.model._meta.label_lower
        context["widget"]["attrs"].update(
            {
                "data-sn-lookup": reverse("record_lookup", args=[key]),
                "data-sn-lookup-placeholder": _("输入名称或代码查找"),
                "data-sn-lookup-none": _("没有找到可选的记录"),
                "data-sn-lookup-clear": _("清除"),
            }
        )
        return context

    def optgroups(self, name, value, attrs=None):
        iterator = self.choices
        if not isinstance(iterator, ModelChoiceIterator):
            return super().optgroups(name, value, attrs)
        self.choices = _chosen_choices(iterator, value)
        try:
            return super().optgroups(name, value, attrs)
        finally:
            self.choices = iterator


def _chosen_choices(iterator: ModelChoiceIterator, value: list) -> list:
    """The empty choice (if the field has one) and the records among `value`, as (value, label) pairs. Each value
    is looked up as the field looks it up to validate it (a value that names no record it offers, a word or a number
    too large for the column, is simply not shown)."""
    field = iterator.field
    choices = [("", field.empty_label)] if field.empty_label is not None else []
    for key in value:
        try:
            record = forms.ModelChoiceField.to_python(field, key)
        except ValidationError:
            continue
        if record is not None:
            choices.append(iterator.choice(record))
    return choices
