"""The demo city planned in memory from one `random.Random(seed)`: hubs, organizations and dated links.

Nothing here touches the database (`shuniu.demo.builder` writes the plan), and nothing depends on today's date:
the history runs from founding dates in the 1980s–1990s to `HORIZON`.

The published seed figures are built in by construction, not by luck:

- on `FIRST_COUNT_DAY` the city hubs link exactly their pre-2009 branches (358; 46 under union, youth league and
  women's federation): only the branches' links start on the first batch's recognition day, every other link to a
  city hub starts on `CITY_LINKS_FROM` or later;
- on `REGISTERED_DAY` exactly 3,235 social groups, 3,824 private non-enterprise units and 157 foundations are active
  (hub organizations and branches included);
- on `HEADLINE_DAY` each city hub has an exact number of linked organizations (11,977 in all, 10,965 under the three
  systems), every organization holding at most one city link on any day, and 87 % of the counted organizations are
  covered: the covered set is chosen first, then each organization gets a history that makes it so.

Link rules hold by construction: an organization's links form one chain (consecutive, never overlapping: the only
ones that may manage) plus at most one concurrent "extra" link (contact or serve, to a hub not in the chain); a link
starts while its hub is recognised and not after the organization's last active day, and never at the organization's
own hub. Counts scale with `scale`; hub counts do not.

Hubs and organizations are planned with the day of the event that ends them (`revoked`, `dissolved`: no longer a hub
or active that day); what is stored, and every "on day D" test here, is their last valid day, `until`
(`shuniu.core.dated`).
"""

import math
import random
from datetime import date, timedelta

from stdnum.cn import uscc as stdnum_uscc

from shuniu.core.dated import end_before, is_on

from . import words as W

DAY = timedelta(days=1)
HORIZON = date(2026, 6, 30)
FIRST_COUNT_DAY = date(2009, 3, 31)
REGISTERED_DAY = date(2010, 12, 31)
HEADLINE_DAY = date(2015, 6, 30)
CITY_LINKS_FROM = date(2009, 4, 1)

THREE = ("union", "youth_league", "womens_federation")
REGISTERED = ("social_group", "private_non_enterprise", "foundation")
CATEGORY = {"social_group": "1", "private_non_enterprise": "2", "foundation": "3"}
USCC_ALNUM = "0123456789ABCDEFGHJKLMNPQRTUWXY"

#: Seed 000: branches of the first batch before 2009, per system (46 under the three, 358 in all).
BRANCHES = {
    "union": 20,
    "youth_league": 14,
    "womens_federation": 12,
    "science": 170,
    "social_sciences": 95,
    "literature_art": 14,
    "law_society": 18,
    "disabled": 8,
    "overseas_chinese": 4,
    "red_cross": 3,
}
#: Seed 000: organizations linked to each city hub on HEADLINE_DAY (10,965 under the three, 11,977 in all).
CITY_LINKED = {
    "北京市总工会": 380,
    "共青团北京市委员会": 7950,
    "北京市妇女联合会": 2635,
    "北京市科学技术协会": 280,
    "北京市残疾人联合会": 232,
    "北京市归国华侨联合会": 10,
    "北京市文学艺术界联合会": 60,
    "北京市社会科学界联合会": 120,
    "北京市红十字会": 10,
    "北京市法学会": 30,
    "北京市工商业联合会": 14,
    "中国国际贸易促进委员会北京市分会": 5,
    "北京市私营个体经济协会": 12,
    "北京市体育总会": 32,
    "北京市志愿者联合会": 30,
    "首都慈善公益组织联合会": 22,
    "北京注册会计师协会": 4,
    "北京市律师协会": 4,
    "北京工业经济联合会": 8,
    "北京市商业联合会": 8,
    "北京市建筑业联合会": 5,
    "北京民办教育协会": 16,
    "北京市老龄协会": 20,
    "北京市计划生育协会": 10,
    "北京市社会工作者协会": 12,
    "北京市社区服务协会": 8,
    "北京市社会组织联合会": 10,
    "中关村社会组织联合会": 8,
    "北京市旅游行业协会": 5,
    "北京市物业管理行业协会": 4,
    "北京市农村专业技术协会": 8,
    "北京市企业联合会": 5,
    "北京市文化创意产业促进会": 6,
    "北京市台湾同胞联谊会": 3,
    "北京市慈善协会": 6,
    "北京市社会心理工作联合会": 5,
}
#: Seed 002: registered organizations active on REGISTERED_DAY.
REGISTERED_ACTIVE = {"social_group": 3235, "private_non_enterprise": 3824, "foundation": 157}
#: Seed 000: coverage on HEADLINE_DAY.
COVERAGE_RATE = 0.87

#: Registered organizations dissolved by REGISTERED_DAY (share of the active ones), and founded after it.
REGISTERED_GONE_SHARE = 0.07
REGISTERED_LATER = {"social_group": 1900, "private_non_enterprise": 3700, "foundation": 480}
#: Share of the organizations active on REGISTERED_DAY that are dissolved later (by HORIZON).
REGISTERED_DISSOLVE = {"social_group": 0.14, "private_non_enterprise": 0.18, "foundation": 0.05}
#: Filed and unregistered organizations ever founded (scale 1), and the share dissolved by HORIZON.
UNREGISTERED = {"community": 26500, "grassroots": 9000, "university_club": 6000}
UNREGISTERED_DISSOLVE = {"community": 0.12, "grassroots": 0.25, "university_club": 0.30}

#: Year weights of founding.
FOUNDED_YEARS = {
    "registered": {y: y - 1984 for y in range(1988, 2011)},
    "community": {
        **{y: 1 for y in range(1998, 2005)},
        **{y: 3 for y in range(2005, 2008)},
        2008: 6,
        **{y: 9 for y in range(2009, 2015)},
        **{y: 5 for y in range(2015, 2020)},
        **{y: 4 for y in range(2020, 2026)},
        2026: 2,
    },
    "grassroots": {
        **{y: 2 for y in range(2003, 2008)},
        **{y: 6 for y in range(2008, 2016)},
        **{y: 4 for y in range(2016, 2026)},
        2026: 2,
    },
    "university_club": {**{y: 2 for y in range(1995, 2005)}, **{y: 5 for y in range(2005, 2026)}, 2026: 2},
}
#: Year weights of the day an organization covered on HEADLINE_DAY was first linked (city / local hubs).
CITY_YEARS = {2009: 20, 2010: 21, 2011: 21, 2012: 15, 2013: 11, 2014: 9, 2015: 3}
LOCAL_YEARS = {2009: 7, 2010: 24, 2011: 25, 2012: 19, 2013: 13, 2014: 9, 2015: 2}
#: Year weights of links that start after HEADLINE_DAY.
LATER_YEARS = {
    2015: 4,
    2016: 14,
    2017: 14,
    2018: 13,
    2019: 12,
    2020: 10,
    2021: 8,
    2022: 7,
    2023: 6,
    2024: 5,
    2025: 4,
    2026: 2,
}
#: Year weights of district and street hub recognition: the six core district hubs come first.
DISTRICT_CORE_YEARS = {2010: 55, 2011: 30, 2012: 10, 2013: 5}
DISTRICT_OTHER_YEARS = {2010: 20, 2011: 25, 2012: 22, 2013: 18, 2014: 15}
STREET_YEARS = {2011: 25, 2012: 28, 2013: 22, 2014: 15, 2015: 10}
STREET_KIND_WEIGHT = {"street": 1.0, "area_office": 1.0, "town": 0.6, "township": 0.35, "other": 0.08}
CORE_DISTRICTS = ("110101", "110102", "110105", "110108")
#: Number of hubs: fixed at every scale (seed 000).
DISTRICT_HUB_COUNT = 211
STREET_HUB_COUNT = 403
REVOKED_DISTRICT_HUBS = 3
REVOKED_STREET_HUBS = 10


class Hub:
    __slots__ = (
        "idx",
        "org",
        "level",
        "area",
        "district",
        "street",
        "system",
        "fields",
        "batch",
        "recognized",
        "revoked",
        "parent",
        "name",
        "core",
    )

    def __init__(self, **values):
        self.revoked = None
        self.parent = None
        self.district = None
        self.street = None
        self.core = False
        for key, value in values.items():
            setattr(self, key, value)

    @property
    def until(self):
        """The recognition's last day (the day before `revoked`, the day it was revoked): `core.dated`."""
        return end_before(self.revoked)

    def ok(self, day) -> bool:
        return is_on(self.recognized, self.until, day)

    def __repr__(self):
        return f"<Hub {self.name}>"


class Org:
    __slots__ = (
        "idx",
        "name",
        "former",
        "uscc",
        "kind",
        "fields",
        "reg_level",
        "authority",
        "supervisor",
        "district",
        "street",
        "address",
        "legal",
        "founded",
        "registered",
        "status",
        "dissolved",
        "staff",
        "members",
        "party",
        "hub",
        "branch_of",
        "links",
        "cands",
    )

    def __init__(self, **values):
        self.hub = None
        self.branch_of = None
        self.links = []
        self.cands = None
        for key, value in values.items():
            setattr(self, key, value)

    @property
    def until(self):
        """The last active day (the day before `dissolved`, the day it was deregistered or revoked): `core.dated`."""
        return end_before(self.dissolved)

    def active_on(self, day) -> bool:
        return is_on(self.founded, self.until, day)


class Link:
    __slots__ = ("hub", "org", "role", "start", "end", "basis", "note", "extra")

    def __init__(self, hub, org, role, start, end=None, basis="", note="", extra=False):
        self.hub, self.org, self.role, self.start, self.end = hub, org, role, start, end
        self.basis, self.note, self.extra = basis, note, extra

    def valid_on(self, day) -> bool:
        return is_on(self.start, self.end, day)


def apportion(total: int, weights: dict) -> dict:
    """Split `total` in proportion to `weights` (largest remainder; ties go to the earlier key)."""
    if total <= 0 or not weights:
        return {key: 0 for key in weights}
    whole = sum(weights.values())
    exact = {key: total * weight / whole for key, weight in weights.items()}
    shares = {key: int(math.floor(value)) for key, value in exact.items()}
    order = sorted(weights, key=lambda key: (-(exact[key] - shares[key]), list(weights).index(key)))
    for key in order[: total - sum(shares.values())]:
        shares[key] += 1
    return shares


def orgcode_check(body: str) -> str:
    """Check character of an 8-character organization code (GB 11714)."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body, weights, strict=True))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


class Planner:
    def __init__(self, *, seed: int, scale: float, districts, streets, fields, systems):
        """`districts`: [(code, name)]; `streets`: [(code, name, kind, district code)]; `fields`, `systems`: codes."""
        self.rng = random.Random(seed)
        self.seed, self.scale = seed, scale
        self.districts = list(districts)
        self.district_name = dict(self.districts)
        self.streets = list(streets)
        self.street_info = {code: (name, kind, district) for code, name, kind, district in self.streets}
        self.streets_of = {code: [s for s in self.streets if s[3] == code] for code, _ in self.districts}
        self.field_codes, self.system_codes = set(fields), set(systems)
        self.orgs: list[Org] = []
        self.hubs: list[Hub] = []
        self.links: list[Link] = []
        self.names: set[str] = set()
        self.usccs: set[str] = set()
        self.serial = self.rng.randint(100_000, 900_000)
        self.stats = {"name_fallbacks": 0, "field_fallbacks": 0, "clamped": {}}
        # weighted street list for placing organizations
        self._street_pool = [s[0] for s in self.streets]
        self._street_cum = self._cumulative(
            [
                W.DISTRICT_WEIGHTS.get(s[3], 50)
                * STREET_KIND_WEIGHT.get(s[2], 0.5)
                / sum(STREET_KIND_WEIGHT.get(t[2], 0.5) for t in self.streets_of[s[3]])
                for s in self.streets
            ]
        )
        self._surname_cum = self._cumulative([1 / (rank + 8) for rank in range(len(W.SURNAMES))])
        self._cum = {}  # cumulative weights of word lists and year tables (the key objects are kept alive here)
        self._stems = {}

    # ---------------------------------------------------------------------------------------------------------
    # small helpers
    # ---------------------------------------------------------------------------------------------------------

    def n(self, value: float) -> int:
        """A seed figure at this scale, rounded half up."""
        return int(math.floor(value * self.scale + 0.5))

    @staticmethod
    def _cumulative(weights):
        total, out = 0.0, []
        for weight in weights:
            total += weight
            out.append(total)
        return out

    def pick(self, items, weights=None):
        """One weighted item of a (word, fields, weight) tuple list, or of `items` with `weights`."""
        if weights is not None:
            return self.rng.choices(items, weights=weights)[0]
        key = id(items)
        if key not in self._cum:
            self._cum[key] = (items, self._cumulative([item[2] for item in items]))
        return self.rng.choices(items, cum_weights=self._cum[key][1])[0]

    def day_between(self, low: date, high: date) -> date:
        if high <= low:
            return low
        return low + timedelta(days=self.rng.randint(0, (high - low).days))

    def day_by_years(self, weights: dict, low: date, high: date) -> date:
        """A day in [low, high]: the year drawn by `weights` (restricted to the range), then a uniform day."""
        key = (id(weights), low.year, high.year)
        if key not in self._cum:
            years = [y for y in range(low.year, high.year + 1) if weights.get(y, 0) > 0]
            self._cum[key] = (weights, years, self._cumulative([weights[y] for y in years]))
        _, years, cumulative = self._cum[key]
        if not years or high <= low:
            return self.day_between(low, high)
        year = self.rng.choices(years, cum_weights=cumulative)[0]
        return self.day_between(max(low, date(year, 1, 1)), min(high, date(year, 12, 31)))

    def take(self, candidates, weights, k):
        """k of `candidates` without replacement, by weight (Efraimidis–Spirakis keys), in candidate order."""
        if k <= 0:
            return []
        keys = []
        for position, (item, weight) in enumerate(zip(candidates, weights, strict=True)):
            if weight > 0:
                keys.append((-math.log(1.0 - self.rng.random()) / weight, position, item))
        keys.sort(key=lambda key: (key[0], key[1]))
        chosen = sorted(keys[:k], key=lambda key: key[1])
        return [item for _, _, item in chosen]

    def unique(self, make, fallback: str) -> str:
        """The first name `make(attempt)` gives that no organization has; after 40 attempts a numbered one."""
        for attempt in range(40):
            name = make(attempt)
            if name not in self.names:
                self.names.add(name)
                return name
        self.stats["name_fallbacks"] += 1
        if fallback not in self.names:
            self.names.add(fallback)
            return fallback
        number = 2
        while f"{fallback}（{number}）" in self.names:
            number += 1
        name = f"{fallback}（{number}）"
        self.names.add(name)
        return name

    def person(self) -> str:
        surname = self.rng.choices(W.SURNAMES, cum_weights=self._surname_cum)[0]
        given = self.rng.choice(W.GIVEN_CHARS)
        if self.rng.random() < 0.68:
            given += self.rng.choice(W.GIVEN_CHARS)
        return surname + given

    def street_stem(self, street: str) -> str | None:
        name, kind, _ = self.street_info[street]
        if kind == "other":
            return None
        for suffix in ("街道", "地区", "镇", "乡"):
            if name.endswith(suffix) and len(name) > len(suffix) + 1:
                return name[: -len(suffix)]
        return name

    def place(self, street: str) -> str:
        """A place name near the street: its own stem mostly, else another street's of the same district."""
        if street not in self._stems:
            district = self.street_info[street][2]
            own = self.street_stem(street)
            near = [stem for code, *_ in self.streets_of[district] if (stem := self.street_stem(code))]
            self._stems[street] = (own, near or [self.district_name[district][:-1]])
        own, near = self._stems[street]
        if own and self.rng.random() < 0.65:
            return own
        return self.rng.choice(near)

    def address(self, district: str, street: str) -> str:
        rng = self.rng
        road = self.place(street) + rng.choice(W.ROAD_SUFFIXES)
        number = rng.randint(1, 199)
        part = rng.choice(W.BUILDING_PARTS)
        tail = {
            "院": f"号院{rng.randint(1, 12)}号楼",
            "号楼": f"号{rng.randint(1, 20)}号楼",
            "大厦": f"号{rng.choice(W.BRANDS)}大厦{rng.randint(2, 28)}层",
            "写字楼": f"号写字楼{rng.randint(2, 16)}层",
            "综合楼": f"号综合楼{rng.randint(101, 599)}室",
        }.get(part, "号")
        return f"北京市{self.district_name[district]}{road}{number}{tail}"

    def random_street(self, district: str | None = None) -> str:
        if district is None:
            return self.rng.choices(self._street_pool, cum_weights=self._street_cum)[0]
        streets = self.streets_of[district]
        return self.rng.choices([s[0] for s in streets], weights=[STREET_KIND_WEIGHT.get(s[2], 0.5) for s in streets])[
            0
        ]

    def random_district(self, core: bool = False) -> str:
        codes = [code for code, _ in self.districts]
        weights = [W.DISTRICT_WEIGHTS.get(code, 50) * (4 if core and code in CORE_DISTRICTS else 1) for code in codes]
        return self.rng.choices(codes, weights=weights)[0]

    def make_uscc(self, kind: str, division: str, founded: date, system: str = "") -> str:
        rng = self.rng
        if kind in CATEGORY:
            prefix = "5" + CATEGORY[kind]
        else:
            prefix = "81" if system == "union" else "13"
        while True:
            if founded >= date(2015, 10, 1) and kind in CATEGORY:
                body = "MA0" + "".join(rng.choice(USCC_ALNUM) for _ in range(5))
            else:
                self.serial += rng.randint(1, 37)
                body = f"{'5' if kind in CATEGORY else '0'}{self.serial % 10_000_000:07d}"
            first17 = prefix + division + body + orgcode_check(body)
            code = first17 + stdnum_uscc.calc_check_digit(first17)
            if code not in self.usccs:
                self.usccs.add(code)
                return code

    def dissolution(self, founded: date, low: date, high: date = HORIZON) -> date | None:
        """A dissolution day in [max(low, founded + 180 days), high], or None if there is no room before `high`."""
        low = max(low, founded + timedelta(days=180))
        return self.day_between(low, high) if low <= high else None

    def add_org(
        self,
        *,
        name,
        kind,
        fields,
        district,
        street,
        founded,
        dissolved=None,
        reg_level="",
        authority="",
        former="",
        supervisor="",
        registered=None,
        system="",
        address=None,
        division=None,
    ) -> Org:
        rng = self.rng
        status = "active"
        if dissolved is not None:
            status = "revoked" if kind in REGISTERED and rng.random() < 0.25 else "deregistered"
        uscc = None
        if kind in REGISTERED or kind == "mass_organization":
            division = division or ("110000" if reg_level == "city" else district)
            uscc = self.make_uscc(kind, division, founded, system)
        if kind in REGISTERED:
            registered = founded
            staff = rng.randint(3, 80) if kind == "private_non_enterprise" else rng.randint(0, 30)
            members = rng.randint(30, 3000) if kind == "social_group" else None
            party = 0 if rng.random() < 0.4 else rng.randint(1, 25)
        elif kind == "mass_organization":
            staff, members, party = rng.randint(20, 300), None, rng.randint(15, 200)
        elif kind == "community":
            staff, members, party = None, rng.randint(8, 120), None
        else:
            staff, members, party = None, rng.randint(5, 300), None
        org = Org(
            idx=len(self.orgs),
            name=name,
            former=former,
            uscc=uscc,
            kind=kind,
            fields=list(fields),
            reg_level=reg_level,
            authority=authority,
            supervisor=supervisor,
            district=district,
            street=street,
            address=address or self.address(district, street),
            legal=self.person(),
            founded=founded,
            registered=registered,
            status=status,
            dissolved=dissolved,
            staff=staff,
            members=members,
            party=party,
        )
        self.orgs.append(org)
        return org

    # ---------------------------------------------------------------------------------------------------------
    # hubs
    # ---------------------------------------------------------------------------------------------------------

    def hub_org_fields(self, system: str) -> tuple:
        fields = W.SYSTEM_FIELDS[system][:2]
        return fields or ("social_work", "community")

    def plan_hubs(self):
        rng = self.rng
        self.city_hubs: list[Hub] = []
        self.city_hub_of: dict[str, Hub] = {}
        for name, system, kind, founded, batch, former in W.CITY_HUBS:
            label, recognized, _ = W.CITY_BATCHES[batch]
            district = self.random_district(core=True)
            street = self.random_street(district)
            registered = kind in REGISTERED
            org = self.add_org(
                name=name,
                kind=kind,
                fields=self.hub_org_fields(system),
                district=district,
                street=street,
                founded=date.fromisoformat(founded),
                reg_level="city" if registered else "",
                authority="北京市民政局" if registered else "",
                former=former,
                system=system,
                division="110000",
            )
            self.names.add(name)
            hub = Hub(
                idx=len(self.hubs),
                org=org,
                level="city",
                area="110000",
                system=system,
                fields=frozenset(W.SYSTEM_FIELDS[system]),
                batch=label,
                recognized=date.fromisoformat(recognized),
                name=name,
            )
            org.hub = hub
            self.hubs.append(hub)
            self.city_hubs.append(hub)
            self.city_hub_of.setdefault(system, hub)

        # district hubs: nine in every district, the rest by size; the six core ones recognised first
        codes = [code for code, _ in self.districts]
        base = min(9, DISTRICT_HUB_COUNT // max(len(codes), 1))
        extra = apportion(DISTRICT_HUB_COUNT - base * len(codes), {c: W.DISTRICT_WEIGHTS.get(c, 50) for c in codes})
        self.district_hubs_of: dict[str, list[Hub]] = {}
        self.district_hub_by: dict[tuple, Hub] = {}
        for code in codes:
            dname = self.district_name[code]
            count = min(base + extra[code], len(W.DISTRICT_HUBS))
            batch_days = {}
            hubs = []
            for position, (system, pattern, kind) in enumerate(W.DISTRICT_HUBS[:count]):
                years = DISTRICT_CORE_YEARS if position < 6 else DISTRICT_OTHER_YEARS
                year = rng.choices(list(years), weights=list(years.values()))[0]
                if year not in batch_days:
                    batch_days[year] = self.day_between(
                        date(year, 3, 1) if year == 2010 else date(year, 1, 10), date(year, 12, 20)
                    )
                recognized = batch_days[year]
                if kind == "mass_organization":
                    founded = self.day_between(date(1952, 1, 1), date(1990, 12, 31))
                elif system == "social_organizations":
                    founded = recognized - timedelta(days=rng.randint(60, 720))
                else:
                    founded = min(
                        self.day_between(date(1993, 1, 1), date(2009, 12, 31)), recognized - timedelta(days=30)
                    )
                registered = kind in REGISTERED
                street = self.random_street(code)
                org = self.add_org(
                    name=pattern.format(d=dname),
                    kind=kind,
                    fields=self.hub_org_fields(system),
                    district=code,
                    street=street,
                    founded=founded,
                    reg_level="district" if registered else "",
                    authority=f"北京市{dname}民政局" if registered else "",
                    system=system,
                )
                self.names.add(org.name)
                hub = Hub(
                    idx=len(self.hubs),
                    org=org,
                    level="district",
                    area=code,
                    district=code,
                    system=system,
                    fields=frozenset(W.SYSTEM_FIELDS[system]),
                    batch=f"{dname}{year}年认定",
                    recognized=recognized,
                    parent=self.city_hub_of[system],
                    name=org.name,
                    core=position < 6,
                )
                org.hub = hub
                self.hubs.append(hub)
                hubs.append(hub)
                self.district_hub_by[(code, system)] = hub
            self.district_hubs_of[code] = hubs

        # street hubs: one in every street, two in the larger ones
        doubles_needed = STREET_HUB_COUNT - len(self.streets)
        candidates = [s for s in self.streets if s[2] != "other"]
        doubles = set(
            self.take(
                [s[0] for s in candidates], [STREET_KIND_WEIGHT.get(s[2], 0.5) for s in candidates], doubles_needed
            )
        )
        self.street_hubs_of: dict[str, list[Hub]] = {}
        street_batch_days = {}
        for code, sname, kind_of_area, district in self.streets:
            dname = self.district_name[district]
            if code in doubles:
                systems = [W.STREET_HUBS[0], W.STREET_HUBS[1]]
            else:
                systems = [W.STREET_HUBS[0] if rng.random() < 0.7 else W.STREET_HUBS[1]]
            hubs = []
            for system, pattern, kind in systems:
                year = rng.choices(list(STREET_YEARS), weights=list(STREET_YEARS.values()))[0]
                key = (district, year)
                if key not in street_batch_days:
                    last = min(date(year, 12, 20), HEADLINE_DAY - timedelta(days=10))  # all 403 by HEADLINE_DAY
                    street_batch_days[key] = self.day_between(date(year, 2, 1), last)
                recognized = street_batch_days[key]
                founded = max(date(2008, 6, 1), recognized - timedelta(days=rng.randint(30, 420)))
                name = pattern.format(d="" if kind_of_area == "other" else dname, s=sname)
                org = self.add_org(
                    name=name,
                    kind=kind,
                    fields=self.hub_org_fields(system),
                    district=district,
                    street=code,
                    founded=founded,
                    reg_level="district",
                    authority=f"北京市{dname}民政局",
                    system=system,
                )
                self.names.add(name)
                hub = Hub(
                    idx=len(self.hubs),
                    org=org,
                    level="street",
                    area=code,
                    district=district,
                    street=code,
                    system=system,
                    fields=frozenset(W.SYSTEM_FIELDS[system] if system != "social_organizations" else ()),
                    batch=f"{dname}街道级{year}年认定",
                    recognized=recognized,
                    parent=self.district_hub_by[(district, system)],
                    name=name,
                )
                org.hub = hub
                self.hubs.append(hub)
                hubs.append(hub)
            self.street_hubs_of[code] = hubs

        # about 2 % revoked after 2016 (never a core district hub, so every district keeps its catch-all)
        others = [hub for hub in self.hubs if hub.level == "district" and not hub.core]
        streets = [hub for hub in self.hubs if hub.level == "street"]
        for hub in self.take(others, [1] * len(others), REVOKED_DISTRICT_HUBS) + self.take(
            streets, [1] * len(streets), REVOKED_STREET_HUBS
        ):
            hub.revoked = self.day_between(date(2017, 1, 1), date(2024, 12, 31))

    # ---------------------------------------------------------------------------------------------------------
    # organizations
    # ---------------------------------------------------------------------------------------------------------

    def registered_place(self, level: str):
        district = self.random_district(core=level == "city")
        return district, self.random_street(district)

    def registered_scope(self, level: str, district: str):
        if level == "city":
            return "北京市民政局"
        return f"北京市{self.district_name[district]}民政局"

    def plan_branches(self):
        """The first batch's branches before 2009: registered at city level, managed by their hub since March 2009."""
        rng = self.rng
        three = {s: BRANCHES[s] for s in THREE}
        others = {s: n for s, n in BRANCHES.items() if s not in THREE}
        total3, total = self.n(sum(three.values())), self.n(sum(BRANCHES.values()))
        quotas = {**apportion(total3, three), **apportion(total - total3, others)}
        first_day = date.fromisoformat(W.CITY_BATCHES[1][1])
        self.branches: list[Org] = []
        for system, quota in quotas.items():
            hub = self.city_hub_of[system]
            if system == "science":
                names = [("北京" if rng.random() < 0.7 else "北京市") + n for n in W.SCIENCE_SOCIETIES]
            elif system == "social_sciences":
                names = [("北京市" if rng.random() < 0.7 else "北京") + n for n in W.RESEARCH_SOCIETIES]
            else:
                names = list(W.BRANCH_NAMES[system])
            rng.shuffle(names)
            field = W.SYSTEM_FIELDS[system][0]
            fields = (field, "research") if system in ("law_society",) else (field,)
            for position in range(quota):
                if position < len(names) and names[position] not in self.names:
                    name = names[position]
                    self.names.add(name)
                else:
                    name, _ = self.social_group_name("city", "", field)
                kind = (
                    "foundation"
                    if name.endswith("基金会")
                    else "private_non_enterprise"
                    if name.endswith(("中心", "艺术团"))
                    else "social_group"
                )
                founded = min(
                    self.day_by_years({y: y - 1980 for y in range(1984, 2009)}, date(1984, 1, 1), date(2008, 12, 31)),
                    first_day - timedelta(days=30),
                )
                dissolved = self.day_between(date(2016, 1, 1), HORIZON) if rng.random() < 0.05 else None
                district, street = self.registered_place("city")
                org = self.add_org(
                    name=name,
                    kind=kind,
                    fields=fields,
                    district=district,
                    street=street,
                    founded=founded,
                    dissolved=dissolved,
                    reg_level="city",
                    authority="北京市民政局",
                    supervisor=hub.name,
                )
                org.branch_of = hub
                self.branches.append(org)

    def social_group_name(self, level: str, district: str, field: str | None = None) -> tuple[str, tuple]:
        """A social group's name and fields: a topic (redrawn within its field when the name is taken), sometimes
        narrowed to a group of people (北京市老年摄影协会), with the prefix of its registration level."""
        rng = self.rng
        dname = self.district_name.get(district, "")
        topics = W.SG_TOPICS if field is None else self._field_topics(field)
        first = self.pick(topics)
        related = self._field_topics(first[1][0])
        chosen = {}

        def make(attempt):
            word, fields, _, suffixes, qualifiable = first if attempt < 2 else self.pick(related)
            fields = tuple(fields)
            if qualifiable and rng.random() < (0.3 if attempt < 2 else 0.5):
                qualifier, extra, _ = self.pick(W.QUALIFIERS)
                word = qualifier + word
                fields = (fields[0], extra) if extra != fields[0] else fields[:1]
            suffix = rng.choice(suffixes)
            if level == "city":
                prefix = rng.choices(("北京市", "北京", "首都"), weights=(6, 3, 1))[0]
                if attempt >= 30:
                    prefix = "北京" + rng.choice(W.BRANDS)
            else:
                prefix = f"北京市{dname}"
                if attempt >= 30:
                    prefix += self.place(self.random_street(district))
            chosen["fields"] = fields
            return f"{prefix}{word}{suffix}"

        name = self.unique(make, f"北京市{dname}{first[0]}{first[3][0]}")
        return name, chosen["fields"]

    def _field_topics(self, field: str):
        key = ("field", field)
        if key not in self._cum:
            self._cum[key] = tuple(t for t in W.SG_TOPICS if t[1][0] == field) or W.SG_TOPICS
        return self._cum[key]

    def registered_name(self, kind: str, level: str, district: str, topic) -> str:
        """A private non-enterprise unit's or a foundation's name; `topic` is a (word, fields, weight) entry."""
        rng = self.rng
        dname = self.district_name.get(district, "")
        word = topic[0]
        if kind == "private_non_enterprise":

            def make(attempt):
                brand = rng.choice(W.BRANDS)
                if level == "city":
                    if attempt >= 12:
                        brand += rng.choice(W.BRANDS)
                    return f"{rng.choice(('北京', '北京市'))}{brand}{word}"
                if attempt >= 12:
                    return f"北京市{dname}{self.place(self.random_street(district))}{brand}{word}"
                return f"北京市{dname}{brand}{word}"

            fallback = f"北京市{dname}{rng.choice(W.BRANDS)}{word}" if dname else f"北京{rng.choice(W.BRANDS)}{word}"
        else:

            def make(attempt):
                if attempt == 0 and rng.random() < 0.05:
                    return f"北京市{word}基金会"
                if attempt >= 12:
                    return f"北京{rng.choice(W.BRANDS)}{rng.choice(W.BRANDS)}{word}基金会"
                return f"{rng.choice(('北京', '北京', '北京市'))}{rng.choice(W.BRANDS)}{word}基金会"

            fallback = f"北京{rng.choice(W.BRANDS)}{word}基金会"
        return self.unique(make, fallback)

    def add_registered(self, kind: str, founded: date, dissolved: date | None):
        rng = self.rng
        if kind == "social_group":
            level = "city" if rng.random() < 0.45 else "district"
            district, street = self.registered_place(level)
            name, fields = self.social_group_name(level, district)
        else:
            topic = self.pick(W.PNE_SERVICES if kind == "private_non_enterprise" else W.FOUNDATION_TOPICS)
            if kind == "private_non_enterprise":
                level = "city" if rng.random() < 0.25 else "district"
            else:
                level = "city"
            district, street = self.registered_place(level)
            name, fields = self.registered_name(kind, level, district, topic), topic[1]
        return self.add_org(
            name=name,
            kind=kind,
            fields=fields,
            district=district,
            street=street,
            founded=founded,
            dissolved=dissolved,
            reg_level=level,
            authority=self.registered_scope(level, district),
        )

    def plan_registered(self):
        """Registered organizations, so that exactly the seed's numbers are active on REGISTERED_DAY."""
        rng = self.rng
        for kind in REGISTERED:
            already = sum(1 for o in self.orgs if o.kind == kind and o.active_on(REGISTERED_DAY))
            wanted = self.n(REGISTERED_ACTIVE[kind])
            if already > wanted:
                self.stats["clamped"][kind] = already - wanted
            for _ in range(max(0, wanted - already)):  # active on REGISTERED_DAY
                founded = self.day_by_years(FOUNDED_YEARS["registered"], date(1988, 1, 1), REGISTERED_DAY)
                dissolved = None
                if rng.random() < REGISTERED_DISSOLVE[kind]:
                    dissolved = self.dissolution(founded, REGISTERED_DAY + DAY)
                self.add_registered(kind, founded, dissolved)
            for _ in range(self.n(REGISTERED_ACTIVE[kind] * REGISTERED_GONE_SHARE)):  # gone by REGISTERED_DAY
                founded = self.day_by_years(FOUNDED_YEARS["registered"], date(1988, 1, 1), date(2008, 12, 31))
                dissolved = self.day_between(founded + timedelta(days=180), REGISTERED_DAY)
                self.add_registered(kind, founded, dissolved)
            for _ in range(self.n(REGISTERED_LATER[kind])):  # founded after REGISTERED_DAY
                founded = self.day_between(REGISTERED_DAY + DAY, HORIZON)
                dissolved = None
                if rng.random() < 0.08:
                    dissolved = self.dissolution(founded, founded + timedelta(days=365))
                self.add_registered(kind, founded, dissolved)

    def street_office(self, street: str) -> str:
        name, kind, district = self.street_info[street]
        dname = self.district_name[district]
        if kind in ("street", "area_office"):
            return f"北京市{dname}{name}办事处"
        if kind in ("town", "township"):
            return f"北京市{dname}{name}人民政府"
        return f"{name}管理委员会"

    def community_name(self, street: str, ctype) -> str:
        rng = self.rng
        sname, area_kind, district = self.street_info[street]
        dname = self.district_name[district]
        rural = area_kind in ("town", "township")
        word = ctype[0]

        def make(attempt):
            roll = rng.random()
            if attempt < 20 and roll < 0.62:
                if rural and rng.random() < 0.6:
                    village = rng.choice(W.VILLAGE_STEMS)
                    return f"{village}{'' if village.endswith('村') else '村'}{word}"
                return f"{self.place(street)}{rng.choice(W.COMMUNITY_SUFFIXES)}社区{word}"
            if attempt < 20 and roll < 0.72 and area_kind != "other":
                return f"北京市{dname}{sname}{self.pick(W.STREET_TYPES)[0]}"
            return f"{self.place(street)}{rng.choice(W.BRANDS)}{word}"

        return self.unique(make, f"{self.place(street)}社区{word}")

    def plan_unregistered(self):
        rng = self.rng
        village_types = W.COMMUNITY_TYPES + W.VILLAGE_TYPES
        for _ in range(self.n(UNREGISTERED["community"])):
            founded = self.day_by_years(FOUNDED_YEARS["community"], date(1998, 1, 1), HORIZON)
            street = self.random_street()
            rural = self.street_info[street][1] in ("town", "township")
            ctype = self.pick(village_types if rural else W.COMMUNITY_TYPES)
            name = self.community_name(street, ctype)
            if name.startswith("北京市"):  # a street-wide association: its fields follow its own type
                ctype = max((t for t in W.STREET_TYPES if name.endswith(t[0])), key=lambda t: len(t[0]), default=ctype)
            dissolved = None
            if rng.random() < UNREGISTERED_DISSOLVE["community"]:
                dissolved = self.dissolution(founded, founded + timedelta(days=365))
            district = self.street_info[street][2]
            registered = min(founded + timedelta(days=rng.randint(0, 180)), dissolved or HORIZON, HORIZON)
            self.add_org(
                name=name,
                kind="community",
                fields=ctype[1],
                district=district,
                street=street,
                founded=founded,
                dissolved=dissolved,
                reg_level="street",
                authority=self.street_office(street),
                registered=registered,
            )

        for number in range(self.n(UNREGISTERED["grassroots"])):
            founded = self.day_by_years(FOUNDED_YEARS["grassroots"], date(2003, 1, 1), HORIZON)
            street = self.random_street()
            district = self.street_info[street][2]
            gtype = self.pick(W.GRASSROOTS_TYPES)
            if number == 0:
                name, gtype = "骑行风尚", ("骑行俱乐部", ("sports", "youth"), 1)  # seed 000
                self.names.add(name)
                founded = date(2011, 5, 8)
            else:

                def make(attempt, gtype=gtype, street=street):
                    brand = rng.choice(W.GRASSROOTS_BRANDS)
                    roll = rng.random()
                    if roll < 0.45:
                        return f"{brand}{gtype[0]}"
                    if roll < 0.7:
                        return f"北京{brand}{gtype[0]}"
                    return f"{self.place(street)}{brand}{gtype[0]}"

                name = self.unique(make, f"{rng.choice(W.GRASSROOTS_BRANDS)}{gtype[0]}")
            dissolved = None
            if rng.random() < UNREGISTERED_DISSOLVE["grassroots"]:
                dissolved = self.dissolution(founded, founded + timedelta(days=365))
            self.add_org(
                name=name,
                kind="grassroots",
                fields=gtype[1],
                district=district,
                street=street,
                founded=founded,
                dissolved=dissolved,
            )

        universities = [u for u in W.UNIVERSITIES if u[1] in self.district_name]
        campus = {}
        for university, district, street_name in universities:
            match = [s[0] for s in self.streets_of[district] if s[1] == street_name]
            campus[university] = match[0] if match else self.random_street(district)
        uni_weights = [4 if u[1] == "110108" else 2 for u in universities]
        schools = {u[0]: W.UNIVERSITY_SCHOOLS.get(u[0]) or tuple(rng.sample(W.SCHOOLS, 12)) for u in universities}
        for _ in range(self.n(UNREGISTERED["university_club"])) if universities else ():
            founded = self.day_by_years(FOUNDED_YEARS["university_club"], date(1995, 1, 1), HORIZON)
            university, district, _ = self.pick(universities, uni_weights)
            club = self.pick(W.CLUBS)

            def make(attempt, university=university, club=club):
                if attempt == 0 and rng.random() < 0.75:
                    return f"{university}{club[0]}"
                return f"{university}{rng.choice(schools[university])}{club[0]}"

            name = self.unique(make, f"{university}{club[0]}")
            dissolved = None
            if rng.random() < UNREGISTERED_DISSOLVE["university_club"]:
                dissolved = self.dissolution(founded, founded + timedelta(days=365))
            street = campus[university]
            self.add_org(
                name=name,
                kind="university_club",
                fields=club[1],
                district=district,
                street=street,
                founded=founded,
                dissolved=dissolved,
                supervisor=f"共青团{university}委员会",
                address=f"北京市{self.district_name[district]}{university}校内",
            )

    # ---------------------------------------------------------------------------------------------------------
    # links
    # ---------------------------------------------------------------------------------------------------------

    @staticmethod
    def matches(hub: Hub, org: Org) -> bool:
        return not hub.fields or not hub.fields.isdisjoint(org.fields)

    def local_candidates(self, org: Org):
        """Street and district hubs an organization may be linked to, with weights (dates aside)."""
        if org.cands is None:
            out = []
            registered = org.kind in REGISTERED
            for hub in self.street_hubs_of.get(org.street, ()) + self.district_hubs_of.get(org.district, []):
                if hub is org.hub or not self.matches(hub, org):
                    continue
                street, specific = hub.level == "street", bool(hub.fields)
                if org.kind == "community":
                    weight = 6 if street else (2 if specific else 1)
                elif registered:
                    weight = 1.5 if street else (4 if specific else 2)
                elif org.kind == "grassroots":
                    weight = 2 if street else (3 if specific else 1)
                elif org.kind == "university_club":
                    weight = 0.5 if street else (5 if specific else 1)
                else:
                    weight = 2 if street else 1
                out.append((hub, weight))
            org.cands = out
        return org.cands

    def pick_local(self, org: Org, day: date, exclude=()) -> Hub | None:
        options = [(hub, weight) for hub, weight in self.local_candidates(org) if hub.ok(day) and hub not in exclude]
        if not options:
            return None
        return self.rng.choices([o[0] for o in options], weights=[o[1] for o in options])[0]

    def first_local_day(self, org: Org, day: date, exclude=()) -> date | None:
        """The first day on or after `day` on which some local hub can take the organization."""
        days = [
            max(hub.recognized, day)
            for hub, _ in self.local_candidates(org)
            if hub not in exclude and hub.ok(max(hub.recognized, day))
        ]
        return min(days) if days else None

    def pick_city(self, org: Org, day: date, exclude=()) -> Hub | None:
        if day < CITY_LINKS_FROM:
            return None
        options = [
            hub
            for hub in self.city_hubs
            if hub.ok(day) and hub is not org.hub and hub not in exclude and self.matches(hub, org)
        ]
        if not options:
            return None
        return self.rng.choices(options, weights=[3 if hub.fields else 1 for hub in options])[0]

    def role_for(self, org: Org) -> str:
        rng = self.rng
        if org.kind in REGISTERED:
            weights = (40, 35, 25)
        elif org.kind == "community":
            weights = (10, 50, 40)
        else:
            weights = (3, 57, 40)
        return rng.choices(("manage", "contact", "serve"), weights=weights)[0]

    def basis_for(self, hub: Hub, role: str, start: date) -> str:
        rng = self.rng
        if role == "manage":
            if hub.level == "city":
                if rng.random() < 0.5:
                    return f"京社领发〔{start.year}〕{rng.randint(1, 12)}号"
                return f"京民社发〔{start.year}〕{rng.randint(10, 160)}号"
            short = W.DISTRICT_SHORT.get(hub.district, "京")
            if rng.random() < 0.6:
                return f"{short}社领发〔{start.year}〕{rng.randint(1, 20)}号"
            return f"{short}民社发〔{start.year}〕{rng.randint(5, 120)}号"
        return rng.choice(W.BASIS_CONTACT if role == "contact" else W.BASIS_SERVE)

    def new_link(self, hub: Hub, org: Org, start: date, role: str | None = None, extra=False) -> Link:
        if role is None:
            role = self.rng.choice(("contact", "serve")) if extra else self.role_for(org)
        return Link(hub, org, role, start, None, self.basis_for(hub, role, start), extra=extra)

    def move(self, chain: list, org: Org, day: date, to: Hub):
        """End the chain's last link the day before `day` and continue with `to`."""
        last = chain[-1]
        last.end = day - DAY
        last.note = W.END_NOTES["moved"].format(hub=to.name)
        chain.append(self.new_link(to, org, day))

    def finish(self, org: Org, chain: list, replace=True) -> list:
        """Cut a chain at its hubs' revocation (moving on to another hub, if `replace`) and at the organization's
        dissolution, whichever comes first."""
        out, position = [], 0
        while position < len(chain):
            link = chain[position]
            position += 1
            if org.dissolved is not None and link.start > org.until:
                break
            hub, planned_end = link.hub, link.end
            last_day = min(day for day in (planned_end, org.dissolved, HORIZON) if day is not None)
            if hub.revoked is not None and last_day >= hub.revoked:
                link.end = hub.revoked - DAY
                successor = None
                if replace and org.active_on(hub.revoked):
                    successor = self.pick_local(org, hub.revoked, {hub} | {other.hub for other in chain})
                if successor is None:
                    link.note = W.END_NOTES["revoked_none"]
                else:
                    link.note = W.END_NOTES["revoked"].format(hub=successor.name)
                    basis = self.basis_for(successor, link.role, hub.revoked)
                    follow = Link(successor, org, link.role, hub.revoked, planned_end, basis, extra=link.extra)
                    chain.insert(position, follow)
                out.append(link)
                continue
            if org.dissolved is not None and (planned_end is None or planned_end > org.until):
                link.end, link.note = org.until, W.END_NOTES["dissolved"]
                out.append(link)
                break
            out.append(link)
        return out

    def later_changes(self, org: Org, chain: list):
        """After HEADLINE_DAY some links end: most organizations move to another hub, some lapse."""
        rng = self.rng
        if not chain or chain[-1].end is not None or rng.random() >= 0.07:
            return
        last = chain[-1]
        low = max(date(2016, 1, 1), last.start + timedelta(days=365))
        high = min(HORIZON, org.dissolved - DAY) if org.dissolved else HORIZON
        if low > high:
            return
        day = self.day_between(low, high)
        to = None
        if rng.random() < 0.85:
            exclude = {link.hub for link in chain}
            to = self.pick_city(org, day, exclude) if rng.random() < 0.15 else None
            to = to or self.pick_local(org, day, exclude)
        if to is None:
            last.end, last.note = day - DAY, W.END_NOTES["lapsed"]
        else:
            self.move(chain, org, day, to)

    def add_extra(self, org: Org, chain: list, low: date, high: date):
        """A concurrent contact/serve link to a local hub that is not in the chain."""
        low = max(low, org.founded)
        if org.dissolved is not None:
            high = min(high, org.dissolved - DAY)
        if low > high:
            return None
        exclude = {link.hub for link in chain}
        day = self.day_between(low, high)
        first = self.first_local_day(org, day, exclude)
        if first is None or first > high:
            return None
        hub = self.pick_local(org, first, exclude)
        if hub is None:
            return None
        return self.finish(org, [self.new_link(hub, org, first, extra=True)], replace=False)

    def plan_links(self):
        rng = self.rng
        social = [o for o in self.orgs if o.kind != "mass_organization"]
        counted = [o for o in social if o.active_on(HEADLINE_DAY)]
        first_day = date.fromisoformat(W.CITY_BATCHES[1][1])
        chains: dict[int, list] = {}

        # -- 1. the city set on HEADLINE_DAY: exact per hub ---------------------------------------------------
        three_hubs = {h.name: CITY_LINKED[h.name] for h in self.city_hubs if h.system in THREE}
        other_hubs = {h.name: CITY_LINKED[h.name] for h in self.city_hubs if h.system not in THREE}
        total3 = self.n(sum(three_hubs.values()))
        total = self.n(sum(three_hubs.values()) + sum(other_hubs.values()))
        quota = {**apportion(total3, three_hubs), **apportion(total - total3, other_hubs)}
        city_of: dict[int, Hub] = {}
        for org in self.branches:  # their own hub's links, from the first batch's recognition day
            hub = org.branch_of
            chains[org.idx] = [Link(hub, org, "manage", first_day, None, W.CITY_BATCHES[1][2])]
            if org.active_on(HEADLINE_DAY) and quota[hub.name] > 0:
                quota[hub.name] -= 1
                city_of[org.idx] = hub
            else:  # more branches than the hub keeps: handed to a district hub before HEADLINE_DAY
                day = self.day_between(date(2011, 1, 1), date(2014, 12, 31))
                to = self.pick_local(org, day)
                if to is None:
                    chains[org.idx][0].end, chains[org.idx][0].note = day - DAY, W.END_NOTES["lapsed"]
                else:
                    self.move(chains[org.idx], org, day, to)

        by_field: dict[str, list] = {}
        for org in counted:
            for field in org.fields:
                by_field.setdefault(field, []).append(org)
        kind_weights = {
            "youth_league": {"university_club": 8, "grassroots": 4, "city": 3, "district": 1.5, "community": 1},
            "womens_federation": {"community": 3, "city": 3, "district": 2, "grassroots": 2, "university_club": 0.3},
            "union": {"city": 3, "district": 2, "community": 1.5, "grassroots": 1.5, "university_club": 0.2},
        }
        default_weights = {"city": 5, "district": 1.5, "grassroots": 1, "community": 0.3, "university_club": 0.3}

        def pool_of(hub):
            if not hub.fields:
                return counted
            seen, pool = set(), []
            for field in hub.fields:
                for org in by_field.get(field, ()):
                    if org.idx not in seen:
                        seen.add(org.idx)
                        pool.append(org)
            pool.sort(key=lambda o: o.idx)
            return pool

        def weight(hub, org):
            table = kind_weights.get(hub.system, default_weights)
            if org.kind in REGISTERED:
                return table["city" if org.reg_level == "city" else "district"]
            return table.get(org.kind, 1)

        pools = {hub.name: pool_of(hub) for hub in self.city_hubs}
        order = sorted(self.city_hubs, key=lambda h: (-quota[h.name] / max(len(pools[h.name]), 1), h.idx))
        for hub in order:
            wanted = quota[hub.name]
            pool = [o for o in pools[hub.name] if o.idx not in city_of and o.idx not in chains and o.hub is not hub]
            chosen = self.take(pool, [weight(hub, o) for o in pool], wanted)
            if len(chosen) < wanted:  # not enough organizations of the hub's fields: take others and add the field
                taken = {o.idx for o in chosen}
                rest = [
                    o
                    for o in counted
                    if o.idx not in city_of and o.idx not in chains and o.idx not in taken and o.hub is not hub
                ]
                extra = self.take(rest, [weight(hub, o) for o in rest], wanted - len(chosen))
                for org in extra:
                    if hub.fields:
                        org.fields = org.fields[:1] + [W.SYSTEM_FIELDS[hub.system][0]]
                    org.cands = None
                self.stats["field_fallbacks"] += len(extra)
                chosen += extra
            for org in chosen:
                city_of[org.idx] = hub

        for org in counted:  # their city link and what came before
            hub = city_of.get(org.idx)
            if hub is None or org.idx in chains:
                continue
            low = max(hub.recognized + timedelta(days=7), CITY_LINKS_FROM, org.founded + timedelta(days=15))
            if low > HEADLINE_DAY:
                low = max(hub.recognized, CITY_LINKS_FROM, org.founded)
            start = self.day_by_years(CITY_YEARS, low, HEADLINE_DAY)
            chain = []
            if rng.random() < 0.05:  # first linked by a local hub, then taken up by the city hub
                first = self.first_local_day(org, max(org.founded, date(2010, 1, 1)))
                if first is not None and first + timedelta(days=90) < start:
                    earlier = self.day_between(first, start - timedelta(days=60))
                    local = self.pick_local(org, earlier)
                    if local is not None:
                        chain.append(self.new_link(local, org, earlier))
            if chain:
                self.move(chain, org, start, hub)
            else:
                chain.append(self.new_link(hub, org, start))
            chains[org.idx] = chain

        # -- 2. the locally covered on HEADLINE_DAY ------------------------------------------------------------
        already_local = [
            o
            for o in counted
            if o.idx in chains and o.idx not in city_of and any(link.valid_on(HEADLINE_DAY) for link in chains[o.idx])
        ]
        wanted = int(math.floor(COVERAGE_RATE * len(counted) + 0.5)) - len(city_of) - len(already_local)
        eligible = [
            o
            for o in counted
            if o.idx not in chains and (self.first_local_day(o, o.founded) or HORIZON) <= HEADLINE_DAY
        ]
        local_weights = {"community": 6, "grassroots": 1.2, "university_club": 0.6}

        def local_weight(org):
            if org.hub is not None:
                return 3
            if org.kind in REGISTERED:
                return 2 if org.reg_level == "city" else 4
            return local_weights.get(org.kind, 1)

        local_set = self.take(eligible, [local_weight(o) for o in eligible], wanted)
        if len(local_set) < wanted:
            self.stats["coverage_short"] = wanted - len(local_set)
        for org in local_set:
            low = max(org.founded + timedelta(days=15), CITY_LINKS_FROM)
            if low > HEADLINE_DAY:
                low = max(org.founded, CITY_LINKS_FROM)
            start = self.day_by_years(LOCAL_YEARS, low, HEADLINE_DAY)
            chain = []
            first = self.first_local_day(org, start)
            if first > start and rng.random() < 0.6:  # before the local hubs: a city hub, which later hands it on
                city = self.pick_city(org, start)
                handover = first + timedelta(days=rng.randint(0, 240))
                if city is not None and handover <= HEADLINE_DAY:
                    chain.append(self.new_link(city, org, start))
                    self.move(chain, org, handover, self.pick_local(org, handover))
            if not chain:
                start = first
                chain.append(self.new_link(self.pick_local(org, start), org, start))
            if rng.random() < 0.15:  # moved between local hubs before HEADLINE_DAY (often to a new street hub)
                low = chain[-1].start + timedelta(days=180)
                if low <= HEADLINE_DAY:
                    day = self.day_between(low, HEADLINE_DAY)
                    to = self.pick_local(org, day, {link.hub for link in chain})
                    if to is not None:
                        self.move(chain, org, day, to)
            chains[org.idx] = chain
        covered = set(city_of) | {o.idx for o in already_local} | {o.idx for o in local_set}

        # -- 3. everyone else: uncovered on HEADLINE_DAY, gone before it, or founded after it ------------------
        for org in social:
            if org.idx in chains:
                continue
            chain = []
            if org.active_on(HEADLINE_DAY):  # uncovered on HEADLINE_DAY
                if rng.random() < 0.22:  # a link that lapsed before
                    low = max(org.founded, CITY_LINKS_FROM)
                    high = HEADLINE_DAY - timedelta(days=181)
                    if low <= high:
                        start = self.day_by_years(LOCAL_YEARS, low, high)
                        first = self.first_local_day(org, start)
                        if first is not None and first <= high:
                            hub = self.pick_local(org, first)
                            link = self.new_link(hub, org, first)
                            link.end = self.day_between(first + timedelta(days=180), HEADLINE_DAY - DAY)
                            link.note = W.END_NOTES["lapsed"]
                            chain.append(link)
                if rng.random() < 0.7:  # linked later
                    low = max(org.founded, HEADLINE_DAY + DAY, chain[-1].end + DAY if chain else HEADLINE_DAY)
                    start = self.day_by_years(LATER_YEARS, low, HORIZON)
                    if org.dissolved is None or start < org.dissolved:
                        hub = self.pick_city(org, start) if rng.random() < 0.1 else None
                        hub = hub or self.pick_local(org, start)
                        if hub is not None:
                            chain.append(self.new_link(hub, org, start))
            elif org.founded <= HEADLINE_DAY:  # dissolved by HEADLINE_DAY
                if org.dissolved > CITY_LINKS_FROM + timedelta(days=90) and rng.random() < 0.6:
                    start = self.day_by_years(LOCAL_YEARS, max(org.founded, CITY_LINKS_FROM), org.dissolved - DAY)
                    hub = self.pick_local(org, start) or self.pick_city(org, start)
                    if hub is not None:
                        chain.append(self.new_link(hub, org, start))
            elif rng.random() < 0.94:  # founded after HEADLINE_DAY
                start = org.founded + timedelta(days=rng.randint(20, 540))
                if start <= HORIZON and (org.dissolved is None or start < org.dissolved):
                    hub = self.pick_city(org, start) if rng.random() < 0.12 else None
                    hub = hub or self.pick_local(org, start)
                    if hub is not None:
                        chain.append(self.new_link(hub, org, start))
            if chain:
                chains[org.idx] = chain

        # -- 4. later changes, revocations, dissolutions, concurrent links ----------------------------------------
        for org in social:
            chain = chains.get(org.idx)
            if not chain:
                continue
            if org.idx in covered or org.founded > HEADLINE_DAY:
                self.later_changes(org, chain)
            chain = self.finish(org, chain)
            extra = None
            roll = rng.random()
            if org.idx in city_of and roll < 0.25:
                extra = self.add_extra(org, chain, date(2010, 1, 1), min(HORIZON, HEADLINE_DAY + timedelta(days=730)))
            elif org.idx in covered and org.idx not in city_of and roll < 0.10:
                extra = self.add_extra(org, chain, chain[0].start, HORIZON)
            elif org.founded > HEADLINE_DAY and roll < 0.08:
                extra = self.add_extra(org, chain, chain[0].start, HORIZON)
            org.links = chain + (extra or [])
            self.links.extend(org.links)

    def plan_supervisors(self):
        """A registered organization's business supervisory unit: its managing hub, else the bureau of its field."""
        for org in self.orgs:
            if org.kind not in REGISTERED or org.supervisor:
                continue
            managers = [link for link in org.links if link.role == "manage" and not link.extra]
            current = [link for link in managers if link.valid_on(HEADLINE_DAY)] or managers[-1:]
            if current:
                org.supervisor = current[0].hub.name
                continue
            unit = W.FIELD_SUPERVISORS.get(org.fields[0], "民政局")
            scope = "北京市" if org.reg_level == "city" else f"北京市{self.district_name[org.district]}"
            org.supervisor = unit.format(scope=scope) if "{scope}" in unit else scope + unit

    def plan_former_names(self):
        """Organizations named after a district before it was merged or renamed keep the old name as former."""
        for code, old, until, streets in W.DISTRICT_RENAMES:
            if code not in self.district_name:
                continue
            new, until = self.district_name[code], date.fromisoformat(until)
            for org in self.orgs:
                if (
                    org.district == code
                    and new in org.name
                    and org.founded < until
                    and not org.former
                    and (not streets or self.street_info[org.street][0] in streets)
                ):
                    org.former = org.name.replace(new, old)

    def plan(self) -> "Planner":
        missing = (set(W.SYSTEM_FIELDS) - self.system_codes) | (W.field_codes_used() - self.field_codes)
        if missing:
            raise ValueError(f"reference data missing: {sorted(missing)}")
        self.plan_hubs()
        self.plan_branches()
        self.plan_registered()
        self.plan_unregistered()
        self.plan_links()
        self.plan_supervisors()
        self.plan_former_names()
        return self


# ---------------------------------------------------------------------------------------------------------------------
# legal representatives' identity and phone numbers
# ---------------------------------------------------------------------------------------------------------------------

#: share of organizations whose legal representative's numbers the demo registers
PERSONAL_SHARE = 0.6
PERSONAL_BORN = (date(1950, 1, 1), date(1995, 12, 31))
MOBILE_PREFIXES = ("130", "131", "132", "135", "136", "137", "138", "139", "150", "151", "155", "158", "186", "188")


def legal_representative_numbers(seed: int, orgs: list) -> list[tuple[str, str]]:
    """(identity number, phone) of each organization's legal representative, ("", "") for those without.

    Drawn from a generator of their own, so the rest of the city is the same as before they existed. An identity
    number has the organization's district as its address code (a Beijing district), a birth date in 1950–1995 and a
    correct check character; a phone is a mobile number or a Beijing landline."""
    from shuniu.core.personal import ric_check_character

    rng = random.Random(f"{seed}:legal-representatives")
    low, high = PERSONAL_BORN
    numbers = []
    for org in orgs:
        if rng.random() >= PERSONAL_SHARE:
            numbers.append(("", ""))
            continue
        born = low + timedelta(days=rng.randint(0, (high - low).days))
        body = f"{org.district}{born:%Y%m%d}{rng.randint(1, 999):03d}"
        if rng.random() < 0.8:
            phone = rng.choice(MOBILE_PREFIXES) + f"{rng.randint(0, 99_999_999):08d}"
        else:
            phone = f"010-{rng.choice('5678')}{rng.randint(0, 9_999_999):07d}"
        numbers.append((body + ric_check_character(body), phone))
    return numbers
