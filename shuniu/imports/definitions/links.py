"""Importing links: one row per (hub, organization, role, start date), upserted on that key.

The rules of `shuniu.hubs.services.link_validate` are checked for the whole file at once, against the stored links and
the other rows: the hub recognised on the start date, no overlapping link of the same role, at most one managing hub
on any day, no link after the organization was dissolved.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from shuniu.hubs import messages
from shuniu.hubs.choices import HubLevel, LinkRole
from shuniu.hubs.models import Link
from shuniu.hubs.services import period_text
from shuniu.organizations.models import Organization

from ..choices import ImportKind, RowOutcome
from ..normalize import AreaResolver, ChoiceResolver, NormalizeError, code, parse_date
from .base import Column, ImportDefinition, Row
from .hubs import HUB_LEVEL_SYNONYMS
from .lookups import CHUNK, OrganizationIndex, hubs_by_organization, system_resolver

ROLE_SYNONYMS = {"管理": "manage", "业务主管": "manage", "主管": "manage", "联系": "contact", "服务": "serve"}


def _overlaps(a_start: date, a_end: date | None, b_start: date, b_end: date | None) -> bool:
    return (b_end is None or a_start <= b_end) and (a_end is None or b_start <= a_end)


class LinkDefinition(ImportDefinition):
    kind = ImportKind.LINKS
    model = Link
    summary_fields = ("hub", "organization", "role", "start_date")
    columns = [
        Column(
            "hub",
            "枢纽名称",
            ("枢纽", "枢纽组织", "联系枢纽"),
            required=True,
            help="枢纽的组织名称或统一社会信用代码",
            example="北京市朝阳区妇女联合会",
        ),
        Column("hub_system", "枢纽条线", ("条线",), help="同一组织有多项认定时用于区分", example="妇联"),
        Column("hub_level", "枢纽层级", ("层级",), help="市级、区级、街道级；同上", example="区级"),
        Column(
            "organization", "组织名称", ("社会组织名称", "名称", "被联系组织"), example="北京市朝阳区阳光志愿者协会"
        ),
        Column(
            "organization_uscc", "统一社会信用代码", ("信用代码", "组织统一社会信用代码"), help="填了则按代码找组织"
        ),
        Column("district", "所属区", ("组织所属区",), help="按名称找组织时用于区分同名组织", example="朝阳区"),
        Column(
            "role", "关系", ("联系类型", "关系类型", "角色"), required=True, help="管理、联系、服务", example="联系"
        ),
        Column("start_date", "开始日期", ("建立日期", "联系开始日期", "起始日期"), required=True, example="2015-06-30"),
        Column("end_date", "结束日期", ("终止日期", "截止日期"), help="最后有效的一天；空为仍有效"),
        Column("basis", "依据", ("依据文件", "文件", "文号"), max_length=200, example="朝妇发〔2015〕12号"),
        Column("note", "备注", ("说明",), max_length=200),
    ]

    def load(self) -> None:
        super().load()
        areas = AreaResolver.load()
        self.parsers.update(
            hub=lambda value: code(value) if _looks_like_uscc(value) else _text(value),
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
            elif not hub.is_recognized_on(data["start_date"]):
                row.reject(
                    messages.LINK_HUB_NOT_RECOGNIZED
                    % {
                        "hub": hub,
                        "day": data["start_date"],
                        "recognized_on": hub.recognized_on,
                        "revoked": f"，撤销 {hub.revoked_on}" if hub.revoked_on else "",
                    }
                )
            elif organization["dissolved_on"] and data["start_date"] > organization["dissolved_on"]:
                row.reject(
                    messages.LINK_ORGANIZATION_DISSOLVED
                    % {
                        "organization": messages.organization_text(
                            Organization(pk=organization["pk"]), organization["name"]
                        ),
                        "dissolved_on": organization["dissolved_on"],
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
            conflict = self._conflict(
                row, data["hub"], data["role"], data["start_date"], end, periods[data["organization"]], ends
            )
            if conflict:
                row.reject(conflict)
                continue
            periods[data["organization"]].append(row)
            link = current[row.number]
            self.settle(row, {"end_date": link.end_date, "basis": link.basis, "note": link.note} if link else None)
            data.pop("organization_name")
            if row.outcome != RowOutcome.UNCHANGED:
                row.stale_since = min(data["start_date"], end or data["start_date"])

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
            if not _overlaps(start, end, o_start, o_end):
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
            recognized = [hub for hub in candidates if hub.is_recognized_on(row.data["start_date"])]
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
                "pk", "name", "dissolved_on"
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

    def apply(self, rows: list[Row]) -> None:
        new = [row for row in rows if row.outcome == RowOutcome.NEW]
        updated = [row for row in rows if row.outcome == RowOutcome.UPDATED]
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
        self.record_changes(new, updated)
        self.recheck_scope(Link, new, updated)
        self.mark_trend_stale(new + updated)


def _looks_like_uscc(value) -> bool:
    text = code(value) if value not in (None, "") else ""
    return len(text) == 18 and text[:2].isalnum() and text[2:8].isdigit()


def _text(value) -> str:
    from ..normalize import text

    return text(value)
