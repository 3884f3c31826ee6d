import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from shuniu.core.tables import BaseTable

from .models import AnnualInspection, GradeEvaluation


class AnnualInspectionTable(BaseTable):
    organization = tables.Column(
        linkify=lambda record: record.get_absolute_url(), verbose_name=_("组织"), order_by=("organization__name",)
    )
    year = tables.Column(verbose_name=_("年度"))
    result = tables.Column(verbose_name=_("年检结论"))
    inspected_on = tables.DateColumn(verbose_name=_("年检日期"), format="Y-m-d", default="—")
    remarks = tables.Column(verbose_name=_("备注"), default="—")

    class Meta(BaseTable.Meta):
        model = AnnualInspection
        fields = ("organization", "year", "result", "inspected_on", "remarks")


class GradeEvaluationTable(BaseTable):
    organization = tables.Column(
        linkify=lambda record: record.get_absolute_url(), verbose_name=_("组织"), order_by=("organization__name",)
    )
    grade = tables.Column(verbose_name=_("评估等级"))
    awarded_on = tables.DateColumn(verbose_name=_("评定日期"), format="Y-m-d")
    valid_until = tables.DateColumn(verbose_name=_("有效期至"), format="Y-m-d")
    body = tables.Column(verbose_name=_("评估机构"))

    class Meta(BaseTable.Meta):
        model = GradeEvaluation
        fields = ("organization", "grade", "awarded_on", "valid_until", "body")
