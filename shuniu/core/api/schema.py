"""OpenAPI: every operation documents every status it can answer, with the error shapes the API really sends.

- 400 `ValidationError`: `{"<field>": ["消息", …], "non_field_errors": […]}` (or `{"detail": "…"}` for a body that
  cannot be parsed) — on writes, on reads that take filters or query parameters, and on every paged list (its
  `page_size`, `core.api.pagination`);
- 401 / 403 `Error`: not signed in / no permission — on everything that needs a signed-in user;
- 404 `Error`: unknown or out-of-scope id, or a page past the end of a list;
- 409 `Error`: a delete refused because other records still refer to the row;
- 415 `Error`: a write whose body is not in a media type the API parses (JSON, a form, multipart);
- 429 `Error`: the credentials sent are locked out after too many failures — on every operation whose view reads
  credentials with an authentication class that says it can answer so (`answers_locked_out = True`: the accounts
  app's HTTP Basic and API tokens). Authentication runs before any permission check, so this holds for every
  operation, whatever else it needs.
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
    "415": OpenApiResponse(ErrorSerializer, description=_("请求体的媒体类型不受支持：请用 application/json")),
    "429": OpenApiResponse(
        ErrorSerializer,
        description=_(
            "认证失败次数过多，所用的用户名（HTTP Basic，按用户名和地址）或 API 令牌已被暂时锁定；"
            "锁定期间正确的密码或令牌也被拒绝。请稍后再试，或请安全管理员解锁"
        ),
    ),
}


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's AutoSchema plus the error statuses each operation can answer."""

    def error_statuses(self) -> list[str]:
        statuses = []
        takes_input = self.method in ("POST", "PUT", "PATCH")
        takes_query = self.method == "GET" and bool(self._get_filter_parameters() or self.get_override_parameters())
        paginated = self.method == "GET" and self._is_list_view() and self._get_paginator() is not None
        if takes_input or takes_query or paginated:
            statuses.append("400")
        if not all(issubclass(p, permissions.AllowAny) for p in self.view.permission_classes):
            statuses += ["401", "403"]
        is_detail = "{" in self.path
        if is_detail or paginated:
            statuses.append("404")
        if self.method == "DELETE":
            statuses.append("409")
        if takes_input:
            statuses.append("415")
        if any(getattr(auth, "answers_locked_out", False) for auth in self.view.authentication_classes):
            statuses.append("429")
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
