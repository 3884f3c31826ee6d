"""The django-import-export baseline of the import benchmark: a `ModelResource` for Organization that reads the
benchmark workbook's Chinese headers, as a Django project would write one.

Widgets do what the file needs and nothing more: kinds by Chinese label; districts by name, with or without 北京市
and 区; streets by name within the row's district, with or without 街道; dates as Excel cells or in the three office
formats; 领域 by name, separated by 、. Each lookup is the widget's usual query per row. `clean_model_instances` runs
the model's own validation (USCC check digit and kind, street in district, uniqueness), so the bad rows come back
as invalid instead of being saved. The file is read the way the admin reads an .xlsx (openpyxl into a tablib
Dataset, `import_export.formats.base_formats.XLSX`); without openpyxl installed, python-calamine fills the Dataset.
"""

from __future__ import annotations

import io
import time

import tablib
from import_export import fields, resources, widgets

from shuniu.areas.models import Area
from shuniu.organizations.choices import OrganizationKind
from shuniu.organizations.models import Field, Organization

DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日")


def _district_name(value) -> str:
    text = str(value or "").strip().removeprefix("北京市")
    return text if not text or text.endswith("区") else text + "区"


class KindWidget(widgets.Widget):
    """社会团体 → social_group."""

    by_label = {str(label): value for value, label in OrganizationKind.choices}

    def clean(self, value, row=None, **kwargs):
        if not value:
            return ""
        try:
            return self.by_label[str(value).strip()]
        except KeyError:
            raise ValueError(f"未知的社会组织类型「{value}」") from None


class DistrictWidget(widgets.ForeignKeyWidget):
    def __init__(self):
        super().__init__(Area, field="name")

    def get_queryset(self, value, row, *args, **kwargs):
        return Area.objects.filter(level="district")

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(_district_name(value), row, **kwargs)
        except Area.DoesNotExist:
            raise ValueError(f"未知的区「{value}」") from None


class StreetWidget(widgets.ForeignKeyWidget):
    def __init__(self, district_column: str):
        super().__init__(Area, field="name")
        self.district_column = district_column

    def get_queryset(self, value, row, *args, **kwargs):
        return Area.objects.filter(level="street", parent__name=_district_name(row.get(self.district_column)))

    def get_lookup_kwargs(self, value, row, **kwargs):
        value = str(value).strip()
        return {"name__in": [value, value + "街道"]}

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except Area.DoesNotExist:
            raise ValueError(f"「{row.get(self.district_column)}」没有街道「{value}」") from None


class OfficeDateWidget(widgets.DateWidget):
    def __init__(self):
        super().__init__()
        self.formats = DATE_FORMATS

    def clean(self, value, row=None, **kwargs):
        return super().clean(value.strip() if isinstance(value, str) else value, row, **kwargs)


class OrganizationResource(resources.ModelResource):
    name = fields.Field(attribute="name", column_name="名称", widget=widgets.CharWidget())
    uscc = fields.Field(attribute="uscc", column_name="统一社会信用代码", widget=widgets.CharWidget())
    kind = fields.Field(attribute="kind", column_name="社会组织类型", widget=KindWidget())
    registration_authority = fields.Field(attribute="registration_authority", column_name="登记管理机关")
    supervisory_unit = fields.Field(attribute="supervisory_unit", column_name="业务主管单位")
    legal_representative = fields.Field(attribute="legal_representative", column_name="法定代表人")
    founded_on = fields.Field(attribute="founded_on", column_name="成立登记日期", widget=OfficeDateWidget())
    address = fields.Field(attribute="address", column_name="住所")
    district = fields.Field(attribute="district", column_name="所属区", widget=DistrictWidget())
    street = fields.Field(attribute="street", column_name="所属街道", widget=StreetWidget("所属区"))
    field_names = fields.Field(
        attribute="fields", column_name="领域", widget=widgets.ManyToManyWidget(Field, separator="、", field="name")
    )
    staff_count = fields.Field(attribute="staff_count", column_name="专职人员数", widget=widgets.IntegerWidget())
    note = fields.Field(attribute="note", column_name="备注")

    class Meta:
        model = Organization
        fields = (
            "name",
            "uscc",
            "kind",
            "registration_authority",
            "supervisory_unit",
            "legal_representative",
            "founded_on",
            "address",
            "district",
            "street",
            "field_names",
            "staff_count",
            "note",
        )
        import_id_fields = ("uscc",)
        clean_model_instances = True


class QuietOrganizationResource(OrganizationResource):
    """The same resource without the per-row diff the admin's preview shows (`skip_diff`): django-import-export's
    fastest row-by-row settings."""

    class Meta(OrganizationResource.Meta):
        skip_diff = True


def read_dataset(path) -> tuple[tablib.Dataset, str]:
    """The workbook as a tablib Dataset, the admin's way if openpyxl is installed; and how it was read."""
    data = open(path, "rb").read()
    try:
        from import_export.formats.base_formats import XLSX

        return XLSX().create_dataset(data), "tablib + openpyxl (the admin's XLSX format)"
    except ImportError:
        from python_calamine import CalamineWorkbook

        rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
        dataset = tablib.Dataset(*[tuple(row) for row in rows[1:]], headers=rows[0])
        return dataset, "python-calamine into a tablib Dataset (openpyxl is not installed)"


def import_sample(dataset: tablib.Dataset, rows: int, resource_class=OrganizationResource):
    """Import the first `rows` rows as the admin's confirm step does; returns (seconds, result)."""
    sample = dataset.subset(rows=list(range(min(rows, len(dataset)))))
    resource = resource_class()
    t = time.perf_counter()
    result = resource.import_data(sample, dry_run=False, use_transactions=True, collect_failed_rows=True)
    return time.perf_counter() - t, result


def totals(result) -> dict:
    """new / update / skip / invalid / error counts of an import result."""
    return {key: value for key, value in result.totals.items() if key != "delete"}
