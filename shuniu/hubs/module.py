"""Hubs, their systems and their dated links, declared to the platform (`shuniu.core.modules`)."""

from django.utils.translation import gettext_lazy as _

from shuniu.core.exporting import ListExport
from shuniu.core.indicators import RELATION, Dimension, DrillThrough, Indicator, Share
from shuniu.core.lookups import Lookup
from shuniu.core.modules import Audit, MenuItem, Module, Section, register

from .choices import HubAuditAction
from .scopes import HUB

REFERENCE = ("hubs.view_system",)
LINK_WORK = ("hubs.view_link", "hubs.add_link", "hubs.change_link", "hubs.end_link")


def _hub_action(created: bool, before: dict, after: dict) -> str | None:
    """A new hub is a recognition; setting the last day of an open recognition is a revocation."""
    if created:
        return HubAuditAction.HUB_RECOGNIZED
    if "recognized_until" in after and before.get("recognized_until") is None and after["recognized_until"] is not None:
        return HubAuditAction.HUB_REVOKED
    return None


def _link_action(created: bool, before: dict, after: dict) -> str | None:
    """Setting a link's end date ends it."""
    if not created and "end_date" in after and before.get("end_date") is None and after["end_date"] is not None:
        return HubAuditAction.LINK_ENDED
    return None


def _search_hubs(hubs, text: str):
    """By the hub organization's name, former names or USCC prefix: the organizations' own search."""
    from shuniu.organizations.models import Organization

    return hubs.filter(organization__in=Organization.objects.search(text))


def _hub_detail(hub) -> str:
    """Level, system and area, and the recognition's period: an organization recognised again after a revocation
    is two hubs of the same name."""
    if hub.recognized_until:
        recognized = _("认定 %(start)s 至 %(end)s") % {"start": hub.recognized_on, "end": hub.recognized_until}
    else:
        recognized = _("认定于 %(start)s") % {"start": hub.recognized_on}
    return " · ".join((hub.get_level_display(), hub.system.name, hub.area.name, recognized))


HUB_LOOKUP = Lookup(
    model="hubs.hub",
    search=_search_hubs,
    detail=_hub_detail,
    related=("organization", "system", "area"),
    order=("organization__name", "pk"),
)

_DIMENSIONS = "shuniu.indicators.dimensions"

#: 覆盖率: of the social organizations active on D, those linked on D to a hub recognised on D
COVERAGE = Indicator(
    key="hubs.coverage",
    label=_("覆盖率"),
    share=Share(
        population="shuniu.hubs.selectors.organizations_counted_on",
        relation="shuniu.hubs.selectors.links_covering_on",
        holder="organization_id",
        holders="shuniu.hubs.selectors.organizations_covered_on",
        area="district_id",
        filters=("system", "level", "hub"),
    ),
    numerator=_("%(counted)s中，当日与处于认定有效期的%(relation)s存在有效联系关系的组织数"),
    denominator=_("%(counted)s数"),
    definition=_(
        "在统计日期存续的社会组织（不含人民团体、群团组织本身）中，与当日处于认定有效期的枢纽型社会组织"
        "存在有效联系关系的比例。覆盖率 = 覆盖数 ÷ 应覆盖数，四舍五入到 0.01%；未覆盖数 = 应覆盖数 − 覆盖数。"
    ),
    scope_text=_("统计日期存续的社会组织（不含人民团体、群团组织本身）"),
    scoped_text=_("统计日期存续、%(scope)s的社会组织（不含人民团体、群团组织本身）"),
    relation_text=_("枢纽型社会组织"),
    drill=DrillThrough(
        list="organizations:organization_list",
        gap_list="hubs:organization_uncovered",
        api_list="organizations-api:organization-list",
        holds="covered_on",
        lacks="uncovered_on",
    ),
    dimensions=(
        Dimension(
            "district", _("按区"), "district_id", f"{_DIMENSIONS}.districts", "district", text=_("所属区为%(label)s")
        ),
        Dimension(
            "street",
            _("按街道/乡镇"),
            "street_id",
            f"{_DIMENSIONS}.streets",
            "street",
            text=_("所属街道/乡镇为%(label)s"),
        ),
        Dimension("kind", _("按组织类型"), "kind", f"{_DIMENSIONS}.kinds", "kind", text=_("类型为%(label)s")),
        Dimension(
            "field",
            _("按领域"),
            "fields",
            f"{_DIMENSIONS}.fields",
            "field",
            text=_("领域包括%(label)s"),
            note_numerator=_("（一个组织可属多个领域，在每个所属领域中各计一次）"),
            note_denominator=_("（一个组织可属多个领域，在每个所属领域中各计一次）"),
        ),
        Dimension(
            "level",
            _("按枢纽层级"),
            "hub__level",
            f"{_DIMENSIONS}.hub_levels",
            "covered_by_level",
            on=RELATION,
            text=_("%(label)s枢纽型社会组织"),
            note_numerator=_("（一个组织可同时被多个条线或层级覆盖）"),
            note_denominator=_("（与全市覆盖率的分母相同）"),
        ),
        Dimension(
            "system",
            _("按条线"),
            "hub__system_id",
            f"{_DIMENSIONS}.systems",
            "covered_by_system",
            on=RELATION,
            text=_("%(label)s条线的枢纽型社会组织"),
            note_numerator=_("（一个组织可同时被多个条线或层级覆盖）"),
            note_denominator=_("（与全市覆盖率的分母相同）"),
        ),
    ),
    depends_on=("hubs.link", "hubs.hub", "organizations.organization"),
    fast_paths={
        # every dashboard figure from one statement (bit masks of the covering hubs' systems and levels)
        "overview": "shuniu.indicators.selectors.coverage_overview",
        # the stored trend: all days in one statement on PostgreSQL (bit masks of the days)
        "counts_by_area": "shuniu.hubs.selectors.coverage_counts_by_district",
    },
)

module = register(
    Module(
        app_label="hubs",
        scope_kinds=(HUB,),
        lookups=(HUB_LOOKUP,),
        urls="shuniu.hubs.urls",
        url_prefix="",  # hubs/…, and the uncovered worklist at organizations/uncovered/
        api_urls="shuniu.hubs.api.urls",
        menu=(
            MenuItem(_("未覆盖工作清单"), "hubs:organization_uncovered", "organizations.view_organization", order=30),
            MenuItem(_("枢纽型社会组织"), "hubs:hub_list", "hubs.view_hub", order=40),
            MenuItem(_("联系关系"), "hubs:link_list", "hubs.view_link", order=50),
        ),
        permissions={
            "city-admin": ("hubs.*",),
            "city-analyst": (*REFERENCE, "hubs.view_hub", "hubs.view_link"),
            "district-office": (*REFERENCE, "hubs.view_hub", "hubs.add_hub", "hubs.change_hub", *LINK_WORK),
            "street-office": (*REFERENCE, "hubs.view_hub", *LINK_WORK),
            "hub-staff": (*REFERENCE, "hubs.view_hub", *LINK_WORK),
            # an organization sees its links and the hubs that link it
            "organization": (*REFERENCE, "hubs.view_link", "hubs.view_hub"),
            "leader": (*REFERENCE, "hubs.view_hub", "hubs.view_link"),
        },
        audit=Audit(
            related={"link": "hub", "hub": "organization"},
            repr_lookups={
                "hub": ("organization__name",),
                "link": ("hub__organization__name", "organization__name"),
                "system": ("name",),
            },
            row_actions={"hub": _hub_action, "link": _link_action},
            actions=tuple(HubAuditAction.choices),
            # what the audit record of an organizations' merge says this app's step moved (`merging.py`)
            event_labels={
                "links_moved": _("转入的联系关系"),
                "links_combined": _("合并的联系关系"),
                "recognitions_moved": _("转入的枢纽认定"),
            },
        ),
        exports={
            "hubs": ListExport("hubs:hub_list"),
            "links": ListExport("hubs:link_list"),
            "uncovered": ListExport("hubs:organization_uncovered", as_of="uncovered_on"),
        },
        sections=(
            Section(
                model="organizations.organization",
                template="hubs/sections/organization_links.html",
                context="shuniu.hubs.sections.organization_links",
                order=10,
            ),
            Section(
                model="organizations.organization",
                template="hubs/sections/organization_recognitions.html",
                context="shuniu.hubs.sections.organization_recognitions",
                order=20,
            ),
        ),
        indicators=(COVERAGE,),
        imports=("shuniu.hubs.imports.HubDefinition", "shuniu.hubs.imports.LinkDefinition"),
        filters={"organizations.organization": ("shuniu.hubs.coverage_filters.OrganizationCoverageFilters",)},
        merge_steps={"organizations.organization": ("shuniu.hubs.merging.LinksAndRecognitions",)},
        access_cases="shuniu.hubs.tests.access",
    )
)
