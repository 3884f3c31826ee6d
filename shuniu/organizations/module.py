"""The registry of social organizations, declared to the platform (`shuniu.core.modules`)."""

from django.utils.translation import gettext_lazy as _

from shuniu.core.exporting import ListExport
from shuniu.core.lookups import Lookup
from shuniu.core.modules import Audit, MenuItem, Module, register

from .choices import OrganizationAuditAction
from .scopes import ORGANIZATION

#: what every role that works with organizations sees of the reference data
REFERENCE = ("organizations.view_field",)
VIEW = (*REFERENCE, "organizations.view_organization")

ORGANIZATION_LOOKUP = Lookup(
    model="organizations.organization",
    detail=lambda organization: " · ".join(
        part
        for part in (
            organization.district.name if organization.district_id else "",
            organization.get_kind_display(),
            organization.uscc,
        )
        if part
    ),
    related=("district",),
    order=("name", "pk"),
)

module = register(
    Module(
        app_label="organizations",
        scope_kinds=(ORGANIZATION,),
        lookups=(ORGANIZATION_LOOKUP,),
        urls="shuniu.organizations.urls",
        api_urls="shuniu.organizations.api.urls",
        menu=(MenuItem(_("社会组织"), "organizations:organization_list", "organizations.view_organization", order=20),),
        permissions={
            "city-admin": ("organizations.*",),
            "city-analyst": (*VIEW, "organizations.view_organizationmerge", "organizations.view_duplicatedismissal"),
            "district-office": (
                *VIEW,
                "organizations.add_organization",
                "organizations.change_organization",
                "organizations.delete_organization",
                "organizations.view_organizationmerge",
                "organizations.view_duplicatedismissal",
                "organizations.add_duplicatedismissal",
            ),
            "street-office": (*VIEW, "organizations.add_organization", "organizations.change_organization"),
            "hub-staff": VIEW,
            "organization": VIEW,
            "leader": VIEW,
        },
        audit=Audit(
            repr_lookups={"organization": ("name",), "field": ("name",)},
            # the merge record keeps its own full snapshot of the merged organization; the log needs no second copy
            skipped={"organizationmerge": ("snapshot",)},
            actions=tuple(OrganizationAuditAction.choices),
            events=(OrganizationAuditAction.MERGE,),
            event_labels={
                "merged": _("被合并的组织"),
                "kept_changes": _("保留组织补全的字段"),
                "fields_added": _("补充的领域"),
            },
        ),
        exports={"organizations": ListExport("organizations:organization_list")},
        imports=("shuniu.organizations.imports.OrganizationDefinition",),
        access_cases="shuniu.organizations.tests.access",
    )
)
