from datetime import date
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from shuniu.areas.api.serializers import AreaBriefSerializer
from shuniu.hubs.api.serializers import HubBriefSerializer, SystemBriefSerializer
from shuniu.hubs.choices import HubLevel

from ..selectors import DIMENSIONS, TREND_START_YEAR

BY_LABELS = {
    "total": _("全市合计"),
    "district": _("按区"),
    "street": _("按街道/乡镇"),
    "kind": _("按组织类型"),
    "field": _("按领域"),
    "level": _("按枢纽层级"),
    "system": _("按条线"),
}


def organization_list_url(request, params: dict) -> str:
    """The API organization list filtered by `params`: the rows behind a figure."""
    return request.build_absolute_uri(f"{reverse('organizations-api:organization-list')}?{urlencode(params)}")


#
# Query parameters
#


class CoverageQuerySerializer(serializers.Serializer):
    as_of = serializers.DateField(required=False, label=_("日期"), help_text=_("默认今天"))
    by = serializers.ChoiceField(
        choices=[(key, BY_LABELS[key]) for key in ("total", *DIMENSIONS)], default="total", label=_("维度")
    )


class TrendQuerySerializer(serializers.Serializer):
    until = serializers.DateField(required=False, label=_("截至日期"), help_text=_("默认今天；不能晚于今天"))

    def validate_until(self, value: date) -> date:
        if value > timezone.localdate():
            raise serializers.ValidationError(_("截至日期不能晚于今天。"))
        return value


class GrowthQuerySerializer(serializers.Serializer):
    start = serializers.DateField(label=_("起始日期"))
    end = serializers.DateField(required=False, label=_("结束日期"), help_text=_("默认今天"))
    level = serializers.ChoiceField(
        choices=HubLevel.choices,
        required=False,
        label=_("枢纽层级"),
        help_text=_("只计该层级枢纽联系的组织；不填则计所有层级"),
    )

    def validate(self, attrs):
        end = attrs.setdefault("end", timezone.localdate())
        if attrs["start"] > end:
            raise serializers.ValidationError({"start": _("起始日期不能晚于结束日期。")})
        return attrs


class HubsQuerySerializer(serializers.Serializer):
    as_of = serializers.DateField(required=False, label=_("日期"), help_text=_("默认今天"))


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
        return organization_list_url(self.context["request"], {"covered_on": figure.day.isoformat(), **figure.filters})

    def get_uncovered_url(self, figure) -> str:
        return organization_list_url(
            self.context["request"], {"uncovered_on": figure.day.isoformat(), **figure.filters}
        )


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
    system = SystemBriefSerializer()
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
    hub = HubBriefSerializer()
    level_display = serializers.CharField()
    area = AreaBriefSerializer()
    system = SystemBriefSerializer()
    linked = serializers.IntegerField(help_text=_("当日与该枢纽有有效联系的社会组织数"))
    linked_url = serializers.CharField(help_text=_("这些组织的列表（API）"))


class HubsCoverageSerializer(serializers.Serializer):
    day = serializers.DateField()
    hubs = HubCoverageSerializer(many=True)
