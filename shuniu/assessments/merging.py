"""Merging two organizations moves the merged one's annual inspections and grade evaluations to the kept one (a step
of `shuniu.organizations.merging`, declared in `module.py`; the merge repoints the rows). An organization has one
inspection per year: a year both have refuses the merge until one of the two records is corrected or deleted."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from shuniu.organizations.merging import MergeStep

from .models import AnnualInspection, GradeEvaluation


class InspectionsAndGrades(MergeStep):
    template = "assessments/includes/merge_step.html"

    def __init__(self, keep, merge, *, lock: bool = False):
        super().__init__(keep, merge)
        inspections = AnnualInspection.objects.filter(organization__in=[keep.pk, merge.pk])
        if lock:
            inspections = inspections.select_for_update()
        inspections = list(inspections.order_by("year", "pk"))
        self.inspections = [i for i in inspections if i.organization_id == merge.pk]
        kept_years = {i.year for i in inspections if i.organization_id == keep.pk}
        both = [str(i.year) for i in self.inspections if i.year in kept_years]
        if both:
            raise ValidationError(
                _(
                    "「%(keep)s」和「%(merge)s」都有 %(years)s 年度的年检记录，一个组织每年只有一条年检记录。"
                    "请先更正或删除其中一条，再合并。"
                )
                % {"keep": keep, "merge": merge, "years": "、".join(both)}
            )
        self.grades = list(GradeEvaluation.objects.filter(organization=merge.pk).order_by("awarded_on", "pk"))

    @property
    def inspection_years(self) -> str:
        return "、".join(str(inspection.year) for inspection in self.inspections)
