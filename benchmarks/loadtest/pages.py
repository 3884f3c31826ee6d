"""What the benchmark's users open: every page and API list of their daily work, each with a weight (how often a
user picks it among the others) and the filters and dates a user would give it.

Paths are written out here, not reversed, so that locust's process needs no Django; `tests/test_load_benchmark.py`
builds every page for every kind of user and checks that each path resolves to the URL name the page declares.
A page's `label` (the URL name, and after "?" what the visit varies) is its row in the report.

Days: "as of" dates are spread from 2008 (the hub system's first year) to today: a third today (the default a
page opens with), a third quarter ends (the days reports are made for), a third any day. Search terms are pieces of
the names the user may see (the data set's names are synthetic: 基准社会组织 and a number) and words real names
carry, which here match nothing: a search that finds thousands and one that finds none both occur in the mix.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

FIRST_DAY = date(2008, 1, 1)
KINDS = ("city", "district", "street", "hub")
ORGANIZATION_KINDS = ("social_group", "private_non_enterprise", "foundation", "community", "grassroots")
STATUSES = ("active", "deregistered", "revoked")
HUB_LEVELS = ("city", "district", "street")
LINK_ROLES = ("manage", "contact", "serve")
DIMENSIONS = ("district", "street", "kind", "field", "level", "system")
COMMON_WORDS = ("协会", "商会", "促进会", "基金会", "志愿", "服务中心", "文化", "养老", "朝阳", "社区")


@dataclass
class Visit:
    """One user's choices: its account's sample (`accounts.py`), the lists everyone shares, a random source."""

    account: dict
    shared: dict
    rng: random.Random
    today: date

    def pick(self, values, default=None):
        values = list(values)
        return self.rng.choice(values) if values else default

    def day(self) -> date:
        roll = self.rng.random()
        if roll < 1 / 3:
            return self.today
        if roll < 2 / 3:
            quarters = (self.today.year - FIRST_DAY.year) * 4 + (self.today.month - 1) // 3
            year, quarter = divmod(self.rng.randrange(quarters), 4)  # quarter ends before today's quarter
            month = 3 * quarter + 3
            return date(FIRST_DAY.year + year, month, 31 if month in (3, 12) else 30)
        return FIRST_DAY + timedelta(days=self.rng.randrange((self.today - FIRST_DAY).days + 1))

    def iso(self) -> str:
        return self.day().isoformat()

    def organization(self) -> int:
        return self.pick(self.account["organizations"])

    def hub(self) -> int:
        return self.pick(self.account["hubs"])

    def district(self):
        return self.pick(self.account["districts"])

    def street(self):
        return self.pick(self.account["streets"])

    def term(self) -> str:
        terms = self.account["terms"]
        return self.pick(terms) if terms and self.rng.random() < 0.6 else self.pick(COMMON_WORDS)

    def some(self, **choices) -> dict:
        """Each filter given with probability 1/2 (a value of None leaves it out)."""
        return {key: value for key, value in choices.items() if value is not None and self.rng.random() < 0.5}


@dataclass(frozen=True)
class Page:
    label: str  # the report's row
    url_name: str  # what the path must resolve to
    weight: float
    build: Callable[[Visit], tuple[str, dict]]  # the path and its query parameters
    api: bool = False  # sent with the user's API token instead of the session
    kinds: tuple[str, ...] = KINDS  # the users who open it (each page of the mix is offered to every role today)


def _dashboard(v: Visit):
    return "/", ({} if v.rng.random() < 0.3 else {"as_of": v.iso()})


def _coverage(v: Visit):
    return f"/coverage/{v.pick(DIMENSIONS)}/", {"as_of": v.iso()}


def _growth(v: Visit):
    start, end = sorted((v.iso(), v.iso()))
    return "/coverage/growth/", {"start": start, "end": end, "level": v.pick(HUB_LEVELS)} if start < end else {}


def _organizations(v: Visit):
    return "/organizations/", {"page": v.rng.randint(1, 5)} if v.rng.random() < 0.3 else {}


def _organizations_filtered(v: Visit):
    params = v.some(
        kind=v.pick(ORGANIZATION_KINDS),
        status=v.pick(STATUSES),
        district=v.district(),
        field=v.pick(v.shared["fields"]),
        active_on=v.iso(),
        uscc=v.pick(v.account["uscc_prefixes"]),
    )
    return "/organizations/", params or {"kind": v.pick(ORGANIZATION_KINDS)}


def _organizations_search(v: Visit):
    return "/organizations/", {"q": v.term(), **v.some(district=v.district())}


def _covered(v: Visit):
    """A coverage figure's drill-down, as the dashboard links it: covered on a day, by a district, level or system."""
    drill = v.some(
        district=v.district(), covered_by_level=v.pick(HUB_LEVELS), covered_by_system=v.pick(v.shared["systems"])
    )
    return "/organizations/", {"covered_on": v.iso(), **drill}


def _uncovered(v: Visit):
    return "/organizations/", {"uncovered_on": v.iso(), **v.some(district=v.district())}


def _organization(v: Visit):
    return f"/organizations/{v.organization()}/", {}


def _change_log(v: Visit):
    return f"/audit/organizations/organization/{v.organization()}/", {}


def _hubs(v: Visit):
    return "/hubs/", v.some(level=v.pick(HUB_LEVELS), system=v.pick(v.shared["systems"]), recognized_on=v.iso())


def _hub(v: Visit):
    return f"/hubs/{v.hub()}/", {"as_of": v.iso()} if v.rng.random() < 0.5 else {}


def _links(v: Visit):
    return "/hubs/links/", v.some(valid_on=v.iso(), hub=v.hub(), role=v.pick(LINK_ROLES))


def _links_sorted(v: Visit):
    return "/hubs/links/", {"sort": v.pick(("-start_date", "start_date", "-end_date")), **v.some(valid_on=v.iso())}


def _worklist(v: Visit):
    day = v.today.isoformat() if v.rng.random() < 0.6 else v.iso()
    return "/organizations/uncovered/", {"uncovered_on": day, **v.some(district=v.district(), street=v.street())}


def _districts(v: Visit):
    return "/areas/", {}


def _district(v: Visit):
    return f"/areas/{v.district()}/", {}


def _duplicates(v: Visit):
    return "/organizations/duplicates/", {"district": v.district()}


def _static(path: str):
    return lambda v: (path, {})


def _api_organizations(v: Visit):
    params = v.some(
        q=v.term(), district=v.district(), kind=v.pick(ORGANIZATION_KINDS), covered_on=v.iso(), active_on=v.iso()
    )
    return "/api/organizations/organizations/", params


def _api_hubs(v: Visit):
    return "/api/hubs/hubs/", v.some(level=v.pick(HUB_LEVELS), recognized_on=v.iso())


def _api_links(v: Visit):
    return "/api/hubs/links/", {"valid_on": v.iso(), **v.some(hub=v.hub())}


def _api_coverage(v: Visit):
    return "/api/coverage/", {"as_of": v.iso(), "by": v.pick(("total", *DIMENSIONS))}


def _api_trend(v: Visit):
    return "/api/coverage/trend/", v.some(until=v.iso())


def _api_coverage_hubs(v: Visit):
    return "/api/coverage/hubs/", {"as_of": v.iso()}


def _api_growth(v: Visit):
    start, end = sorted((v.iso(), v.iso()))
    return "/api/coverage/growth/", {"start": start, "end": end, **v.some(level=v.pick(HUB_LEVELS))}


PAGES = [
    Page("dashboard", "indicators:dashboard", 12, _dashboard),
    Page("coverage", "indicators:coverage", 3, _coverage),
    Page("coverage_growth", "indicators:coverage_growth", 1, _growth),
    Page("organization_list", "organizations:organization_list", 3, _organizations),
    Page("organization_list?filters", "organizations:organization_list", 4, _organizations_filtered),
    Page("organization_list?q", "organizations:organization_list", 5, _organizations_search),
    Page("organization_list?covered_on", "organizations:organization_list", 3, _covered),
    Page("organization_list?uncovered_on", "organizations:organization_list", 2, _uncovered),
    Page("organization", "organizations:organization", 8, _organization),
    Page("objectchange_log", "audit:objectchange_log", 1, _change_log),
    Page("duplicates", "organizations:duplicates", 0.25, _duplicates),  # a check now and then, not a daily page
    Page("hub_list", "hubs:hub_list", 3, _hubs),
    Page("hub", "hubs:hub", 3, _hub),
    Page("link_list", "hubs:link_list", 2, _links),
    Page("link_list?sort", "hubs:link_list", 2, _links_sorted),
    Page("organization_uncovered", "hubs:organization_uncovered", 4, _worklist),
    Page("area_list", "areas:area_list", 2, _districts),
    Page("area", "areas:area", 1, _district),
    Page("annualinspection_list", "assessments:annualinspection_list", 1, _static("/assessments/inspections/")),
    Page("gradeevaluation_list", "assessments:gradeevaluation_list", 1, _static("/assessments/grades/")),
    Page("importjob_list", "imports:importjob_list", 1, _static("/imports/")),
    Page("api organization-list", "organizations-api:organization-list", 3, _api_organizations, api=True),
    Page("api hub-list", "hubs-api:hub-list", 1, _api_hubs, api=True),
    Page("api link-list", "hubs-api:link-list", 2, _api_links, api=True),
    Page("api area-list", "areas-api:area-list", 1, _static("/api/areas/areas/"), api=True),
    Page("api field-list", "organizations-api:field-list", 1, _static("/api/organizations/fields/"), api=True),
    Page("api system-list", "hubs-api:system-list", 1, _static("/api/hubs/systems/"), api=True),
    Page(
        "api annualinspection-list",
        "assessments-api:annualinspection-list",
        1,
        _static("/api/assessments/inspections/"),
        api=True,
    ),
    Page(
        "api gradeevaluation-list",
        "assessments-api:gradeevaluation-list",
        1,
        _static("/api/assessments/grades/"),
        api=True,
    ),
    Page("api coverage", "indicators-api:coverage", 2, _api_coverage, api=True),
    Page("api coverage_trend", "indicators-api:coverage_trend", 1, _api_trend, api=True),
    Page("api coverage_hubs", "indicators-api:coverage_hubs", 1, _api_coverage_hubs, api=True),
    Page("api coverage_growth", "indicators-api:coverage_growth", 1, _api_growth, api=True),
]


def pages_for(kind: str) -> list[Page]:
    """The pages a user of `kind` (city, district, street, hub) opens."""
    return [page for page in PAGES if kind in page.kinds]
