"""OpenAPI: every operation documents every status it can answer, with the error shapes the API really sends.

- 400 `ValidationError`: `{"<field>": ["消息", …], "non_field_errors": […]}` (or `{"detail": "…"}` for a body that
  cannot be parsed) — on writes, and on reads that take filters or query parameters;
- 401 / 403 `Error`: not signed in / no permission — on everything that needs a signed-in user;
- 404 `Error`: unknown or out-of-scope id, or a page past the end of a list;
- 409 `Error`: a delete refused because other records still refer to the row.
"""

from django.utils.translation import gettext_lazy as _
from django_filters import filters
from drf_spectacular import openapi
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import OpenApiResponse
from rest_framework import permissions, serializers

FIELD_MESSAGES = {"type": "array", "items": {"type": "string"}}


class ValidationErrorSerializer(serializers.Serializer):
    """Marker for the 400 body; its schema is written by `ValidationErrorExtension`."""


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text=_("错误说明"))


class ValidationErrorExtension(OpenApiSerializerExtension):
    target_class = ValidationErrorSerializer

    def get_name(self, auto_schema, direction):
        return "ValidationError"

    def map_serializer(self, auto_schema, direction):
        return {
            "type": "object",
            "description": str(_("键为字段名，值为该字段的错误信息；与具体字段无关的错误在 non_field_errors 下。")),
            "properties": {
                "non_field_errors": FIELD_MESSAGES,
                "detail": {"type": "string", "description": str(_("请求体无法解析时的说明"))},
            },
            "additionalProperties": FIELD_MESSAGES,
        }


ERROR_RESPONSES = {
    "400": OpenApiResponse(ValidationErrorSerializer, description=_("输入有误：逐字段说明原因")),
    "401": OpenApiResponse(ErrorSerializer, description=_("未登录或认证失败")),
    "403": OpenApiResponse(ErrorSerializer, description=_("没有权限")),
    "404": OpenApiResponse(ErrorSerializer, description=_("记录不存在、不在权限范围内，或页码超出范围")),
    "409": OpenApiResponse(ErrorSerializer, description=_("仍被其他记录引用，不能删除")),
}


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's AutoSchema plus the error statuses each operation can answer."""

    def error_statuses(self) -> list[str]:
        statuses = []
        takes_input = self.method in ("POST", "PUT", "PATCH")
        takes_query = self.method == "GET" and bool(self._get_filter_parameters() or self.get_override_parameters())
        if takes_input or takes_query:
            statuses.append("400")
        if not all(issubclass(p, permissions.AllowAny) for p in self.view.permission_classes):
            statuses += ["401", "403"]
        is_detail = "{" in self.path
        paginated = self._is_list_view() and self._get_paginator() is not None
        if is_detail or (self.method == "GET" and paginated):
            statuses.append("404")
        if self.method == "DELETE":
            statuses.append("409")
        return statuses

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for status in self.error_statuses():
            if status not in responses:
                responses[status] = self._get_response_for_code(ERROR_RESPONSES[status], status, direction=direction)
        return responses


class FilterExtension(DjangoFilterExtension):
    """django-filter parameters, plus: a ModelChoiceFilter with a `method` (no model field of its own, such as
    `covered_by_system`) takes the id of its queryset's model."""

    priority = 1

    def _get_schema_from_model_field(self, auto_schema, filter_field, model):
        queryset = getattr(filter_field, "queryset", None)
        if filter_field.method and isinstance(filter_field, filters.ModelChoiceFilter) and queryset is not None:
            return auto_schema._map_model_field(queryset.model._meta.pk, direction=None)
        return super()._get_schema_from_model_field(auto_schema, filter_field, model)
