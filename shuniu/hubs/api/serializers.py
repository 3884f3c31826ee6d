from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from shuniu.areas.api.serializers import AreaBriefSerializer
from shuniu.areas.models import Area
from shuniu.core.api.serializers import BaseModelSerializer, BriefSerializer, CleanModelSerializer
from shuniu.organizations.api.serializers import FieldBriefSerializer, OrganizationBriefSerializer
from shuniu.organizations.models import Field, Organization

from .. import services
from ..models import Hub, Link, System

#
# Systems
#


class SystemBriefSerializer(BriefSerializer):
    class Meta(BriefSerializer.Meta):
        model = System
        fields = [*BriefSerializer.Meta.fields, "code", "name"]


class SystemSerializer(CleanModelSerializer):
    class Meta:
        model = System
        fields = ["id", "url", "display", "code", "name", "sort", "created_at", "updated_at"]


#
# Hubs
#


class HubBriefSerializer(BriefSerializer):
    class Meta(BriefSerializer.Meta):
        model = Hub
        fields = [*BriefSerializer.Meta.fields, "level"]


class HubSerializer(CleanModelSerializer):
    """The recognition of an organization as a hub; the jurisdiction's level must match the hub's level."""

    organization = OrganizationBriefSerializer(read_only=True)
    organization_id = serializers.PrimaryKeyRelatedField(
        source="organization", queryset=Organization.objects.all(), write_only=True, label=_("组织")
    )
    level_display = serializers.CharField(source="get_level_display", read_only=True, label=_("层级"))
    area = AreaBriefSerializer(read_only=True)
    area_id = serializers.PrimaryKeyRelatedField(
        source="area", queryset=Area.objects.all(), write_only=True, label=_("管辖区域")
    )
    system = SystemBriefSerializer(read_only=True)
    system_id = serializers.PrimaryKeyRelatedField(
        source="system", queryset=System.objects.all(), write_only=True, label=_("条线")
    )
    fields = FieldBriefSerializer(many=True, read_only=True)
    field_ids = serializers.PrimaryKeyRelatedField(
        source="fields",
        queryset=Field.objects.all(),
        many=True,
        write_only=True,
        required=False,
        label=_("覆盖领域"),
    )
    parent = HubBriefSerializer(read_only=True, allow_null=True)
    parent_id = serializers.PrimaryKeyRelatedField(
        source="parent",
        queryset=Hub.objects.all(),
        write_only=True,
        required=False,
        allow_null=True,
        label=_("上级枢纽"),
    )

    class Meta:
        model = Hub
        fields = [
            "id",
            "url",
            "display",
            "organization",
            "organization_id",
            "level",
            "level_display",
            "area",
            "area_id",
            "system",
            "system_id",
            "fields",
            "field_ids",
            "batch",
            "recognized_on",
            "recognized_until",
            "parent",
            "parent_id",
            "created_at",
            "updated_at",
        ]


#
# Links
#


class LinkSerializer(BaseModelSerializer):
    """A dated link; created and changed only through `link_create` / `link_update`, which keep every rule
    (no overlap for the same hub and role, one managing hub a day, hub recognised on the start date, …)."""

    hub = HubBriefSerializer(read_only=True)
    hub_id = serializers.PrimaryKeyRelatedField(
        source="hub", queryset=Hub.objects.select_related("organization"), write_only=True, label=_("枢纽")
    )
    organization = OrganizationBriefSerializer(read_only=True)
    organization_id = serializers.PrimaryKeyRelatedField(
        source="organization", queryset=Organization.objects.all(), write_only=True, label=_("组织")
    )
    role_display = serializers.CharField(source="get_role_display", read_only=True, label=_("关系"))

    class Meta:
        model = Link
        unrestricted_choices = ("organization_id",)
        fields = [
            "id",
            "url",
            "display",
            "hub",
            "hub_id",
            "organization",
            "organization_id",
            "role",
            "role_display",
            "start_date",
            "end_date",
            "basis",
            "note",
            "created_at",
            "updated_at",
        ]

    def create(self, validated_data):
        try:
            return services.link_create(**validated_data)
        except DjangoValidationError as error:
            raise self.api_validation_error(error) from error

    def update(self, instance, validated_data):
        for name, value in validated_data.items():
            setattr(instance, name, value)
        try:
            return services.link_update(link=instance)
        except DjangoValidationError as error:
            raise self.api_validation_error(error) from error
