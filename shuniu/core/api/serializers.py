"""Base serializers: one shape for every model.

- `id`, `url` (the API detail, `<app>-api:<model>-detail`) and `display` (the record's name) on every row;
- related records are read as nested brief objects (`<Model>BriefSerializer`) and written by id (`<field>_id`);
- a nested related record the caller may not see reads `{"id": null, "url": null, "display": "（权限范围外）"}` (a
  list checks the related records of all its rows at once: `ScopedListSerializer`);
- the choices of related-id fields are restricted to what the caller may view, like the forms' dropdowns (except
  the fields a serializer names in `Meta.unrestricted_choices`: a link's organization, which hub staff pick by number
  before it is theirs to see; the write's scope re-check still decides);
- `CleanModelSerializer` runs the model's `full_clean()` on the would-be row, so the API refuses exactly what
  the forms refuse, with the model's own messages keyed by the API's field names.
"""

import copy

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.relations import ManyRelatedField, RelatedField

from shuniu.core.access import OUT_OF_SCOPE, visible_ids

from .exceptions import validation_detail


class ScopedListSerializer(serializers.ListSerializer):
    """A list whose rows nest related records: which of those the caller may see is asked once per related model for
    the whole page (the answers are kept for the request), not once per row."""

    def to_representation(self, data):
        rows = list(data.all() if hasattr(data, "all") else data)
        request = self.context.get("request")
        if request is not None:
            for field in self.child.fields.values():
                if isinstance(field, BriefSerializer) and len(field.source_attrs) == 1:
                    attname = f"{field.source_attrs[0]}_id"
                    visible_ids(request.user, field.Meta.model, {getattr(row, attname, None) for row in rows})
        return super().to_representation(rows)


class BaseModelSerializer(serializers.ModelSerializer):
    display = serializers.CharField(source="__str__", read_only=True, label=_("名称"))

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        meta = cls.__dict__.get("Meta")
        if meta is not None and "list_serializer_class" not in vars(meta):
            meta.list_serializer_class = ScopedListSerializer

    def build_url_field(self, field_name, model_class):
        opts = model_class._meta
        return serializers.HyperlinkedIdentityField, {"view_name": f"{opts.app_label}-api:{opts.model_name}-detail"}

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            unrestricted = getattr(self.Meta, "unrestricted_choices", ())
            for name, field in fields.items():
                if name in unrestricted:
                    continue
                relation = field.child_relation if isinstance(field, ManyRelatedField) else field
                queryset = getattr(relation, "queryset", None) if isinstance(relation, RelatedField) else None
                if queryset is not None and hasattr(queryset, "restrict"):
                    relation.queryset = queryset.restrict(request.user, "view")
        return fields

    def model_field_names(self) -> dict:
        """Model field name → API field name, for the writable fields whose source differs (`hub` → `hub_id`)."""
        return {
            field.source: name
            for name, field in self.fields.items()
            if not field.read_only and field.source != name and field.source != "*"
        }

    def api_validation_error(self, error: DjangoValidationError) -> serializers.ValidationError:
        return serializers.ValidationError(validation_detail(error, self.model_field_names()))


class BriefSerializer(BaseModelSerializer):
    """The nested representation of a related record; a record the caller may not see is neither named nor
    addressed. A record named several times in one answer (the system of 900 hubs, a hub of many links) is
    represented once and repeated: the nested serializer cost a third of the coverage-per-hub answer."""

    class Meta:
        fields = ["id", "url", "display"]

    def to_representation(self, instance):
        memo = self.root.__dict__.setdefault("_brief_representations", {})
        key = (type(self), type(instance), instance.pk)
        if key not in memo:
            memo[key] = self._represent(instance)
        return memo[key]

    def _represent(self, instance):
        request = self.context.get("request")
        if request is not None and instance.pk not in visible_ids(request.user, type(instance), [instance.pk]):
            return {"id": None, "url": None, "display": str(OUT_OF_SCOPE)}
        return super().to_representation(instance)


class CleanModelSerializer(BaseModelSerializer):
    """Validates the would-be row with the model's `full_clean()` (field rules, `clean()`, uniqueness,
    constraints) and keeps the values `clean()` normalized (e.g. a USCC in upper case)."""

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        instance = copy.copy(self.instance) if self.instance is not None else model()
        concrete = {field.name for field in model._meta.concrete_fields}
        for name, value in attrs.items():
            if name in concrete:
                setattr(instance, name, value)
        try:
            instance.full_clean()
        except DjangoValidationError as error:
            raise self.api_validation_error(error) from error
        return {name: getattr(instance, name) if name in concrete else value for name, value in attrs.items()}


#
# Personal numbers (`Model.PERSONAL_FIELDS`): masked unless the view unmasks the record
#


class PersonalNumberField(serializers.CharField):
    """An encrypted personal number (`core.personal`: an identity or phone number). Output: masked
    (110105********002X) unless the view unmasks the record (`unmasked` in the context: `UnmaskingViewSetMixin`).
    Input: the full number, checked and normalised; the masked value sent back as read leaves the stored number
    unchanged; "" clears it."""

    def __init__(self, *, kind, **kwargs):
        self.kind = kind
        super().__init__(required=False, allow_blank=True, max_length=40, **kwargs)

    def to_representation(self, value):
        return str(value) if value else ""

    def to_internal_value(self, data):
        value = super().to_internal_value(data).strip()
        if "*" in value:
            stored = getattr(self.parent.instance, self.source, "") if self.parent.instance is not None else ""
            if stored and value == stored.masked:
                raise serializers.SkipField()
            raise serializers.ValidationError(_("请填写完整号码；脱敏显示的号码只能原样提交，表示不修改。"))
        if not value:
            return ""
        try:
            return self.kind.normalize(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from None


class UnmaskingSerializerMixin:
    """A record the view unmasked (its id in the context's `unmasked`) shows its full personal numbers, each read
    audited; every other record shows them masked."""

    def to_representation(self, instance):
        from shuniu.core.unmasking import unmask

        data = super().to_representation(instance)
        if instance.pk in self.context.get("unmasked", ()):
            data.update(unmask(instance=instance, fields=type(instance).PERSONAL_FIELDS, where=_("API")))
        return data
