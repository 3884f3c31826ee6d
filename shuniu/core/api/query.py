"""Query parameters of the API views that are not lists (the coverage figures): read strictly, as the schema states.

DRF reads a query string as an HTML form, where an empty field means "not sent" and a repeated one its last value.
For an endpoint's own parameters that would be a silent fallback: `?by=` would answer the city total, and
`?by=total&by=district` the districts. Here, as for a day one asks about (`core.dates`), only a parameter left out
takes its default; a value sent empty or twice answers 400 with the reason under the parameter's name. (A list's
filters are another surface: a filter form sends every field, so there an empty filter filters nothing.)
"""

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

MESSAGES = {
    "repeated": _("参数 %(name)s 只能给一个值，收到 %(count)d 个（%(values)s）。"),
    "blank": _("参数 %(name)s 不能为空。可选值：%(choices)s%(default)s。"),
    "invalid_choice": _("参数 %(name)s 的值「%(input)s」无效。可选值：%(choices)s%(default)s。"),
    "default": _("；不传则为 %(default)s"),
}


def _listed(values) -> str:
    return "、".join(f"「{value}」" for value in values)


class QueryChoiceField(serializers.ChoiceField):
    """One of a list of choices; empty or unknown, the message names the parameter and lists the choices (DRF's
    own says only that "" is not a valid choice)."""

    def to_internal_value(self, data):
        if data == "" and not self.allow_blank:
            self.fail_with("blank")
        if str(data) not in self.choice_strings_to_values:
            self.fail_with("invalid_choice", input=str(data)[:40])
        return self.choice_strings_to_values[str(data)]

    def fail_with(self, key: str, **params):
        default = "" if self.default is serializers.empty else MESSAGES["default"] % {"default": self.default}
        choices = "、".join(f"{value}（{label}）" for value, label in self.choices.items())
        message = MESSAGES[key] % {"name": self.field_name, "choices": choices, "default": default, **params}
        raise serializers.ValidationError(message, code=key)


class QuerySerializer(serializers.Serializer):
    """The query parameters of one API endpoint (`?as_of=…&by=…`), validated from `request.query_params`.

    A parameter absent takes its field's default; sent, its value is validated as it is, the empty text included;
    sent twice (`?by=total&by=district`) it is refused, unless its field takes a list."""

    def to_internal_value(self, data):
        if isinstance(data, QueryDict):
            repeated = {}
            for name, field in self.fields.items():
                values = data.getlist(name)
                if len(values) > 1 and not isinstance(field, serializers.ListField | serializers.MultipleChoiceField):
                    params = {"name": name, "count": len(values), "values": _listed(values)}
                    repeated[name] = [MESSAGES["repeated"] % params]
            if repeated:
                raise serializers.ValidationError(repeated, code="repeated")
            data = data.dict()  # a plain mapping: DRF no longer reads an empty value as "not sent"
        return super().to_internal_value(data)
