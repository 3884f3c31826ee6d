from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from shuniu.areas.api.serializers import AreaBriefSerializer
from shuniu.areas.models import Area
from shuniu.core.api.serializers import (
    BaseModelSerializer,
    BriefSerializer,
    CleanModelSerializer,
    PersonalNumberField,
    UnmaskingSerializerMixin,
)
from shuniu.core.personal import IDENTITY_NUMBER, PHONE_NUMBER

from ..models import Field, Organization
from ..validators import uscc_normalize

#
# Fields of work
#


class FieldBriefSerializer(BriefSerializer):
    class Meta(BriefSerializer.Meta):
        model = Field
        fields = [*BriefSerializer.Meta.fields, "code", "name"]


class FieldSerializer(BaseModelSerializer):
    class Meta:
        model = Field
        fields = ["id", "url", "display", "code", "name", "sort"]


#
# Organizations
#


class OrganizationBriefSerializer(BriefSerializer):
    class Meta(BriefSerializer.Meta):
        model = Organization
        fields = [*BriefSerializer.Meta.fields, "name", "uscc", "kind"]


class OrganizationSerializer(UnmaskingSerializerMixin, CleanModelSerializer):
    """An organization; `uscc` is normalized (full-width, spaces, dashes, case) and checked against `kind`. The
    legal representative's numbers are masked unless unmasked by the view for a permitted user."""

    uscc = serializers.CharField(
        max_length=40,
        required=False,
        allow_null=True,
        allow_blank=True,
        label=_("统一社会信用代码"),
        help_text=_("18位；可含空格、短横线或全角字符，保存时规范化。社区备案组织和未登记组织可为空"),
    )
    kind_display = serializers.CharField(source="get_kind_display", read_only=True, label=_("类型"))
    status_display = serializers.CharField(source="get_status_display", read_only=True, label=_("状态"))
    registration_level_display = serializers.CharField(
        source="get_registration_level_display", read_only=True, label=_("登记层级")
    )
    district = AreaBriefSerializer(read_only=True)
    district_id = serializers.PrimaryKeyRelatedField(
        source="district", queryset=Area.objects.districts(), write_only=True, label=_("所属区")
    )
    street = AreaBriefSerializer(read_only=True, allow_null=True)
    street_id = serializers.PrimaryKeyRelatedField(
        source="street",
        queryset=Area.objects.streets(),
        write_only=True,
        required=False,
        allow_null=True,
        label=_("所属街道/乡镇"),
    )
    fields = FieldBriefSerializer(many=True, read_only=True)
    field_ids = serializers.PrimaryKeyRelatedField(
        source="fields", queryset=Field.objects.all(), many=True, write_only=True, required=False, label=_("领域")
    )

    legal_representative_id_number = PersonalNumberField(kind=IDENTITY_NUMBER, label=_("法定代表人身份证号"))
    legal_representative_phone = PersonalNumberField(kind=PHONE_NUMBER, label=_("法定代表人电话"))

    class Meta:
        model = Organization
        fields = [
            "id",
            "url",
            "display",
            "code",
            "name",
            "former_names",
            "uscc",
            "kind",
            "kind_display",
            "fields",
            "field_ids",
            "registration_level",
            "registration_level_display",
            "registration_authority",
            "supervisory_unit",
            "district",
            "district_id",
            "street",
            "street_id",
            "address",
            "legal_representative",
            "legal_representative_id_number",
            "legal_representative_phone",
            "founded_on",
            "registered_on",
            "status",
            "status_display",
            "active_until",
            "staff_count",
            "member_count",
            "party_member_count",
            "note",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["code"]

    def validate_uscc(self, value):
        # normalized before the model's max_length check, which `clean()` would only reach afterwards
        return uscc_normalize(value) or None
