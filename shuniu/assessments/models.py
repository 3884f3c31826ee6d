from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shuniu.core.access import Scope
from shuniu.core.dated import Dated, DatedRecord
from shuniu.core.models import BaseModel
from shuniu.organizations.models import Organization

from .choices import Grade, InspectionResult
from .querysets import AnnualInspectionQuerySet, GradeEvaluationQuerySet

#: a grade holds five years unless the evaluating body says otherwise (社会组织评估管理办法 第二十七条)
GRADE_YEARS = 5
#: who sees an organization's inspections and grades: whoever sees the organization
ORGANIZATION_SCOPE = Scope(
    area=("organization__district", "organization__street"),
    organization=("organization",),
    hub_reach=("organization",),
)


class AnnualInspection(BaseModel):
    """An organization's annual inspection (年检) for one year: its result, the day it was concluded, remarks.
    One record per organization and year; an organization that did not take part is recorded as 未参检, without a
    date."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("组织"), on_delete=models.PROTECT, related_name="annual_inspections"
    )
    year = models.PositiveSmallIntegerField(
        verbose_name=_("年度"), validators=[MinValueValidator(1988), MaxValueValidator(9999)]
    )
    result = models.CharField(verbose_name=_("年检结论"), max_length=20, choices=InspectionResult.choices)
    inspected_on = models.DateField(verbose_name=_("年检日期"), null=True, blank=True)
    remarks = models.CharField(verbose_name=_("备注"), max_length=200, blank=True)

    objects = AnnualInspectionQuerySet.as_manager()
    scope = ORGANIZATION_SCOPE

    class Meta:
        ordering = ("-year", "organization__name", "pk")
        verbose_name = _("年检记录")
        verbose_name_plural = _("年检记录")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year"],
                name="assessments_inspection_one_per_year",
                violation_error_message=_("该组织这一年度已有年检记录。"),
            ),
        ]

    def __str__(self):
        return _("%(organization)s %(year)s年度年检") % {"organization": self.organization, "year": self.year}

    def clean(self):
        super().clean()
        errors = {}
        today = timezone.localdate()
        if self.year and self.year > today.year:
            errors["year"] = _("年度不能晚于今年（%(year)s）。") % {"year": today.year}
        if self.result == InspectionResult.ABSENT and self.inspected_on:
            errors["inspected_on"] = _("未参检的记录没有年检日期。")
        elif self.result and self.result != InspectionResult.ABSENT and not self.inspected_on:
            errors["inspected_on"] = _("请填写年检日期。")
        if self.inspected_on:
            if self.inspected_on > today:
                errors["inspected_on"] = _("年检日期不能晚于今天（%(today)s）。") % {"today": today.isoformat()}
            elif self.year and 1 <= self.year <= 9999 and self.inspected_on < date(self.year, 1, 1):
                errors["inspected_on"] = _("年检日期不能早于所检年度。")
        if errors:
            raise ValidationError(errors)


def grade_valid_until(awarded_on: date) -> date:
    """The last day a grade awarded on `awarded_on` holds by default: five years, the day before the anniversary."""
    try:
        anniversary = awarded_on.replace(year=awarded_on.year + GRADE_YEARS)
    except ValueError:  # 29 February
        anniversary = date(awarded_on.year + GRADE_YEARS, 3, 1)
    return date.fromordinal(anniversary.toordinal() - 1)


class GradeEvaluation(DatedRecord, BaseModel):
    """An organization's evaluation grade (等级评估, 1A–5A), awarded on a day by an evaluating body and valid until
    the last day of its term (five years by default). A newer grade supersedes an older one from its award: the
    grade on a day is that of the latest evaluation valid on that day."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("组织"), on_delete=models.PROTECT, related_name="grade_evaluations"
    )
    grade = models.CharField(verbose_name=_("评估等级"), max_length=2, choices=Grade.choices)
    awarded_on = models.DateField(verbose_name=_("评定日期"))
    valid_until = models.DateField(
        verbose_name=_("有效期至"), blank=True, help_text=_("最后有效的一天；不填则为评定日期起五年")
    )
    body = models.CharField(verbose_name=_("评估机构"), max_length=100)
    remarks = models.CharField(verbose_name=_("备注"), max_length=200, blank=True)

    dated = Dated(start="awarded_on", end="valid_until", affects=("organization", "grade"))
    objects = GradeEvaluationQuerySet.as_manager()
    scope = ORGANIZATION_SCOPE

    class Meta:
        ordering = ("-awarded_on", "pk")
        verbose_name = _("等级评估")
        verbose_name_plural = _("等级评估")
        indexes = [models.Index(fields=["organization", "awarded_on"], name="assessments_grade_org_awarded")]

    def __str__(self):
        return _("%(organization)s %(grade)s") % {"organization": self.organization, "grade": self.get_grade_display()}

    def clean(self):
        if self.awarded_on and not self.valid_until:
            self.valid_until = grade_valid_until(self.awarded_on)
        super().clean()
        today = timezone.localdate()
        if self.awarded_on and self.awarded_on > today:
            message = _("评定日期不能晚于今天（%(today)s）。") % {"today": today.isoformat()}
            raise ValidationError({"awarded_on": message})

    def save(self, *args, **kwargs):
        if self.awarded_on and not self.valid_until:
            self.valid_until = grade_valid_until(self.awarded_on)
        super().save(*args, **kwargs)
