"""The API side of declared actions (`core.actions`): the endpoint on the model's viewset and its input.

The input is the action's form, field for field (`serializer_for_form`): the API documents and checks the same
fields, with DRF's own messages for a missing or malformed value; the form itself then checks the values again (its
`clean()` rules, and choices limited to the caller's scope), and the service gets the same cleaned data as from the
page. A service's refusal answers 400 keyed by field, a record outside the caller's scope 404, a write that would
leave it outside 403.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action as drf_action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.relations import RelatedField
from rest_framework.response import Response

from ..access import user_can
from ..writes import OutsideScope
from .exceptions import validation_detail


def _serializer_field(field: forms.Field) -> serializers.Field:
    common = {"required": field.required, "label": field.label, "help_text": field.help_text or None}
    if isinstance(field, forms.ModelChoiceField):
        return serializers.PrimaryKeyRelatedField(queryset=field.queryset, allow_null=not field.required, **common)
    if isinstance(field, forms.DateField):
        return serializers.DateField(allow_null=not field.required, **common)
    if isinstance(field, forms.BooleanField):
        return serializers.BooleanField(**{**common, "required": False})
    if isinstance(field, forms.IntegerField):
        return serializers.IntegerField(
            min_value=field.min_value, max_value=field.max_value, allow_null=not field.required, **common
        )
    if isinstance(field, forms.DecimalField):
        return serializers.DecimalField(
            max_digits=field.max_digits, decimal_places=field.decimal_places, allow_null=not field.required, **common
        )
    if isinstance(field, forms.ChoiceField):
        return serializers.ChoiceField(choices=field.choices, allow_blank=not field.required, **common)
    if not field.required:
        common["default"] = ""
    return serializers.CharField(
        max_length=getattr(field, "max_length", None), allow_blank=not field.required, **common
    )


class ActionInputSerializer(serializers.Serializer):
    """Related-record choices limited to what the caller may view, as the forms' dropdowns are."""

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            for field in fields.values():
                queryset = getattr(field, "queryset", None) if isinstance(field, RelatedField) else None
                if queryset is not None and hasattr(queryset, "restrict"):
                    field.queryset = queryset.restrict(request.user, "view")
        return fields


def serializer_for_form(form_class: type[forms.Form], *, name: str) -> type[serializers.Serializer]:
    """A serializer class with the fields of `form_class` (its base fields: those the class declares)."""
    attributes = {field_name: _serializer_field(field) for field_name, field in form_class.base_fields.items()}
    attributes["__doc__"] = form_class.__doc__
    return type(name, (ActionInputSerializer,), attributes)


def _form_data(validated: dict) -> dict:
    """The serializer's values as the form reads them (records by their id)."""
    return {name: getattr(value, "pk", value) for name, value in validated.items() if value is not None}


def endpoint_for(declared):
    """The viewset method performing `declared` on one record: `POST …/{id}/<name>/`."""
    from ..actions import perform

    def endpoint(self, request, pk=None):
        for scope_action in declared.scope_actions[1:]:  # the first is the viewset's permission_action
            if not user_can(request.user, declared.model, scope_action):
                raise PermissionDenied
        record = get_object_or_404(declared.queryset(request.user, self.get_queryset()), pk=pk)
        data = declared.input_serializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        form = declared.build_form(request.user, data=_form_data(data.validated_data))
        if not form.is_valid():
            raise ValidationError(validation_detail(DjangoValidationError(form.errors.as_data())))
        try:
            result = perform(declared, record=record, user=request.user, data=form.cleaned_data)
        except DjangoValidationError as error:
            raise ValidationError(validation_detail(error)) from error
        except OutsideScope as error:
            raise PermissionDenied(str(error)) from error
        instance = result if isinstance(result, declared.model) else self.get_queryset().get(pk=record.pk)
        return Response(self.get_serializer(instance).data)

    endpoint.__name__ = declared.name
    endpoint.__doc__ = str(declared.help_text or declared.label)
    endpoint = drf_action(
        detail=True,
        methods=["post"],
        url_path=declared.name,
        url_name=declared.name,
        permission_action=declared.scope_actions[0],
    )(endpoint)
    return extend_schema(request=declared.input_serializer, summary=str(declared.label))(endpoint)
