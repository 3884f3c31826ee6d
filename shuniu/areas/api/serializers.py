from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from shuniu.core.api.serializers import BaseModelSerializer, BriefSerializer

from ..models import Area


class AreaBriefSerializer(BriefSerializer):
    class Meta(BriefSerializer.Meta):
        model = Area
        fields = [*BriefSerializer.Meta.fields, "code", "name", "level"]


class AreaSerializer(BaseModelSerializer):
    parent = AreaBriefSerializer(read_only=True, allow_null=True)
    level_display = serializers.CharField(source="get_level_display", read_only=True, label=_("层级"))
    kind_display = serializers.CharField(source="get_kind_display", read_only=True, label=_("类型"))

    class Meta:
        model = Area
        fields = [
            "id",
            "url",
            "display",
            "code",
            "name",
            "level",
            "level_display",
            "kind",
            "kind_display",
            "parent",
            "path",
            "created_at",
            "updated_at",
        ]
