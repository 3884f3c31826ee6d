"""Importing organizations: upsert by USCC, or by normalised name + district for organizations without one.

Policy (also shown on the upload page): a filled cell sets the field; an empty cell leaves the stored value as it is
(a spreadsheet never blanks a record by omission). 领域 given in a row replaces the organization's fields.

The columns come from the model's fields (`Column.of`: verbose name, maximum length, choices); where offices' header
differs from the verbose name, the header is kept and the verbose name is an alias (kind: 社会组织类型 / 类型,
legal_representative: 法定代表人 / 法定代表人/负责人, founded_on: 成立登记日期 / 成立日期, street: 所属街道 /
所属街道/乡镇). A row is checked by the model's own rules (`Organization.value_errors`, which `clean()` applies for the
form and the API, and the USCC validators), and written through `ImportDefinition.apply`.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from stdnum.cn import uscc as stdnum_uscc

from shuniu.areas.models import Area
from shuniu.areas.resolvers import AreaResolver
from shuniu.core.bulk import allocate_ids, insert_rows, timestamps
from shuniu.core.dated import end_before
from shuniu.core.fields import PersonalValue
from shuniu.core.importing.base import Column, ImportDefinition, Row, RowOutcome
from shuniu.core.importing.lookups import NameResolver
from shuniu.core.importing.normalize import (
    ChoiceResolver,
    NormalizeError,
    code,
    fold,
    parse_date,
    parse_int,
    text,
)

from .choices import (
    REGISTERED_KIND_CATEGORY,
    OrganizationKind,
    OrganizationStatus,
    RegistrationLevel,
)
from .models import Field, Organization
from .names import name_key
from .validators import uscc_validate, uscc_validate_kind

CHUNK = 2000
EARLIEST_FOUNDING = date(1900, 1, 1)
NO_CODE = {"无", "暂无", "没有", "/", "\\", "—", "--", "N/A", "NA", "NONE", "NULL", "0"}
LOOKUP_CHUNK = 20_000  # values per look-up query (`__among`: one array on PostgreSQL, under SQLite's variable limit)
AREA_FIELDS = ("district", "street")
#: a change to one of these can change coverage figures, back to the organization's founding
COVERAGE_FIELDS = {"kind", "district", "street", "founded_on", "active_until", "status"}
KIND_BY_CATEGORY = {category: kind for kind, category in REGISTERED_KIND_CATEGORY.items()}


#: Words offices use for an organization kind → OrganizationKind value.
ORGANIZATION_KIND_SYNONYMS: dict[str, str] = {
    "社团": OrganizationKind.SOCIAL_GROUP,
    "民非": OrganizationKind.PRIVATE_NON_ENTERPRISE,
    "民办非企业": OrganizationKind.PRIVATE_NON_ENTERPRISE,
    "社会服务机构": OrganizationKind.PRIVATE_NON_ENTERPRISE,  # the name used since the 2016 Charity Law
    "基金": OrganizationKind.FOUNDATION,
    "社区社会组织": OrganizationKind.COMMUNITY,
    "社区备案组织": OrganizationKind.COMMUNITY,
    "备案组织": OrganizationKind.COMMUNITY,
    "草根": OrganizationKind.GRASSROOTS,
    "未登记组织": OrganizationKind.GRASSROOTS,
    "高校学生社团": OrganizationKind.UNIVERSITY_CLUB,
    "学生社团": OrganizationKind.UNIVERSITY_CLUB,
    "人民团体": OrganizationKind.MASS_ORGANIZATION,
    "群团组织": OrganizationKind.MASS_ORGANIZATION,
}


class OrganizationIndex:
    """Resolves (USCC, name, district) references in bulk: `prepare` once with all of them, then `find` per row."""

    def __init__(self):
        self.by_uscc: dict[str, int] = {}
        self.by_name: dict[str, list[tuple[int, int]]] = defaultdict(list)  # name_key → [(pk, district_id)]
        self.names: dict[int, str] = {}
        self.districts = dict(Area.objects.filter(level="district").values_list("name", "pk"))

    def prepare(self, usccs: set[str], names: set[str]) -> None:
        usccs, keys = list(usccs), {name_key(name) for name in names if name}
        for start in range(0, len(usccs), CHUNK):
            for pk, uscc, name in Organization.objects.filter(uscc__in=usccs[start : start + CHUNK]).values_list(
                "pk", "uscc", "name"
            ):
                self.by_uscc[uscc] = pk
                self.names[pk] = name
        if keys:
            for pk, name, district_id in Organization.objects.values_list("pk", "name", "district_id").iterator(
                chunk_size=5000
            ):
                key = name_key(name)
                if key in keys:
                    self.by_name[key].append((pk, district_id))
                    self.names[pk] = name

    def find(self, *, uscc: str = "", name: str = "", district=None, label: str) -> int:
        """The organization's pk, or NormalizeError saying why none or several match."""
        if uscc:
            pk = self.by_uscc.get(uscc)
            if pk is None:
                raise NormalizeError(
                    _("找不到统一社会信用代码为%(uscc)s的%(label)s：请先导入该组织。") % {"uscc": uscc, "label": label}
                )
            if name and name_key(name) != name_key(self.names[pk]):
                raise NormalizeError(
                    _("统一社会信用代码%(uscc)s是「%(stored)s」的，与填写的名称「%(name)s」不符：请核对。")
                    % {"uscc": uscc, "stored": self.names[pk], "name": name}
                )
            return pk
        candidates = self.by_name.get(name_key(name), [])
        named = self._district_named_in(name)
        if district is None and named is not None:
            district_pk = named
        else:
            district_pk = district.pk if district is not None else None
        if district_pk is not None:
            candidates = [c for c in candidates if c[1] == district_pk]
        exact = [c for c in candidates if fold(self.names[c[0]]) == fold(name)]
        candidates = exact or candidates
        if not candidates:
            where = _("%(district)s的") % {"district": district.name} if district is not None else ""
            raise NormalizeError(
                _("找不到%(where)s%(label)s「%(name)s」：请核对名称，或先导入该组织。")
                % {"where": where, "label": label, "name": name}
            )
        if len(candidates) > 1:
            raise NormalizeError(
                _("有%(count)d个名为「%(name)s」的组织：请填写统一社会信用代码。")
                % {"count": len(candidates), "name": name}
            )
        return candidates[0][0]

    def _district_named_in(self, name: str) -> int | None:
        """The district a name begins with (北京市朝阳区…, 朝阳区…), so that it never matches another district's."""
        rest = name.removeprefix("北京市").removeprefix("北京")
        return next((pk for district, pk in self.districts.items() if rest.startswith(district)), None)


class OrganizationRecordDefinition(ImportDefinition):
    """A kind whose every row belongs to one organization (an inspection, a grade, and next a party organization or
    a project), named as offices name it: by its USCC, or by its name and, where names repeat, its district. The
    three columns come first (`organization_columns()`); `resolve_organizations(rows)` in `plan` turns them into the
    organization's id in bulk, or refuses the row saying why none or several organizations match."""

    organization_label = gettext_lazy("组织名称")

    @classmethod
    def organization_columns(cls) -> list[Column]:
        return [
            Column(
                "organization",
                str(cls.organization_label),
                ("组织", "社会组织名称", "单位名称"),
                required=True,
                help="须已在社会组织名录中",
                example="北京市朝阳区社区服务协会",
            ),
            Column("organization_uscc", "统一社会信用代码", ("信用代码",), help="填了则按代码找组织"),
            Column("organization_district", "组织所属区", ("所属区",), help="按名称找组织时用于区分同名组织"),
        ]

    def load(self) -> None:
        super().load()
        self.parsers.update(organization_uscc=code, organization_district=AreaResolver.load().district)

    def resolve_organizations(self, rows: list[Row]) -> None:
        """Each valid row's `organization` becomes the organization's id; a row naming none, or several, is refused."""
        valid = [row for row in rows if not row.rejected and row.data.get("organization")]
        index = OrganizationIndex()
        index.prepare(
            {row.data["organization_uscc"] for row in valid if row.data.get("organization_uscc")},
            {row.data["organization"] for row in valid},
        )
        for row in valid:
            try:
                row.data["organization"] = index.find(
                    uscc=row.data.pop("organization_uscc", ""),
                    name=row.data["organization"],
                    district=row.data.pop("organization_district", None),
                    label=_("组织"),
                )
            except NormalizeError as error:
                row.reject(_("「%(column)s」%(message)s") % {"column": self.organization_label, "message": error})


def field_resolver() -> NameResolver:
    """Fields of work named in a cell (领域: 教育、养老服务)."""
    return NameResolver(Field, _("中的「%(name)s」不是已有的领域。可选：%(names)s"))


def _example_uscc() -> str:
    body = "51110105MJ0000001"
    return body + stdnum_uscc.calc_check_digit(body)


def uscc_cell(value) -> str:
    """A code cell; the placeholders offices type for "none" count as empty."""
    cleaned = code(value)
    return "" if cleaned in NO_CODE else cleaned


def parse_founded_on(value):
    """Founding dates reach back before 1949 (the Red Cross Society of China: 1904)."""
    return parse_date(value, min_date=EARLIEST_FOUNDING)


def personal_cell(field_name: str):
    """The parser of a personal number's cell: the number in normal form, held as a `PersonalValue` so previews,
    examples and the audit log show it masked; a refusal says why without repeating the number."""
    field = Organization._meta.get_field(field_name)

    def parse(value):
        value = text(value)
        if not value:
            return ""
        if "*" in value:  # a masked number copied from a page or a masked download
            raise NormalizeError(_("是脱敏显示的号码（含*），不能导入：请填写完整号码，或留空以保留已登记的号码。"))
        try:
            return PersonalValue(field.kind, plain=field.kind.normalize(value))
        except ValidationError as error:
            raise NormalizeError("".join(error.messages)) from None

    return parse


def _personal_columns(values: dict) -> None:
    """Encrypted text and keyed hash of the personal numbers in `values` (a row about to be written by COPY)."""
    for name in Organization.PERSONAL_FIELDS:
        value = values.get(name)
        if isinstance(value, PersonalValue):
            values[name], values[f"{name}_hash"] = value.stored(), value.lookup_hash()
        else:
            values[name], values[f"{name}_hash"] = "", ""


def _pk(area):
    return area.pk if area is not None else None


def _model_names(attnames: list[str]) -> list[str]:
    """Field names for attnames (district_id → district)."""
    by_attname = {field.attname: field.name for field in Organization._meta.concrete_fields}
    return [by_attname[name] for name in attnames]


class OrganizationDefinition(ImportDefinition):
    kind = "organizations"
    label = gettext_lazy("社会组织")
    model = Organization
    summary_fields = ("name", "uscc", "kind", "district")
    columns = [
        Column.of(
            Organization,
            "name",
            aliases=("组织名称", "社会组织名称", "单位名称", "机构名称"),
            example="北京市朝阳区阳光志愿者协会",
        ),
        Column.of(
            Organization,
            "uscc",
            aliases=("信用代码", "社会信用代码", "统一代码", "USCC"),
            max_length=None,  # a code of another length is refused by the USCC check, which says why
            help="18位；社区备案组织和未登记组织可为空。按此代码匹配已有组织。",
            example=_example_uscc(),
        ),
        Column.of(
            Organization,
            "kind",
            label="社会组织类型",  # offices' header; the field's 类型 is an alias
            aliases=("组织类型", "类型", "类别", "组织类别"),
            help="社会团体、民办非企业单位（社会服务机构）、基金会、社区社会组织（备案）、草根组织、高校社团、人民团体·群团组织",
            example="社会团体",
        ),
        Column.of(
            Organization,
            "registration_level",
            aliases=("登记级别",),
            help="市级、区级、街道/乡镇（备案）",
            example="区级",
        ),
        Column.of(Organization, "registration_authority", aliases=("登记机关",), example="北京市朝阳区民政局"),
        Column.of(Organization, "supervisory_unit", aliases=("主管单位",), example="北京市朝阳区文化和旅游局"),
        Column.of(
            Organization,
            "legal_representative",
            label="法定代表人",  # offices' header; the field's 法定代表人/负责人 is an alias
            aliases=("负责人", "法定代表人/负责人", "法人代表", "法人"),
            example="张伟",
        ),
        Column.of(
            Organization,
            "legal_representative_id_number",
            aliases=("负责人身份证号码", "负责人身份证号", "法定代表人身份证号码", "法人身份证号"),
            help="18位公民身份号码（15位旧号码自动升位）；加密保存。空则不修改已登记的号码。",
            example="11010519491231002X",
        ),
        Column.of(
            Organization,
            "legal_representative_phone",
            aliases=("联系电话", "法定代表人联系电话", "负责人电话", "负责人联系电话", "法人电话"),
            help="手机号或带区号的固定电话（如 010-62345678）；加密保存。",
            example="13800138000",
        ),
        Column.of(
            Organization,
            "founded_on",
            label="成立登记日期",  # offices' header; the field's 成立日期 is an alias
            aliases=("成立日期", "成立时间", "登记成立日期"),
            help="如 2015-12-01、2015/12/1、2015年12月1日；只写到月份（2015.12）按当月1日。",
            example="2015-12-01",
        ),
        Column.of(Organization, "registered_on", aliases=("登记日期", "备案日期"), example="2015-12-01"),
        Column.of(
            Organization, "address", aliases=("地址", "办公地址", "注册地址", "住址"), example="朝阳区三里屯路19号"
        ),
        Column.of(
            Organization,
            "district",
            aliases=("区", "所在区", "区县", "所属区县", "所在区县"),
            help="如 朝阳区、北京市朝阳区、朝阳；填了街道时可空",
            example="朝阳区",
        ),
        Column.of(
            Organization,
            "street",
            label="所属街道",  # offices' header; the field's 所属街道/乡镇 is an alias
            aliases=("街道", "街道/乡镇", "所属街道/乡镇", "街乡", "所在街道", "所属街乡", "乡镇"),
            help="在所属区内解析，如 三里屯街道、三里屯",
            example="三里屯街道",
        ),
        Column.of(
            Organization,
            "fields",
            aliases=("活动领域", "业务领域", "所属领域", "服务领域"),
            help="可填多个，用顿号或逗号分隔",
            example="志愿服务、社区服务",
        ),
        Column.of(
            Organization, "status", aliases=("登记状态",), help="正常、已注销、已撤销登记；空为正常", example="正常"
        ),
        Column.of(
            Organization,
            "active_until",
            aliases=("存续至",),
            help="存续的最后一天，即注销或撤销之日的前一天；也可填「注销/撤销日期」列（注销或撤销之日），导入时减去一天",
        ),
        Column(  # an event date offices keep: converted into active_until in validate_row
            "dissolved_on",
            "注销/撤销日期",
            ("注销日期", "撤销日期"),
            help="注销或撤销之日；导入时记为其前一天的存续截止日期",
            in_template=False,
        ),
        Column.of(Organization, "staff_count", aliases=("专职人数", "从业人员数"), example="3"),
        Column.of(Organization, "member_count", aliases=("会员数量",), example="120"),
        Column.of(Organization, "party_member_count", aliases=("党员人数",), example="2"),
        Column.of(Organization, "former_names"),
        Column.of(Organization, "note", aliases=("说明",)),
    ]

    updates_may_omit_required = True
    identifying_columns = (("uscc",), ("name", "district"), ("name", "street"))
    DATE_FIELDS = ("founded_on", "registered_on", "active_until")
    INT_FIELDS = ("staff_count", "member_count", "party_member_count")

    def load(self) -> None:
        super().load()
        self.areas = AreaResolver.load()
        kinds = ChoiceResolver(OrganizationKind, ORGANIZATION_KIND_SYNONYMS)
        levels = ChoiceResolver(RegistrationLevel, {"市": "city", "区": "district", "街道": "street", "备案": "street"})
        statuses = ChoiceResolver(
            OrganizationStatus, {"存续": "active", "活动": "active", "注销": "deregistered", "撤销": "revoked"}
        )
        self.parsers.update(
            uscc=uscc_cell,
            kind=kinds.resolve,
            registration_level=levels.resolve,
            status=statuses.resolve,
            fields=field_resolver().many,
            district=self.areas.district,
            street=lambda value: value,  # resolved in validate_row, within the row's district
            **dict.fromkeys((*self.DATE_FIELDS, "dissolved_on"), parse_date),
            **dict.fromkeys(self.INT_FIELDS, parse_int),
            **{name: personal_cell(name) for name in Organization.PERSONAL_FIELDS},
        )
        self.parsers["founded_on"] = parse_founded_on
        self.today = timezone.localdate()
        self._name_keys: dict[str, str] = {}

    def name_key(self, name: str) -> str:
        """`normalize.name_key`, once per name in a run (rows and stored records ask for the same names again)."""
        key = self._name_keys.get(name)
        if key is None:
            key = self._name_keys[name] = name_key(name)
        return key

    def validate_row(self, row: Row) -> None:
        data = row.data
        if "street" in data:
            try:
                street = self.areas.street(data["street"], data.get("district"))
            except NormalizeError as error:
                row.reject(_("「所属街道」%(message)s") % {"message": error}, "street")
                return
            data["street"] = street
            if street is not None and "district" not in data:
                data["district"] = street.parent
        if "uscc" in data:
            try:
                data["uscc"] = uscc_validate(data["uscc"])
                if "kind" not in data and data["uscc"][0] == "5" and data["uscc"][1] in KIND_BY_CATEGORY:
                    data["kind"] = KIND_BY_CATEGORY[data["uscc"][1]]
                if data.get("kind"):
                    uscc_validate_kind(data["uscc"], data["kind"])
            except ValidationError as error:
                row.reject(_("「统一社会信用代码」%(message)s") % {"message": "".join(error.messages)}, "uscc")
        if "dissolved_on" in data:
            self._convert_event_date(row)
        self.reject_by_rules(row, Organization.value_errors(data, today=self.today))  # what clean() checks
        founded = data.get("founded_on")
        if founded and data.get("active_until") and data["active_until"] < founded:
            row.reject(_("「存续截止日期」不能早于成立日期。"))
        if (
            data.get("active_until")
            and data.get("status", OrganizationStatus.DEREGISTERED) == OrganizationStatus.ACTIVE
        ):
            row.reject(_("「状态」为正常，却填了存续截止日期。"))
        if data.get("uscc"):
            row.key = ("uscc", data["uscc"])
        elif data.get("district") and data.get("name"):
            row.key = ("name", data["district"].pk, self.name_key(data["name"]))
        else:  # without a code, the name and the district are what identifies the organization
            self.reject_missing(row)

    def _convert_event_date(self, row: Row) -> None:
        """A 注销/撤销日期 cell is the day of the event; the organization's last active day is the day before."""
        event = row.data.pop("dissolved_on")
        until = end_before(event)
        if row.data.get("active_until", until) != until:
            row.reject(
                _("「存续截止日期」%(until)s 与「注销/撤销日期」%(event)s 不符：存续截止日期是注销或撤销之日的前一天。")
                % {"until": row.data["active_until"], "event": event},
                "active_until",
            )
            return
        row.data["active_until"] = until
        row.notes.append(
            _("「注销/撤销日期」%(event)s 按存续截止日期 %(until)s 导入（注销或撤销之日的前一天）。")
            % {"event": event, "until": until}
        )

    # --- plan -----------------------------------------------------------------------------------------------------

    def plan(self, rows: list[Row]) -> None:
        same = _("与第%(row)d行是同一组织（统一社会信用代码或区内名称相同），本行未导入。")
        self.reject_duplicates_in_file(rows, same)
        first_by_name: dict[tuple, Row] = {}  # a row without a code and a row with one, same name in the district
        for row in rows:
            if row.rejected or not (row.data.get("district") and row.data.get("name")):
                continue
            earlier = first_by_name.setdefault((row.data["district"].pk, self.name_key(row.data["name"])), row)
            if earlier is not row and not (earlier.data.get("uscc") and row.data.get("uscc")):
                row.reject(same % {"row": earlier.number})
        valid = [row for row in rows if not row.rejected]
        by_uscc = self._existing_by_uscc([row.data["uscc"] for row in valid if row.data.get("uscc")])
        unmatched = [row for row in valid if by_uscc.get(row.data.get("uscc")) is None]
        by_name = self._existing_by_name(unmatched)
        matched: dict[int, Row] = {}
        for row in valid:
            pk = by_uscc.get(row.data.get("uscc"))
            if pk is None and by_name and row.data.get("district") and row.data.get("name"):
                candidates = by_name.get((row.data["district"].pk, self.name_key(row.data["name"])), [])
                if row.data.get("uscc"):  # a code not yet known: it may be the first code of a filed organization
                    candidates = [c for c in candidates if not c[1]]
                if len(candidates) > 1:
                    row.reject(
                        _("所属区内有%(count)d个同名组织，无法判断是哪一个：请填写统一社会信用代码。")
                        % {"count": len(candidates)}
                    )
                    continue
                pk = candidates[0][0] if candidates else None
            if pk is not None:
                if pk in matched:
                    row.reject(_("与第%(row)d行匹配到同一个已有组织，本行未导入。") % {"row": matched[pk].number})
                    continue
                matched[pk] = row
            row.pk = pk
        existing = self._existing_values(list(matched))
        self._check_scope(matched, existing)
        self.load_unmaskable(list(matched))
        for row in valid:
            self._settle_status(row, existing.get(row.pk) if row.pk else None)
            if row.pk is None:
                self.reject_missing(row)  # a new organization needs every required cell
            if not row.rejected:
                self.settle(row, existing.get(row.pk) if row.pk else None)
                if row.outcome == RowOutcome.UPDATED:
                    self._check_merged_dates(row, existing[row.pk])
        for row in rows:  # a refused row that matches nothing: say also which required cells are empty
            if row.rejected and row.pk is None:
                self.reject_missing(row)

    def _settle_status(self, row: Row, stored: dict | None) -> None:
        """A dissolution date without a status means deregistered (a stored revocation stays a revocation); a new
        organization that is deregistered or revoked needs its date (an update may rely on the stored one)."""
        data = row.data
        stored_status = stored["status"] if stored else OrganizationStatus.ACTIVE
        if data.get("active_until") and "status" not in data and stored_status == OrganizationStatus.ACTIVE:
            data["status"] = OrganizationStatus.DEREGISTERED
        if (
            stored is None
            and data.get("status", "active") != OrganizationStatus.ACTIVE
            and not data.get("active_until")
        ):
            row.reject(_("「存续截止日期」已注销或撤销的组织须填写存续截止日期。"), "active_until")

    def _existing_by_uscc(self, codes: list[str]) -> dict[str, int]:
        found = {}
        for start in range(0, len(codes), LOOKUP_CHUNK):
            chunk = codes[start : start + LOOKUP_CHUNK]
            found.update(Organization.objects.filter(uscc__among=set(chunk)).values_list("uscc", "pk"))
        return found

    def _existing_by_name(self, rows: list[Row]) -> dict[tuple, list[tuple[int, str | None]]]:
        """Stored organizations of the rows' districts by (district, folded name); names are folded only when the
        districts hold organizations at all."""
        rows = [row for row in rows if row.data.get("district") and row.data.get("name")]
        index = defaultdict(list)
        districts = {row.data["district"].pk for row in rows}
        stored = list(
            Organization.objects.filter(district_id__among=districts).values_list("pk", "name", "district_id", "uscc")
        )
        if not stored:
            return index
        wanted = {(row.data["district"].pk, self.name_key(row.data["name"])) for row in rows}
        for pk, name, district_id, uscc in stored:
            key = (district_id, self.name_key(name))
            if key in wanted:
                index[key].append((pk, uscc))
        return index

    def _existing_values(self, pks: list[int]) -> dict[int, dict]:
        names = [column.field for column in self.columns if column.field not in ("fields", "dissolved_on")]
        values: dict[int, dict] = {}
        field_ids = defaultdict(set)
        through = Organization.fields.through
        columns = ["pk", *[f"{name}_id" if name in AREA_FIELDS else name for name in names]]
        keys = ["pk", *names]
        for start in range(0, len(pks), LOOKUP_CHUNK):
            chunk = pks[start : start + LOOKUP_CHUNK]
            for record in Organization.objects.filter(pk__among=set(chunk)).values_list(*columns):
                values[record[0]] = dict(zip(keys, record, strict=True))
            for organization_id, field_id in through.objects.filter(organization_id__among=set(chunk)).values_list(
                "organization_id", "field_id"
            ):
                field_ids[organization_id].add(field_id)
        for pk, record in values.items():
            record["fields"] = frozenset(field_ids[pk])
        return values

    def settle(self, row: Row, existing: dict | None) -> None:
        if existing is None:
            row.outcome, row.stale_since = RowOutcome.NEW, row.data.get("founded_on")
            return
        compare = {name: (value.pk if name in AREA_FIELDS and value else value) for name, value in row.data.items()}
        blind = self.write_only_fields(row)  # personal numbers the user may not see: written, never compared
        row.changes = {
            name: row.data[name] for name, value in compare.items() if name in blind or existing.get(name) != value
        }
        row.before = {name: existing.get(name) for name in row.changes}
        row.outcome = RowOutcome.UPDATED if row.changes else RowOutcome.UNCHANGED
        self.note_write_only(row, blind)
        if COVERAGE_FIELDS.intersection(row.changes):
            row.stale_since = min(existing["founded_on"], row.data.get("founded_on") or existing["founded_on"])

    def _check_merged_dates(self, row: Row, existing: dict) -> None:
        """An update that leaves the record inconsistent with what is stored (dates, status) is refused."""
        merged = {**existing, **{k: v for k, v in row.data.items() if k not in ("district", "street")}}
        if merged.get("active_until") and merged["active_until"] < merged["founded_on"]:
            row.reject(_("更新后存续截止日期会早于成立日期。"))
        elif (merged.get("status") == OrganizationStatus.ACTIVE) != (merged.get("active_until") is None):
            row.reject(_("更新后状态与存续截止日期不一致：已注销或撤销的组织须有存续截止日期，正常存续的组织不能有。"))
        elif "district" in row.changes and "street" not in row.data and existing.get("street"):
            row.reject(_("改了所属区，请同时填写新区内的所属街道。"))
        elif "uscc" in row.changes and existing.get("uscc"):
            row.reject(
                _("已有组织的统一社会信用代码是%(old)s，与文件中的%(new)s不同；请在组织页面核实后修改。")
                % {"old": existing["uscc"], "new": row.data["uscc"]}
            )
        elif merged.get("uscc") and merged.get("kind"):
            try:
                uscc_validate_kind(merged["uscc"], merged["kind"])
            except ValidationError as error:
                row.reject(_("「统一社会信用代码」%(message)s") % {"message": "".join(error.messages)})
        if not row.rejected:  # the model's own rules on the record as it will be, about what the row changes
            changed = set(row.changes) | ({"registered_on"} if "founded_on" in row.changes else set())
            errors = Organization.value_errors(merged, today=self.today)
            self.reject_by_rules(row, {name: found for name, found in errors.items() if name in changed})
        if row.rejected:
            row.outcome, row.changes = RowOutcome.REJECTED, {}

    def _check_scope(self, matched: dict[int, Row], existing: dict[int, dict]) -> None:
        if self.user is None or not matched:
            return
        allowed = self.within_scope(Organization, "change", list(matched))
        if allowed is None:
            return
        for pk, row in matched.items():
            if pk not in allowed:
                row.reject(_("已有的同一组织不在您可修改的范围内。"))

    # --- write (`apply` records, re-checks and marks stale) ----------------------------------------------------------

    def write(self, new: list[Row], updated: list[Row]) -> None:
        field_rows = self._insert(new)
        if updated:
            field_rows += self._update(updated)
        insert_rows(Organization.fields.through, ("organization_id", "field_id"), field_rows)

    def record_text(self, row: Row) -> str | None:
        return row.data.get("name")  # an organization's text is its name

    def _insert(self, new: list[Row]) -> list[tuple[int, int]]:
        """Insert the new organizations (ids first, then one COPY); returns their (organization, field) pairs. The
        records are built while the COPY streams, so the database stores one while the next is made."""
        created, updated_at = timestamps()
        names = [field.attname for field in Organization._meta.concrete_fields if field.attname != "id"]
        defaults = {field.attname: field.get_default() for field in Organization._meta.concrete_fields}
        defaults.update(created_at=created, updated_at=updated_at, status=OrganizationStatus.ACTIVE)
        for name in ("former_names", "registration_level", "registration_authority", "supervisory_unit", "address",
                     "legal_representative", "note"):  # fmt: skip
            defaults[name] = ""
        ids = allocate_ids(Organization, len(new))
        field_rows = []

        def records():
            for row, pk in zip(new, ids, strict=True):
                row.pk = pk
                values = {**defaults, **row.data}
                values["district_id"] = values.pop("district").pk
                values["street_id"] = _pk(values.pop("street", None))
                fields = values.pop("fields", ())
                _personal_columns(values)
                field_rows.extend((pk, field_id) for field_id in fields)
                yield (pk, *[values[name] for name in names])

        insert_rows(
            Organization, ("id", *[Organization._meta.get_field(n).column for n in _model_names(names)]), records()
        )
        return field_rows

    def _update(self, updated: list[Row]) -> list[tuple[int, int]]:
        now = timezone.now()
        by_pk, pks = {}, [row.pk for row in updated]
        for start in range(0, len(pks), CHUNK):
            by_pk.update(Organization.objects.in_bulk(pks[start : start + CHUNK]))
        objects, changed, field_rows = [], set(), []
        for row in updated:
            obj = by_pk[row.pk]
            for name, value in row.changes.items():
                if name != "fields":
                    setattr(obj, name, value)
                if name in Organization.PERSONAL_FIELDS:  # bulk_update runs no pre_save: the hash is set here
                    setattr(obj, f"{name}_hash", value.lookup_hash())
                    changed.add(f"{name}_hash")
            obj.updated_at = now
            objects.append(obj)
            changed.update(row.changes)
        scalar = sorted(changed - {"fields"}) + ["updated_at"]
        Organization.objects.bulk_update(objects, scalar, batch_size=CHUNK)
        refields = [row for row in updated if "fields" in row.changes]
        through = Organization.fields.through
        for start in range(0, len(refields), CHUNK):
            through.objects.filter(organization_id__in=[row.pk for row in refields[start : start + CHUNK]]).delete()
        for row in refields:
            field_rows += [(row.pk, field_id) for field_id in row.changes["fields"]]
        return field_rows
