from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from shuniu.areas.models import Area
from shuniu.core.api.query import QueryChoiceField, QuerySerializer
from shuniu.core.api.serializers import BriefSerializer
from shuniu.core.dates import AsOfSerializerField
from shuniu.hubs.choices import HubLevel
from shuniu.hubs.models import Hub, System

from .. import registry
from ..selectors import TREND_START_YEAR


def _by_labels() -> dict:
    return {"total": _("全市合计"), **{dimension.key: dimension.label for dimension in registry.indicator().dimensions}}


def organization_list_url(request, params: dict, name: str | None = None) -> str:
    """The API list filtered by `params` (default: coverage's, the organizations): the rows behind a figure."""
    name = name or registry.indicator().drill.api_list
    return request.build_absolute_uri(f"{reverse(name)}?{urlencode(params)}")


#
# Related records, named as every API names them (`core.api.serializers.BriefSerializer`; own names in the schema)
#


class FigureAreaSerializer(BriefSerializer):
    class Meta(BriefSerializer.Meta):
        model = Area
        fields = [*BriefSerializer.Meta.fields, "code", "name", "level"]


class FigureSystemSerializer(BriefSerializer):
    class Meta(BriefSerializer.Meta):
        model = System
        fields = [*BriefSerializer.Meta.fields, "code", "name"]


class FigureHubSerializer(BriefSerializer):
    class Meta(BriefSerializer.Meta):
        model = Hub
        fields = [*BriefSerializer.Meta.fields, "level"]


#
# Query parameters
#


class CoverageQuerySerializer(QuerySerializer):
    as_of = AsOfSerializerField(required=False, label=_("日期"), help_text=_("默认今天；不能晚于今天；不能为空"))
    by = QueryChoiceField(
        choices=[(key, label) for key, label in _by_labels().items()],
        default="total",
        label=_("维度"),
        help_text=_("默认 total（全市合计）；不能为空"),
    )


class TrendQuerySerializer(QuerySerializer):
    until = AsOfSerializerField(required=False, label=_("截至日期"), help_text=_("默认今天；不能晚于今天；不能为空"))


class GrowthQuerySerializer(QuerySerializer):
    start = AsOfSerializerField(label=_("起始日期"), help_text=_("不能晚于今天"))
    end = AsOfSerializerField(required=False, label=_("结束日期"), help_text=_("默认今天；不能晚于今天；不能为空"))
    level = QueryChoiceField(
        choices=HubLevel.choices,
        required=False,
        label=_("枢纽层级"),
        help_text=_("只计该层级枢纽联系的组织；不传则计所有层级；不能为空"),
    )

    def validate(self, attrs):
        end = attrs.setdefault("end", timezone.localdate())
        if attrs["start"] > end:
            raise serializers.ValidationError({"start": _("起始日期不能晚于结束日期。")})
        return attrs


class HubsQuerySerializer(QuerySerializer):
    as_of = AsOfSerializerField(required=False, label=_("日期"), help_text=_("默认今天；不能晚于今天；不能为空"))


#
# Figures
#


class FigureSerializer(serializers.Serializer):
    """A coverage figure: numerator, denominator and date, and the organization lists behind them."""

    key = serializers.CharField(help_text=_("分组代码，如区划代码、类型、条线代码"))
    label = serializers.CharField()
    day = serializers.DateField()
    numerator = serializers.IntegerField(help_text=_("已覆盖的社会组织数"))
    denominator = serializers.IntegerField(help_text=_("存续的社会组织数"))
    gap = serializers.IntegerField(help_text=_("未覆盖数 = 分母 − 分子"))
    rate = serializers.DecimalField(
        max_digits=None,
        decimal_places=2,
        coerce_to_string=False,
        allow_null=True,
        help_text=_("覆盖率（%），分母为0时为空"),
    )
    covered_url = serializers.SerializerMethodField(help_text=_("分子背后的组织列表（API）"))
    uncovered_url = serializers.SerializerMethodField(help_text=_("缺口背后的组织列表（API）"))

    def get_covered_url(self, figure) -> str:
        return organization_list_url(self.context["request"], figure.covered_params(), figure.lists.api_list)

    def get_uncovered_url(self, figure) -> str:
        return organization_list_url(self.context["request"], figure.uncovered_params(), figure.lists.api_list)


class CoverageSerializer(serializers.Serializer):
    day = serializers.DateField()
    by = serializers.CharField()
    figures = FigureSerializer(many=True)


class TrendSerializer(serializers.Serializer):
    until = serializers.DateField()
    start_year = serializers.IntegerField(default=TREND_START_YEAR)
    figures = FigureSerializer(many=True, help_text=_("每年12月31日，最后一项为截至日期当天"))


#
# Growth
#


class GrowthSerializer(serializers.Serializer):
    start = serializers.IntegerField(help_text=_("起始日期的已联系组织数"))
    end = serializers.IntegerField(help_text=_("结束日期的已联系组织数"))
    increase = serializers.IntegerField()
    multiple = serializers.DecimalField(
        max_digits=None, decimal_places=1, coerce_to_string=False, allow_null=True, help_text=_("结束数 ÷ 起始数")
    )
    increase_multiple = serializers.DecimalField(
        max_digits=None, decimal_places=1, coerce_to_string=False, allow_null=True, help_text=_("增加数 ÷ 起始数")
    )
    start_url = serializers.CharField(help_text=_("起始日期背后的组织列表（API）"))
    end_url = serializers.CharField(help_text=_("结束日期背后的组织列表（API）"))


class SystemGrowthSerializer(serializers.Serializer):
    system = FigureSystemSerializer()
    growth = GrowthSerializer()
    share_of_total = serializers.DecimalField(
        max_digits=None,
        decimal_places=2,
        coerce_to_string=False,
        allow_null=True,
        help_text=_("占结束日期总数的百分比"),
    )
    share_of_increase = serializers.DecimalField(
        max_digits=None, decimal_places=2, coerce_to_string=False, allow_null=True, help_text=_("占增加数的百分比")
    )


class CoverageGrowthSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    level = serializers.ChoiceField(choices=HubLevel.choices, allow_null=True)
    total = GrowthSerializer()
    systems = SystemGrowthSerializer(many=True)


#
# Hubs
#


class HubCoverageSerializer(serializers.Serializer):
    hub = FigureHubSerializer()
    level_display = serializers.CharField()
    area = FigureAreaSerializer()
    system = FigureSystemSerializer()
    linked = serializers.IntegerField(help_text=_("当日与该枢纽有有效联系的社会组织数"))
    linked_url = serializers.CharField(help_text=_("这些组织的列表（API）"))


class HubsCoverageSerializer(serializers.Serializer):
    day = serializers.DateField()
    hubs = HubCoverageSerializer(many=True)
