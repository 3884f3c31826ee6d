"""Write the planned demo city into an empty, migrated database, in one transaction, with bulk inserts.

Signals do not fire on bulk_create, so the coverage trend is recomputed once at the end.
"""

import time
from collections import Counter
from datetime import date

from django.db import transaction

from shuniu import audit
from shuniu.areas.choices import AreaLevel
from shuniu.areas.models import Area
from shuniu.hubs.choices import HubLevel
from shuniu.hubs.models import Hub, Link, System
from shuniu.hubs.selectors import organizations_counted_on, organizations_covered_on
from shuniu.indicators.selectors import covered_count
from shuniu.indicators.services import trend_refresh
from shuniu.organizations.models import Field, Organization

from .plan import FIRST_COUNT_DAY, HEADLINE_DAY, HORIZON, THREE, Planner, legal_representative_numbers

BATCH_SIZE = 2000


class DemoError(Exception):
    """The demo city cannot be built here (the database is not empty, or not migrated)."""


def _say(stdout, message: str) -> None:
    if stdout is not None:
        stdout.write(message + "\n")


def _reference():
    districts = list(Area.objects.filter(level=AreaLevel.DISTRICT).order_by("code").values_list("code", "name"))
    streets = list(
        Area.objects.filter(level=AreaLevel.STREET).order_by("code").values_list("code", "name", "kind", "parent__code")
    )
    fields = dict(Field.objects.values_list("code", "pk"))
    systems = dict(System.objects.values_list("code", "pk"))
    if not districts or not streets or not fields or not systems:
        raise DemoError("区划、领域或条线数据缺失：请先运行 migrate（它们由数据迁移载入）。")
    return districts, streets, fields, systems


def _write_organizations(plan: Planner, area_pk: dict, field_pk: dict) -> list[int]:
    numbers = legal_representative_numbers(plan.seed, plan.orgs)
    rows = [
        Organization(
            name=o.name,
            former_names=o.former,
            uscc=o.uscc,
            kind=o.kind,
            registration_level=o.reg_level,
            registration_authority=o.authority,
            supervisory_unit=o.supervisor,
            district_id=area_pk[o.district],
            street_id=area_pk[o.street] if o.street else None,
            address=o.address,
            legal_representative=o.legal,
            legal_representative_id_number=numbers[o.idx][0],
            legal_representative_phone=numbers[o.idx][1],
            founded_on=o.founded,
            registered_on=o.registered,
            status=o.status,
            active_until=o.until,
            staff_count=o.staff,
            member_count=o.members,
            party_member_count=o.party,
        )
        for o in plan.orgs
    ]
    Organization.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    pks = [row.pk for row in rows]
    if any(pk is None for pk in pks):  # a backend that cannot return ids from a bulk insert
        by_uscc_or_name = {(row.uscc or row.name): row.pk for row in Organization.objects.only("pk", "uscc", "name")}
        pks = [by_uscc_or_name[o.uscc or o.name] for o in plan.orgs]
    Through = Organization.fields.through
    Through.objects.bulk_create(
        [Through(organization_id=pks[o.idx], field_id=field_pk[code]) for o in plan.orgs for code in o.fields],
        batch_size=BATCH_SIZE * 2,
    )
    return pks


def _write_hubs(plan: Planner, org_pks: list, area_pk: dict, field_pk: dict, system_pk: dict) -> list[int]:
    hub_pks = [None] * len(plan.hubs)
    for level in (AreaLevel.CITY, AreaLevel.DISTRICT, AreaLevel.STREET):  # parents first
        hubs = [hub for hub in plan.hubs if hub.level == level]
        rows = [
            Hub(
                organization_id=org_pks[hub.org.idx],
                level=hub.level,
                area_id=area_pk[hub.area],
                system_id=system_pk[hub.system],
                batch=hub.batch,
                recognized_on=hub.recognized,
                recognized_until=hub.until,
                parent_id=hub_pks[hub.parent.idx] if hub.parent else None,
            )
            for hub in hubs
        ]
        Hub.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        if any(row.pk is None for row in rows):
            by_org = dict(Hub.objects.filter(level=level).values_list("organization_id", "pk"))
            for row in rows:
                row.pk = by_org[row.organization_id]
        for hub, row in zip(hubs, rows, strict=True):
            hub_pks[hub.idx] = row.pk
    Through = Hub.fields.through
    Through.objects.bulk_create(
        [Through(hub_id=hub_pks[hub.idx], field_id=field_pk[code]) for hub in plan.hubs for code in hub.fields],
        batch_size=BATCH_SIZE * 2,
    )
    return hub_pks


def _write_links(plan: Planner, org_pks: list, hub_pks: list) -> None:
    Link.objects.bulk_create(
        [
            Link(
                hub_id=hub_pks[link.hub.idx],
                organization_id=org_pks[link.org.idx],
                role=link.role,
                start_date=link.start,
                end_date=link.end,
                basis=link.basis,
                note=link.note,
            )
            for link in plan.links
        ],
        batch_size=BATCH_SIZE,
    )


def _summary(plan: Planner, seed: int, scale: float, started: float) -> dict:
    counted = organizations_counted_on(day=HEADLINE_DAY).count()
    covered = organizations_covered_on(day=HEADLINE_DAY).count()
    three = list(System.objects.filter(code__in=THREE))

    def city(day):
        total = covered_count(day=day, user=None, level=HubLevel.CITY)
        by_three = sum(covered_count(day=day, user=None, level=HubLevel.CITY, system=system) for system in three)
        return {"all": total, "union_youth_women": by_three}

    registered_2010 = Counter(
        Organization.objects.on(date(2010, 12, 31))
        .filter(kind__in=["social_group", "private_non_enterprise", "foundation"])
        .values_list("kind", flat=True)
    )
    return {
        "seed": seed,
        "scale": scale,
        "hubs": dict(Counter(hub.level for hub in plan.hubs)),
        "organizations": len(plan.orgs),
        "organizations_by_kind": dict(Counter(o.kind for o in plan.orgs)),
        "links": len(plan.links),
        "coverage_2015_06_30": {
            "covered": covered,
            "counted": counted,
            "rate": round(100 * covered / counted, 2) if counted else None,
        },
        "city_hubs_linked": {str(FIRST_COUNT_DAY): city(FIRST_COUNT_DAY), str(HEADLINE_DAY): city(HEADLINE_DAY)},
        "registered_active_2010_12_31": dict(registered_2010),
        "seconds": round(time.perf_counter() - started, 1),
        **({"warnings": warnings} if (warnings := _warnings(plan)) else {}),
    }


def _warnings(plan: Planner) -> list[str]:
    """What the plan could not make exact (only at very small scales, where the fixed hubs outweigh the rest)."""
    stats, out = plan.stats, []
    for kind, excess in stats["clamped"].items():
        out.append(f"{kind}: 枢纽和分支机构已超出 2010-12-31 的目标数 {excess} 个")
    if stats.get("coverage_short"):
        out.append(f"2015-06-30 覆盖数比目标少 {stats['coverage_short']} 个")
    if stats["field_fallbacks"]:
        out.append(f"{stats['field_fallbacks']} 个组织为凑足市级枢纽联系数补加了领域")
    return out


def build(*, scale: float = 1.0, seed: int = 2015, stdout=None) -> dict:
    """Fill an empty, migrated database with the demo city; the same seed and scale give the same city.

    Hubs: 36 city, 211 district, 403 street at every scale; organizations and links scale with `scale`
    (1 ≈ 32,000 social organizations counted on 2015-06-30). Returns a summary of what was built.
    """
    started = time.perf_counter()
    if not scale or scale <= 0:
        raise DemoError("规模须大于 0。")
    if Organization.objects.exists():
        raise DemoError("数据库中已有社会组织：示范城市只能在空数据库中生成（请换一个数据库，或先清空）。")
    districts, streets, field_pk, system_pk = _reference()
    area_pk = dict(Area.objects.values_list("code", "pk"))

    _say(stdout, f"规划示范城市（规模 {scale}，种子 {seed}）……")
    try:
        plan = Planner(
            seed=seed, scale=scale, districts=districts, streets=streets, fields=field_pk, systems=system_pk
        ).plan()
    except ValueError as error:
        raise DemoError(f"无法规划示范城市：{error}") from error
    with transaction.atomic(), audit.disabled():  # a generated city, not changes anyone made: no audit records
        _say(stdout, f"写入 {len(plan.orgs):,} 个组织……")
        org_pks = _write_organizations(plan, area_pk, field_pk)
        _say(stdout, f"写入 {len(plan.hubs):,} 个枢纽型社会组织……")
        hub_pks = _write_hubs(plan, org_pks, area_pk, field_pk, system_pk)
        _say(stdout, f"写入 {len(plan.links):,} 条联系关系……")
        _write_links(plan, org_pks, hub_pks)
        _say(stdout, "计算历年覆盖率……")
        trend_refresh(until=HORIZON, force=True)
    return _summary(plan, seed, scale, started)
