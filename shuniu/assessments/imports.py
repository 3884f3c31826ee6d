"""Imports of annual inspections and grade evaluations (`module.py`: `Module.imports`), made of the platform's parts:
columns from the model fields, each row checked by the model's own `full_clean()` (what the form and the API run),
the organization found by USCC or name (`OrganizationRecordDefinition`), the base class's `write` and `apply`.

An inspection is matched on (organization, year), a grade on (organization, awarded on): a row for a stored one
updates it."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuniu.core.importing.base import Column, Row, RowOutcome
from shuniu.core.importing.normalize import ChoiceResolver, parse_date, parse_int
from shuniu.organizations.imports import CHUNK, OrganizationRecordDefinition

from .choices import Grade, InspectionResult
from .models import AnnualInspection, GradeEvaluation, grade_valid_until

RESULT_SYNONYMS = {"通过": "qualified", "基本通过": "basically_qualified", "不通过": "unqualified", "未参加": "absent",
                   "未年检": "absent", "未参加年检": "absent"}  # fmt: skip
GRADE_SYNONYMS = (
    {f"{n}A": f"{n}A" for n in range(1, 6)}
    | {f"{n}A级": f"{n}A" for n in range(1, 6)}
    | {word: f"{n}A" for n, word in enumerate(("一级", "二级", "三级", "四级", "五级"), start=1)}
)
ORGANIZATION_FIELDS = ("organization", "organization_uscc", "organization_district")


class OrganizationRecordImport(OrganizationRecordDefinition):
    """The two kinds' common steps: check a row with the model's rules, match it on `key_fields`, settle it."""

    key_fields: tuple[str, ...] = ()

    def validate_row(self, row: Row) -> None:
        values = {name: value for name, value in row.data.items() if name not in ORGANIZATION_FIELDS}
        self.clean_row(row, values, exclude=("organization",))

    def plan(self, rows: list[Row]) -> None:
        self.resolve_organizations(rows)
        valid = [row for row in rows if not row.rejected]
        for row in valid:
            row.key = (row.data["organization"], *(row.data.get(name) for name in self.key_fields))
        self.reject_duplicates_in_file(rows, _("与第%(row)d行是同一条记录，本行未导入。"))
        existing = self.existing({row.data["organization"] for row in valid if not row.rejected})
        for row in valid:
            if row.rejected:
                continue
            current = existing.get(row.key)
            row.pk = current.pop("pk") if current else None
            self.settle(row, current)
        self.refuse_unpermitted(rows)

    def settle(self, row: Row, existing: dict | None) -> None:
        super().settle(row, existing)
        if row.outcome == RowOutcome.UPDATED:  # the matched key is not a change
            for name in ("organization", *self.key_fields):
                row.changes.pop(name, None)
                row.before.pop(name, None)

    def existing(self, organization_ids: set[int]) -> dict[tuple, dict]:
        fields = [column.field for column in self.columns if column.field not in ORGANIZATION_FIELDS]
        found, ids = {}, list(organization_ids)
        for start in range(0, len(ids), CHUNK):
            records = self.model.objects.filter(organization_id__in=ids[start : start + CHUNK])
            for values in records.values("pk", "organization_id", *fields):
                values["organization"] = values.pop("organization_id")
                found[(values["organization"], *(values[name] for name in self.key_fields))] = values
        return found


def _columns(model, *names_and_aliases) -> list[Column]:
    return [Column.of(model, name, aliases=aliases) for name, aliases in names_and_aliases]


class AnnualInspectionDefinition(OrganizationRecordImport):
    kind = "annual-inspections"
    label = gettext_lazy("年检记录")
    model = AnnualInspection
    key_fields = ("year",)
    summary_fields = ("organization", "year")
    columns = [
        *OrganizationRecordDefinition.organization_columns(),
        *_columns(
            AnnualInspection,
            ("year", ("年检年度", "年份")),
            ("result", ("年检结果", "结论")),
            ("inspected_on", ("年检时间",)),
            ("remarks", ("说明",)),
        ),
    ]

    def load(self) -> None:
        super().load()
        self.parsers.update(
            year=parse_int, result=ChoiceResolver(InspectionResult, RESULT_SYNONYMS).resolve, inspected_on=parse_date
        )


class GradeEvaluationDefinition(OrganizationRecordImport):
    kind = "grade-evaluations"
    label = gettext_lazy("等级评估")
    model = GradeEvaluation
    key_fields = ("awarded_on",)
    summary_fields = ("organization", "grade")
    columns = [
        *OrganizationRecordDefinition.organization_columns(),
        *_columns(
            GradeEvaluation,
            ("grade", ("等级", "评估结果")),
            ("awarded_on", ("评估日期", "评定时间")),
            ("valid_until", ("有效期", "有效期截止")),
            ("body", ("评估单位", "评估机关")),
            ("remarks", ("说明",)),
        ),
    ]

    def load(self) -> None:
        super().load()
        self.parsers.update(
            grade=ChoiceResolver(Grade, GRADE_SYNONYMS).resolve, awarded_on=parse_date, valid_until=parse_date
        )

    def validate_row(self, row: Row) -> None:
        if row.data.get("awarded_on") and not row.data.get("valid_until"):
            row.data["valid_until"] = grade_valid_until(row.data["awarded_on"])  # as the form and the API default it
        super().validate_row(row)
