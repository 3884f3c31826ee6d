"""Declared actions: a state change on a record is one declaration, and the platform makes the rest from it.

Ending a link, revoking a hub's recognition, merging a duplicate into the record kept (and next, the workflow steps of
a purchased-service project) are each declared once, in their app's `actions.py`:

    LINK_END = register(Action(
        name="end", model=Link, service=services.link_end, form=LinkEndForm, permission="hubs.end_link",
        label=_("结束联系"), audit_action=HubAuditAction.LINK_ENDED,
        available=lambda link, user: link.end_date is None, path="links/<int:pk>/end/",
    ))

and that gives, with no further code:

- the page (`ObjectActionView`, URL name `<app>:<model>_<name>`, mounted by the app's `urls.py` with
  `action_urls(app_label)`): GET shows the form for the record, POST runs the action;
- the API endpoint `POST …/<models>/{id}/<name>/` on the model's viewset (`ScopedModelViewSet` adds its model's
  declared actions), its input the form's fields (names, types, lengths, which are required: `input_serializer`),
  its answer the record as the viewset shows it;
- the button, on the record's page (`{% action_buttons object %}`) and on each row of a list of records
  (`bind_actions(user, records)`, then `{% action_buttons record row=True %}`);
- one runner for both (`perform`): the service called with the form's cleaned data, in one transaction with the
  re-check that the record is still within the user's scope (`core.writes`);
- the test: `example` names a function building a record and the data that performs the action on it;
  `core/tests/test_actions.py` runs every declared action through the page and through the API and checks what
  each declares (the permission it needs, the scope it keeps, the audit action it leaves).

Who may: a user holding `permission` (`<app>.<action>_<model>`, or several, all needed), on a record within their
scope for it (`restrict(user, <action>)`); a record outside answers 404. `available(record, user)` decides only
whether the button is offered: the service judges whether the change may be made (ending a link twice is refused by
`link_end` with its reason, on every path, the importer and the command line included).

The audit log: the service's own write records the action (so that every path, not only these views, leaves it), in
most cases as the row change the module's audit declaration names (a link whose end date is set: 联系关系结束);
`audit_action` says which action that is, and the test holds the service to it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from importlib import import_module
from typing import Any

from django import forms
from django.apps import apps
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path as url_path
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.module_loading import import_string, module_has_submodule
from django.views import View

from .access import permission_name, restrict_choices, user_can, visible_ids
from .errors import PermissionDeniedWithReason
from .forms import add_validation_error
from .writes import OutsideScope, ensure_within_scope


@dataclass(frozen=True, eq=False)
class Action:
    """One state change on records of `model`. Required: what it is called and what it does.

    name:           the URL segment and the API endpoint (`end`), and the URL name `<model>_<name>` unless `url_name`;
    service:        the function that makes the change, called with the record as keyword `record_argument`
                    (default: the model's name, `link=`), the form's cleaned data, and `user=` when `with_user`;
    form:           the form of what the user supplies (a date, a reason); the API takes the same fields;
    permission:     the permission it needs (`"hubs.end_link"`) or its action part (`"end"`), or several (all needed);
                    the record must be within the user's scope for each (`restrict(user, "end")`);
    label:          the button's and the page's title;
    audit_action:   the action the audit log records for the record (the service's write records it);
    available:      (record, user) → whether the button is offered (e.g. the link is not ended yet);
    path:           the page's URL inside the app's URLconf (default `<models>/<int:pk>/<name>/`), kept where users
                    know it; a path without `<int:pk>` takes the record's id as the parameter `record_param`;
    placement:      where buttons show ("page": the record's page, "row": lists of records);
    view:           an `ObjectActionView` subclass (or its dotted path) where the page needs more than a form (merging
                    shows what it will do before it is confirmed);
    example:        dotted path of a function() → (record, data as the page posts it), in the app's tests, by which
                    `core/tests/test_actions.py` runs the action.
    """

    name: str
    model: type
    service: Callable[..., Any]
    form: type[forms.Form]
    permission: str | tuple[str, ...]
    label: Any
    audit_action: str | None = None
    available: Callable[[Any, Any], bool] | None = None
    record_argument: str | None = None
    with_user: bool = False
    path: str | None = None
    url_name: str | None = None
    record_param: str = "pk"
    view: type | str | None = None
    template: str = "generic/object_action.html"
    placement: tuple[str, ...] = ("page", "row")
    button_class: str = "btn-outline-secondary"
    success_message: Any = ""
    success_url: Callable[[Any], str] | None = None
    help_text: Any = ""
    api: bool = True
    initial: Callable[[Any], dict] | None = None
    example: str | None = None

    # --- what the declaration means ---------------------------------------------------------------------------------

    @property
    def app_label(self) -> str:
        return self.model._meta.app_label

    @property
    def scope_actions(self) -> tuple[str, ...]:
        """The actions of `restrict()` the user needs on the record: "hubs.end_link" → "end"."""
        names = (self.permission,) if isinstance(self.permission, str) else tuple(self.permission)
        suffix = f"_{self.model._meta.model_name}"
        return tuple(name.split(".", 1)[1].removesuffix(suffix) if "." in name else name for name in names)

    @property
    def permissions(self) -> tuple[str, ...]:
        return tuple(permission_name(self.model, action) for action in self.scope_actions)

    @property
    def full_url_name(self) -> str:
        return f"{self.app_label}:{self.url_name or f'{self.model._meta.model_name}_{self.name}'}"

    @property
    def testid(self) -> str:
        return f"action-{self.model._meta.model_name}-{self.name}"

    def allowed(self, user) -> bool:
        """Whether `user` holds the permissions at all (which records: `queryset`)."""
        return all(user_can(user, self.model, action) for action in self.scope_actions)

    def queryset(self, user, queryset=None):
        """The records on which `user` may perform the action (scope only; `available` aside)."""
        queryset = self.model._default_manager.all() if queryset is None else queryset
        for action in self.scope_actions:
            queryset = queryset.restrict(user, action)
        return queryset

    def is_available(self, record, user) -> bool:
        return self.available is None or bool(self.available(record, user))

    def url(self, record) -> str:
        if self.path is None or "<int:pk>" in self.path:
            return reverse(self.full_url_name, kwargs={"pk": record.pk})
        return f"{reverse(self.full_url_name)}?{urlencode({self.record_param: record.pk})}"

    def build_form(self, user, **kwargs):
        """The form, its dropdowns limited to what the user may see (and the form's own `limit_to_scope`)."""
        form = self.form(**kwargs)
        restrict_choices(form.fields, user, unrestricted=getattr(form, "unrestricted_choices", ()))
        if hasattr(form, "limit_to_scope"):
            form.limit_to_scope(user, self.scope_actions[0])
        return form

    def call(self, record, user, data: dict):
        arguments = {self.record_argument or self.model._meta.model_name: record, **data}
        if self.with_user:
            arguments["user"] = user
        return self.service(**arguments)

    # --- the API ------------------------------------------------------------------------------------------------

    @cached_property
    def input_serializer(self):
        """The API's input: a serializer with the form's fields (type, label, help, required, length, choices)."""
        from .api.actions import serializer_for_form

        return serializer_for_form(self.form, name=f"{self.model.__name__}{self.name.title()}Input")

    def api_endpoint(self):
        """The viewset method (a DRF `@action`) that performs this action on `…/{id}/<name>/`."""
        from .api.actions import endpoint_for

        return endpoint_for(self)


# --- the registry ---------------------------------------------------------------------------------------------------

_declared: dict[tuple[str, str], Action] = {}
_loaded: set[str] = set()


def register(action: Action) -> Action:
    """Declare `action` (called in its app's `actions.py`)."""
    _declared[(action.model._meta.label_lower, action.name)] = action
    return action


def _load(app_label: str) -> None:
    """Import the app's `actions.py`, where its actions are declared (once)."""
    if app_label in _loaded:
        return
    _loaded.add(app_label)
    config = apps.get_app_config(app_label)
    if module_has_submodule(config.module, "actions"):
        import_module(f"{config.name}.actions")


def actions_for(model) -> list[Action]:
    """The actions declared on `model`, in the order declared."""
    _load(model._meta.app_label)
    return [action for (label, _name), action in _declared.items() if label == model._meta.label_lower]


def app_actions(app_label: str) -> list[Action]:
    _load(app_label)
    return [action for action in _declared.values() if action.app_label == app_label]


def all_actions() -> list[Action]:
    for config in apps.get_app_configs():
        _load(config.label)
    return list(_declared.values())


def get_action(model, name: str) -> Action:
    _load(model._meta.app_label)
    return _declared[(model._meta.label_lower, name)]


# --- running one ----------------------------------------------------------------------------------------------------


def perform(action: Action, *, record, user, data: dict):
    """Run `action` on `record` for `user` with the form's cleaned `data`: the service, then the re-check that the
    record is still within the user's scope, in one transaction (`OutsideScope` undoes it; a service's
    ValidationError passes through). Returns what the service returns."""
    with transaction.atomic():
        result = action.call(record, user, data)
        ensure_within_scope(user, action.model, [record.pk], action.scope_actions)
    return result


# --- the page and the buttons ---------------------------------------------------------------------------------------


class ObjectActionView(LoginRequiredMixin, View):
    """The page of a declared action: the form for one record (GET), the action run (POST). A record outside the
    user's scope for the action answers 404, a user without its permission 403."""

    action: Action = None  # set by `action_urls` (`as_view(action=…)`)

    def get_queryset(self, request):
        if not self.action.allowed(request.user):
            raise PermissionDeniedWithReason(_denied())
        return self.action.queryset(request.user)

    def get_object(self, request, pk=None):
        """The record: by the URL's `pk`, or by the parameter `record_param` (404 when it is not an id)."""
        if pk is None:
            params = request.POST if request.method == "POST" else request.GET
            try:
                pk = int(params.get(self.action.record_param, ""))
            except ValueError:
                raise Http404 from None
        return get_object_or_404(self.get_queryset(request), pk=pk)

    def get_form(self, request, record, data=None):
        initial = self.action.initial(record) if self.action.initial else None
        return self.action.build_form(request.user, data=data, initial=initial)

    def get_success_url(self, record, result) -> str:
        if self.action.success_url is not None:
            return self.action.success_url(record)
        return record.get_absolute_url()

    def get_context(self, request, record, form) -> dict:
        return {
            "object": record,
            "form": form,
            "action": self.action,
            "verbose_name": self.action.model._meta.verbose_name,
            "cancel_url": record.get_absolute_url(),
        }

    def render_page(self, request, record, form):
        return render(request, self.action.template, self.get_context(request, record, form))

    def get(self, request, pk=None):
        record = self.get_object(request, pk)
        return self.render_page(request, record, self.get_form(request, record))

    def post(self, request, pk=None):
        record = self.get_object(request, pk)
        form = self.get_form(request, record, data=request.POST)
        if form.is_valid():
            try:
                result = perform(self.action, record=record, user=request.user, data=form.cleaned_data)
            except ValidationError as error:
                add_validation_error(form, error)
            except OutsideScope as error:
                form.add_error(None, str(error))
            else:
                if self.action.success_message:
                    messages.success(request, self.action.success_message % {"object": record})
                return redirect(self.get_success_url(record, result))
        return self.render_page(request, record, form)


def _denied() -> str:
    from django.utils.translation import gettext

    return gettext("您没有执行此操作的权限。")


def action_urls(app_label: str) -> list:
    """The pages of the actions declared in the app, for its `urls.py`: `urlpatterns += action_urls("hubs")`."""
    patterns = []
    for action in app_actions(app_label):
        model_name = action.model._meta.model_name
        route = action.path or f"{model_name}s/<int:pk>/{action.name}/"
        view_class = import_string(action.view) if isinstance(action.view, str) else action.view
        view = (view_class or ObjectActionView).as_view(action=action)
        patterns.append(url_path(route, view, name=action.full_url_name.split(":", 1)[1]))
    return patterns


@dataclass(frozen=True)
class BoundAction:
    """A declared action offered on one record: what a button needs."""

    action: Action
    record: Any

    @property
    def url(self) -> str:
        return self.action.url(self.record)

    @property
    def label(self):
        return self.action.label


def bind_actions(user, records: Iterable, placement: str = "row") -> list:
    """Set `record.bound_actions` on each of `records` (of one model): the declared actions with buttons at
    `placement` that `user` may perform on it and that are available. One scope query per action for all records
    (none for a city-wide user), so a list pays the same whatever its length."""
    records = list(records)
    if not records:
        return records
    declared = [action for action in actions_for(type(records[0])) if placement in action.placement]
    allowed = {}
    for action in declared:
        if not action.allowed(user):
            continue
        pks = {record.pk for record in records}
        for scope_action in action.scope_actions:
            pks &= visible_ids(user, action.model, pks, scope_action)
        allowed[action] = pks
    for record in records:
        record.bound_actions = [
            BoundAction(action, record)
            for action, pks in allowed.items()
            if record.pk in pks and action.is_available(record, user)
        ]
    return records


def offered_actions(user, record, placement: str = "page") -> list[BoundAction]:
    """The buttons of `record`: those `bind_actions` set, or those of `placement` worked out now."""
    bound = getattr(record, "bound_actions", None)
    if bound is None:
        bind_actions(user, [record], placement)
        bound = record.bound_actions
    return bound
