"""Imports of hub recognitions and links, declared by the hubs app (`module.py`: `Module.imports`).

Hub recognitions: one row per (organization, level, jurisdiction, system), upserted on that key.

Links: one row per (hub, organization, role, start date), upserted on that key. The rules of
`shuniu.hubs.services.link_validate` are checked for the whole file at once, against the stored links and the other
rows: the hub recognised on the start date, no overlapping link of the same role, at most one managing hub on any day,
no link after the organization was dissolved. A row that ends a link may give the reason (结束原因): it is kept in the
note as `link_end` keeps it, under the same rule (`services.link_end_note`).

The columns come from the models' fields (`Column.of`); where offices' header differs from the verbose name the header
is kept: a hub's organization is 枢纽名称 (the field: 组织), a link's hub 枢纽名称 (枢纽) and its organization 组织名称
(组织). Both kinds are written through `ImportDefinition.apply`.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuniu.areas.models import Area
from shuniu.areas.resolvers import AreaResolver
from shuniu.core.dated import end_before, overlaps
from shuniu.core.importing.base import Column, ImportDefinition, Row, RowOutcome
from shuniu.core.importing.lookups import CHUNK, NameResolver
from shuniu.core.importing.normalize import ChoiceResolver, NormalizeError, code, parse_date, text
from shuniu.organizations.imports import OrganizationIndex, field_resolver
from shuniu.organizations.models import Organization

from . import messages
from .choices import HubLevel, LinkRole
from .models import HUB_LEVEL_AREA_LEVEL, Hub, Link, System
from .services import link_end_note, period_text

HUB_LEVEL_SYNONYMS = {"市": "city", "市级枢纽": "city", "区": "district", "区级枢纽": "district", "街道": "street",
                      "乡镇": "street", "街乡": "street", "街道级枢纽": "street"}  # fmt: skip


def system_resolver() -> NameResolver:
    """Systems named in a cell (条线: 妇联)."""
    return NameResolver(System, _("「%(name)s」不是已有的条线。可选：%(names)s"))


def hubs_by_organization(organization_ids: set[int]) -> dict[int, list[Hub]]:
    hubs = defaultdict(list)
    ids = list(organization_ids)
    for start in range(0, len(ids), CHUNK):
        for hub in Hub.objects.filter(organization_id__in=ids[start : start + CHUNK]).select_related(
            "organization", "system", "area"
        ):
            hubs[hub.organization_id].append(hub)
    return hubs


class HubDefinition(ImportDefinition):
    kind = "hubs"
    label = gettext_lazy("枢纽认定")
    model = Hub
    summary_fields = ("organization", "level", "area", "system")
    columns = [
        Column.of(
            Hub,
            "organization",
            label="枢纽名称",  # offices' header; the field's 组织 is not one (a link's organization is 组织名称)
            aliases=("组织名称", "名称", "枢纽型社会组织", "枢纽组织"),
            help="被认定为枢纽的组织，须已在社会组织名录中",
            example="北京市朝阳区妇女联合会",
        ),
        Column("organization_uscc", "统一社会信用代码", ("信用代码",), help="填了则按代码找组织"),
        Column("organization_district", "组织所属区", ("所属区",), help="按名称找组织时用于区分同名组织"),
        Column.of(Hub, "level", aliases=("枢纽层级", "认定层级", "级别"), help="市级、区级、街道级", example="区级"),
        Column.of(
            Hub,
            "area",
            required=False,  # a city-level hub's is the city
            aliases=("区域", "管辖范围", "所属区域"),
            help="市级为北京市（可空）；区级填区，如 朝阳区；街道级填街道，如 朝阳区三里屯街道",
            example="朝阳区",
        ),
        Column.of(Hub, "system", aliases=("所属条线", "系统"), example="妇联"),
        Column.of(Hub, "fields", aliases=("领域",), help="可填多个，用顿号分隔", example="妇女儿童与家庭、社区服务"),
        Column.of(Hub, "batch", aliases=("批次",), example="第三批"),
        Column.of(Hub, "recognized_on", aliases=("认定时间",), example="2012-06-30"),
        Column.of(
            Hub,
            "recognized_until",
            aliases=("认定有效期至",),
            help="认定有效的最后一天，即撤销认定之日的前一天；也可填「撤销认定日期」列（撤销之日），导入时减去一天",
        ),
        Column(  # an event date offices keep: converted into recognized_until in validate_row
            "revoked_on",
            "撤销认定日期",
            ("撤销日期",),
            help="撤销认定之日；导入时记为其前一天的认定截止日期",
            in_template=False,
        ),
        Column.of(Hub, "parent", aliases=("上级枢纽名称",), help="上级枢纽的组织名称，须已认定"),
    ]

    @classmethod
    def dropdowns(cls) -> dict[str, list[str]]:
        return {**super().dropdowns(), "system": list(System.objects.values_list("name", flat=True))}

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
            recognized_until=parse_date,
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
        if "revoked_on" in data:  # the day of the revocation: the recognition's last day is the day before
            event = data.pop("revoked_on")
            until = end_before(event)
            if data.get("recognized_until", until) != until:
                row.reject(
                    _(
                        "「认定截止日期」%(until)s 与「撤销认定日期」%(event)s 不符："
                        "认定截止日期是撤销认定之日的前一天。"
                    )
                    % {"until": data["recognized_until"], "event": event}
                )
            else:
                data["recognized_until"] = until
                row.notes.append(
                    _("「撤销认定日期」%(event)s 按认定截止日期 %(until)s 导入（撤销认定之日的前一天）。")
                    % {"event": event, "until": until}
                )
        if data.get("recognized_until") and data["recognized_until"] < data["recognized_on"]:
            row.reject(_("「认定截止日期」不能早于认定日期。"))
        self.reject_by_rules(row, Hub.value_errors(data, today=self.today))  # what clean() checks

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
                    "recognized_until": hub.recognized_until,
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

    def write(self, new: list[Row], updated: list[Row]) -> None:
        through = Hub.fields.through
        hubs = [
            Hub(
                organization_id=row.data["organization"],
                level=row.data["level"],
                area=row.data["area"],
                system_id=row.data["system"],
                batch=row.data.get("batch", ""),
                recognized_on=row.data["recognized_on"],
                recognized_until=row.data.get("recognized_until"),
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


ROLE_SYNONYMS = {"管理": "manage", "业务主管": "manage", "主管": "manage", "联系": "contact", "服务": "serve"}


class LinkDefinition(ImportDefinition):
    kind = "links"
    label = gettext_lazy("联系关系")
    model = Link
    summary_fields = ("hub", "organization", "role", "start_date")
    columns = [
        Column.of(
            Link,
            "hub",
            label="枢纽名称",  # offices' header; the field's 枢纽 is an alias
            aliases=("枢纽", "枢纽组织", "联系枢纽"),
            help="枢纽的组织名称或统一社会信用代码",
            example="北京市朝阳区妇女联合会",
        ),
        Column("hub_system", "枢纽条线", ("条线",), help="同一组织有多项认定时用于区分", example="妇联"),
        Column.of(
            Hub,
            "level",
            field="hub_level",
            label="枢纽层级",
            required=False,
            aliases=("层级",),
            help="市级、区级、街道级；同上",
            example="区级",
        ),
        Column.of(
            Link,
            "organization",
            label="组织名称",  # offices' header; the field's 组织 is not one (a hub's organization is 枢纽名称)
            required=False,  # or its USCC
            aliases=("社会组织名称", "名称", "被联系组织"),
            example="北京市朝阳区阳光志愿者协会",
        ),
        Column(
            "organization_uscc", "统一社会信用代码", ("信用代码", "组织统一社会信用代码"), help="填了则按代码找组织"
        ),
        Column("district", "所属区", ("组织所属区",), help="按名称找组织时用于区分同名组织", example="朝阳区"),
        Column.of(Link, "role", aliases=("联系类型", "关系类型", "角色"), help="管理、联系、服务", example="联系"),
        Column.of(Link, "start_date", aliases=("建立日期", "联系开始日期", "起始日期"), example="2015-06-30"),
        Column.of(Link, "end_date", aliases=("终止日期", "截止日期"), help="最后有效的一天；空为仍有效"),
        Column.of(Link, "basis", aliases=("依据文件", "文件", "文号"), example="朝妇发〔2015〕12号"),
        Column.of(Link, "note", aliases=("说明",)),
        Column(
            "end_reason",
            "结束原因",
            ("终止原因",),
            help="填了结束日期、结束这条联系时可填；记入备注（「结束原因：…」），与在页面上结束联系相同",
        ),
    ]

    @classmethod
    def dropdowns(cls) -> dict[str, list[str]]:
        return {**super().dropdowns(), "hub_system": list(System.objects.values_list("name", flat=True))}

    def load(self) -> None:
        super().load()
        areas = AreaResolver.load()
        self.parsers.update(
            hub=lambda value: code(value) if _looks_like_uscc(value) else text(value),
            hub_system=system_resolver().one,
            hub_level=ChoiceResolver(HubLevel, HUB_LEVEL_SYNONYMS).resolve,
            organization_uscc=code,
            district=areas.district,
            role=ChoiceResolver(LinkRole, ROLE_SYNONYMS).resolve,
            start_date=parse_date,
            end_date=parse_date,
        )

    def validate_row(self, row: Row) -> None:
        data = row.data
        if not data.get("organization") and not data.get("organization_uscc"):
            row.reject(_("「组织名称」和「统一社会信用代码」至少填一项。"))
        if data.get("end_date") and data.get("start_date") and data["end_date"] < data["start_date"]:
            row.reject(_("「结束日期」不能早于开始日期。"))
        if data.get("end_reason") and not data.get("end_date"):
            row.reject(_("「结束原因」只在填了结束日期时填写。"), "end_reason")

    def plan(self, rows: list[Row]) -> None:
        valid = [row for row in rows if not row.rejected]
        index = OrganizationIndex()
        index.prepare(
            {row.data["organization_uscc"] for row in valid if row.data.get("organization_uscc")}
            | {row.data["hub"] for row in valid if _looks_like_uscc(row.data["hub"])},
            {row.data["organization"] for row in valid if row.data.get("organization")}
            | {row.data["hub"] for row in valid if not _looks_like_uscc(row.data["hub"])},
        )
        hub_organizations = {}
        for row in valid:
            try:
                hub_value = row.data["hub"]
                by_code = _looks_like_uscc(hub_value)
                hub_organizations[row.number] = index.find(
                    uscc=hub_value if by_code else "", name="" if by_code else hub_value, label=_("枢纽组织")
                )
            except NormalizeError as error:
                row.reject(_("「枢纽名称」%(message)s") % {"message": error})
            try:
                row.data["organization"] = index.find(
                    uscc=row.data.pop("organization_uscc", ""),
                    name=row.data.get("organization", ""),
                    district=row.data.pop("district", None),
                    label=_("组织"),
                )
            except NormalizeError as error:
                row.reject(_("「组织名称」%(message)s") % {"message": error})
        valid = [row for row in valid if not row.rejected]
        hubs = hubs_by_organization({hub_organizations[row.number] for row in valid})
        for row in valid:
            self._choose_hub(row, hubs.get(hub_organizations[row.number], []))
        valid = [row for row in valid if not row.rejected]
        for row in valid:
            row.key = (row.data["hub"].pk, row.data["organization"], row.data["role"], row.data["start_date"])
        self.reject_duplicates_in_file(
            rows, _("与第%(row)d行是同一联系（枢纽、组织、关系、开始日期相同），本行未导入。")
        )
        valid = [row for row in valid if not row.rejected]
        organizations = self._organizations({row.data["organization"] for row in valid})
        stored_by_key = {
            (link.hub_id, link.organization_id, link.role, link.start_date): link
            for link in self._stored_links(set(organizations))
        }
        # first pass: each row's own checks, the stored link it updates and the period it will have
        current, ends = {}, {}
        for row in valid:
            data, hub = row.data, row.data["hub"]
            organization = organizations[data["organization"]]
            data["organization_name"] = organization["name"]
            if hub.organization_id == organization["pk"]:
                row.reject(messages.LINK_SELF)
            elif not hub.is_on(data["start_date"]):
                row.reject(
                    messages.LINK_HUB_NOT_RECOGNIZED
                    % {
                        "hub": hub,
                        "day": data["start_date"],
                        "recognized_on": hub.recognized_on,
                        "until": messages.RECOGNIZED_UNTIL % {"day": hub.recognized_until}
                        if hub.recognized_until
                        else "",
                    }
                )
            elif organization["active_until"] and data["start_date"] > organization["active_until"]:
                row.reject(
                    messages.LINK_ORGANIZATION_DISSOLVED
                    % {
                        "organization": messages.organization_text(
                            Organization(pk=organization["pk"]), organization["name"]
                        ),
                        "active_until": organization["active_until"],
                    }
                )
            if row.rejected:
                continue
            link = stored_by_key.get(row.key)
            current[row.number] = link
            row.pk = link.pk if link else None
            ends[row.number] = data["end_date"] if "end_date" in data else (link.end_date if link else None)
        # second pass: periods as they will be (stored links a row updates take the row's period); the first row wins
        updated_pks = {link.pk for link in current.values() if link}
        periods = defaultdict(list)
        for link in stored_by_key.values():
            if link.pk not in updated_pks:
                periods[link.organization_id].append(link)
        for row in valid:
            if row.rejected:
                continue
            data = row.data
            end = ends[row.number]
            link = current[row.number]
            if "end_reason" in data and not self._end_reason(row, link):
                continue
            conflict = self._conflict(
                row, data["hub"], data["role"], data["start_date"], end, periods[data["organization"]], ends
            )
            if conflict:
                row.reject(conflict)
                continue
            periods[data["organization"]].append(row)
            self.settle(row, {"end_date": link.end_date, "basis": link.basis, "note": link.note} if link else None)
            data.pop("organization_name")
            if row.outcome != RowOutcome.UNCHANGED:
                row.stale_since = min(data["start_date"], end or data["start_date"])

    @staticmethod
    def _end_reason(row: Row, link: Link | None) -> bool:
        """A row that ends a link (a new one with its end, or a stored open one) keeps its reason in the note, as
        `link_end` does and under its rule; a row about a link that has ended already keeps the note it gives (with the
        reason, so that importing the same file again changes nothing). False when the reason is refused."""
        reason, data = row.data.pop("end_reason"), row.data
        if "note" in data:
            note = data["note"]
        elif link is None or link.end_date is None:
            note = link.note if link else ""
        else:
            return True
        try:
            data["note"] = link_end_note(note, reason)
        except ValidationError as error:
            for message in error.messages:
                row.reject(message, "end_reason")
            return False
        return True

    def settle(self, row: Row, existing: dict | None) -> None:
        if existing is None:
            row.outcome = RowOutcome.NEW
            return
        row.changes = {
            name: row.data[name]
            for name in ("end_date", "basis", "note")
            if name in row.data and existing[name] != row.data[name]
        }
        row.before = {name: existing[name] for name in row.changes}
        row.outcome = RowOutcome.UPDATED if row.changes else RowOutcome.UNCHANGED

    @staticmethod
    def _conflict(row: Row, hub, role: str, start: date, end: date | None, others: list, ends: dict) -> str:
        """The message for the first stored link or accepted earlier row this one would overlap against the rules."""
        name = row.data["organization_name"]
        for other in others:
            if isinstance(other, Link):
                o_hub, o_role, o_start, o_end, where = other.hub, other.role, other.start_date, other.end_date, ""
            else:
                o_hub, o_role = other.data["hub"], other.data["role"]
                o_start, o_end = other.data["start_date"], ends[other.number]
                where = _("（文件第%(row)d行）") % {"row": other.number}
            if not overlaps(start, end, o_start, o_end):
                continue
            if o_hub.pk == hub.pk and o_role == role:
                return messages.LINK_OVERLAP % {
                    "organization": messages.organization_text(Organization(pk=row.data["organization"]), name),
                    "hub": hub,
                    "role": LinkRole(role).label,
                    "period": period_text(o_start, o_end) + where,
                }
            if role == LinkRole.MANAGE and o_role == LinkRole.MANAGE:
                return messages.second_manager(
                    Organization(pk=row.data["organization"]), o_hub, period_text(o_start, o_end) + where, name=name
                )
        return ""

    def _choose_hub(self, row: Row, hubs: list) -> None:
        candidates = hubs
        if row.data.get("hub_system"):
            candidates = [hub for hub in candidates if hub.system_id == row.data["hub_system"]]
        if row.data.get("hub_level"):
            candidates = [hub for hub in candidates if hub.level == row.data["hub_level"]]
        if len(candidates) > 1:
            recognized = [hub for hub in candidates if hub.is_on(row.data["start_date"])]
            candidates = recognized or candidates
        if not candidates:
            row.reject(_("「枢纽名称」「%(name)s」没有符合条件的枢纽认定。") % {"name": row.data["hub"]})
        elif len(candidates) > 1:
            row.reject(_("「枢纽名称」「%(name)s」有多项枢纽认定：请填写枢纽条线和层级。") % {"name": row.data["hub"]})
        else:
            row.data["hub"] = candidates[0]
        row.data.pop("hub_system", None)
        row.data.pop("hub_level", None)

    @staticmethod
    def _organizations(ids: set[int]) -> dict[int, dict]:
        found, ids = {}, list(ids)
        for start in range(0, len(ids), CHUNK):
            for record in Organization.objects.filter(pk__in=ids[start : start + CHUNK]).values(
                "pk", "name", "active_until"
            ):
                found[record["pk"]] = record
        return found

    @staticmethod
    def _stored_links(organization_ids: set[int]) -> list[Link]:
        links, ids = [], list(organization_ids)
        for start in range(0, len(ids), CHUNK):
            links += Link.objects.filter(organization_id__in=ids[start : start + CHUNK]).select_related(
                "hub__organization"
            )
        return links

    def write(self, new: list[Row], updated: list[Row]) -> None:
        links = [
            Link(
                hub=row.data["hub"],
                organization_id=row.data["organization"],
                role=row.data["role"],
                start_date=row.data["start_date"],
                end_date=row.data.get("end_date"),
                basis=row.data.get("basis", ""),
                note=row.data.get("note", ""),
            )
            for row in new
        ]
        # updates first, ends set before ends cleared, so that PostgreSQL's exclusion constraints (checked row by
        # row) never see two periods overlap on the way to a state the checks above found consistent
        now = timezone.now()
        for row in sorted(updated, key=lambda row: row.changes.get("end_date") is None):
            Link.objects.filter(pk=row.pk).update(**row.changes, updated_at=now)
        Link.objects.bulk_create(links, batch_size=CHUNK)
        for row, link in zip(new, links, strict=True):
            row.pk = link.pk


def _looks_like_uscc(value) -> bool:
    text = code(value) if value not in (None, "") else ""
    return len(text) == 18 and text[:2].isalnum() and text[2:8].isdigit()
