"""Importing hub recognitions: one row per (organization, level, jurisdiction, system), upserted on that key."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from shuniu.areas.models import Area
from shuniu.hubs.choices import HubLevel
from shuniu.hubs.models import HUB_LEVEL_AREA_LEVEL, Hub

from ..choices import ImportKind, RowOutcome
from ..normalize import AreaResolver, ChoiceResolver, NormalizeError, code, parse_date, text
from .base import Column, ImportDefinition, Row
from .lookups import CHUNK, OrganizationIndex, field_resolver, system_resolver

HUB_LEVEL_SYNONYMS = {"市": "city", "市级枢纽": "city", "区": "district", "区级枢纽": "district", "街道": "street",
                      "乡镇": "street", "街乡": "street", "街道级枢纽": "street"}  # fmt: skip


class HubDefinition(ImportDefinition):
    kind = ImportKind.HUBS
    model = Hub
    summary_fields = ("organization", "level", "area", "system")
    columns = [
        Column(
            "organization",
            "枢纽名称",
            ("组织名称", "名称", "枢纽型社会组织", "枢纽组织"),
            required=True,
            help="被认定为枢纽的组织，须已在社会组织名录中",
            example="北京市朝阳区妇女联合会",
        ),
        Column("organization_uscc", "统一社会信用代码", ("信用代码",), help="填了则按代码找组织"),
        Column("organization_district", "组织所属区", ("所属区",), help="按名称找组织时用于区分同名组织"),
        Column(
            "level", "层级", ("枢纽层级", "认定层级", "级别"), required=True, help="市级、区级、街道级", example="区级"
        ),
        Column(
            "area",
            "管辖区域",
            ("区域", "管辖范围", "所属区域"),
            help="市级为北京市（可空）；区级填区，如 朝阳区；街道级填街道，如 朝阳区三里屯街道",
            example="朝阳区",
        ),
        Column("system", "条线", ("所属条线", "系统"), required=True, example="妇联"),
        Column("fields", "覆盖领域", ("领域",), help="可填多个，用顿号分隔", example="妇女儿童与家庭、社区服务"),
        Column("batch", "认定批次", ("批次",), max_length=60, example="第三批"),
        Column("recognized_on", "认定日期", ("认定时间",), required=True, example="2012-06-30"),
        Column("revoked_on", "撤销认定日期", ("撤销日期",)),
        Column("parent", "上级枢纽", ("上级枢纽名称",), help="上级枢纽的组织名称，须已认定"),
    ]

    def load(self) -> None:
        super().load()
        self.areas = AreaResolver.load()
        self.city = Area.objects.filter(level="city").first()
        self.parsers.update(
            organization_uscc=code,
            level=ChoiceResolver(HubLevel, HUB_LEVEL_SYNONYMS).resolve,
            organization_district=self.areas.district,
            area=lambda value: value,  # resolved in validate_row, by the row's level
            system=system_resolver().one,
            fields=field_resolver().many,
            recognized_on=parse_date,
            revoked_on=parse_date,
        )
        self.today = timezone.localdate()

    def validate_row(self, row: Row) -> None:
        data = row.data
        if "level" not in data or "recognized_on" not in data:
            return
        level = data["level"]
        try:
            data["area"] = self._area(level, data.get("area"))
        except NormalizeError as error:
            row.reject(_("「管辖区域」%(message)s") % {"message": error})
        if data.get("revoked_on") and data["revoked_on"] <= data["recognized_on"]:
            row.reject(_("「撤销认定日期」须晚于认定日期。"))
        if data["recognized_on"] > self.today:
            row.reject(_("「认定日期」%(day)s 晚于今天。") % {"day": data["recognized_on"]})

    def _area(self, level: str, value) -> Area:
        if level == HubLevel.CITY:
            if text(value) not in ("", "北京", "北京市", "110000", self.city.name):
                raise NormalizeError(_("市级枢纽的管辖区域是北京市。"))
            return self.city
        if value in (None, ""):
            raise NormalizeError(_("区级和街道级枢纽须填写管辖区域。"))
        if level == HubLevel.DISTRICT:
            district = self.areas.district(value)
            if district is None:
                raise NormalizeError(_("区级和街道级枢纽须填写管辖区域。"))
            return district
        street = self.areas.street(value, None)
        if street is None or street.level != HUB_LEVEL_AREA_LEVEL[HubLevel.STREET]:
            raise NormalizeError(_("街道级枢纽的管辖区域应为一个街道（乡镇）。"))
        return street

    def plan(self, rows: list[Row]) -> None:
        valid = [row for row in rows if not row.rejected]
        organizations = OrganizationIndex()
        organizations.prepare(
            {row.data["organization_uscc"] for row in valid if row.data.get("organization_uscc")},
            {row.data["organization"] for row in valid}
            | {row.data["parent"] for row in valid if row.data.get("parent")},
        )
        for row in valid:
            try:
                row.data["organization"] = organizations.find(
                    uscc=row.data.pop("organization_uscc", ""),
                    name=row.data["organization"],
                    district=row.data.pop("organization_district", None),
                    label=_("组织"),
                )
            except NormalizeError as error:
                row.reject(_("「枢纽名称」%(message)s") % {"message": error})
                continue
            row.key = (row.data["organization"], row.data["level"], row.data["area"].pk, row.data["system"])
        self.reject_duplicates_in_file(
            rows, _("与第%(row)d行是同一项认定（组织、层级、管辖区域、条线相同），本行未导入。")
        )
        valid = [row for row in valid if not row.rejected]
        existing = self._existing({row.data["organization"] for row in valid})
        parents = self._parents({row.data["parent"] for row in valid if row.data.get("parent")}, organizations)
        for row in valid:
            if row.data.get("parent"):
                parent = parents.get(row.data["parent"])
                if not isinstance(parent, int):
                    row.reject(_("「上级枢纽」%(message)s") % {"message": parent})
                    continue
                row.data["parent"] = parent
            current = existing.get(row.key)
            row.pk = current["pk"] if current else None
            self.settle(row, current)
            if row.outcome != RowOutcome.UNCHANGED:
                row.stale_since = min(
                    row.data["recognized_on"], current["recognized_on"] if current else row.data["recognized_on"]
                )

    def settle(self, row: Row, existing: dict | None) -> None:
        if existing is None:
            row.outcome = RowOutcome.NEW
            return
        compare = {k: v for k, v in row.data.items() if k not in ("organization", "level", "area", "system")}
        row.changes = {name: value for name, value in compare.items() if existing.get(name) != value}
        row.before = {name: existing.get(name) for name in row.changes}
        row.outcome = RowOutcome.UPDATED if row.changes else RowOutcome.UNCHANGED

    @staticmethod
    def _existing(organization_ids: set[int]) -> dict[tuple, dict]:
        found = {}
        ids = list(organization_ids)
        for start in range(0, len(ids), CHUNK):
            hubs = Hub.objects.filter(organization_id__in=ids[start : start + CHUNK]).prefetch_related("fields")
            for hub in hubs:
                found[(hub.organization_id, hub.level, hub.area_id, hub.system_id)] = {
                    "pk": hub.pk,
                    "batch": hub.batch,
                    "recognized_on": hub.recognized_on,
                    "revoked_on": hub.revoked_on,
                    "parent": hub.parent_id,
                    "fields": frozenset(field.pk for field in hub.fields.all()),
                }
        return found

    @staticmethod
    def _parents(names: set[str], organizations: OrganizationIndex) -> dict[str, int | str]:
        """Parent hub by its organization's name: the pk, or the reason it cannot be told."""
        result: dict[str, int | str] = {}
        for name in names:
            try:
                organization = organizations.find(name=name, label=_("上级枢纽"))
            except NormalizeError as error:
                result[name] = str(error)
                continue
            hubs = list(Hub.objects.filter(organization_id=organization).values_list("pk", flat=True))
            if len(hubs) == 1:
                result[name] = hubs[0]
            else:
                result[name] = (
                    _("「%(name)s」尚未被认定为枢纽。")
                    if not hubs
                    else _("「%(name)s」有多项枢纽认定，无法判断上级是哪一项。")
                ) % {"name": name}
        return result

    def apply(self, rows: list[Row]) -> None:
        through = Hub.fields.through
        new = [row for row in rows if row.outcome == RowOutcome.NEW]
        updated = [row for row in rows if row.outcome == RowOutcome.UPDATED]
        hubs = [
            Hub(
                organization_id=row.data["organization"],
                level=row.data["level"],
                area=row.data["area"],
                system_id=row.data["system"],
                batch=row.data.get("batch", ""),
                recognized_on=row.data["recognized_on"],
                revoked_on=row.data.get("revoked_on"),
                parent_id=row.data.get("parent"),
            )
            for row in new
        ]
        Hub.objects.bulk_create(hubs, batch_size=CHUNK)
        links = []
        for row, hub in zip(new, hubs, strict=True):
            row.pk = hub.pk
            links += [through(hub_id=hub.pk, field_id=pk) for pk in row.data.get("fields", ())]
        now = timezone.now()
        for row in updated:  # as the other kinds: a queryset update, recorded below with the other rows
            values = {
                f"{name}_id" if name == "parent" else name: v for name, v in row.changes.items() if name != "fields"
            }
            if "fields" in row.changes:
                through.objects.filter(hub_id=row.pk).delete()
                links += [through(hub_id=row.pk, field_id=pk) for pk in row.changes["fields"]]
            Hub.objects.filter(pk=row.pk).update(**values, updated_at=now)
        through.objects.bulk_create(links, batch_size=CHUNK)
        self.record_changes(new, updated)
        self.recheck_scope(Hub, new, updated)
        self.mark_trend_stale(new + updated)
