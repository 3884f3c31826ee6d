from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganizationKind(models.TextChoices):
    SOCIAL_GROUP = "social_group", _("社会团体")
    PRIVATE_NON_ENTERPRISE = "private_non_enterprise", _("民办非企业单位")
    FOUNDATION = "foundation", _("基金会")
    COMMUNITY = "community", _("社区社会组织（备案）")
    GRASSROOTS = "grassroots", _("草根组织")
    UNIVERSITY_CLUB = "university_club", _("高校社团")
    MASS_ORGANIZATION = "mass_organization", _("人民团体·群团组织")


#: Kinds registered with civil affairs, and the USCC category digit (position 2, after authority 5) of each.
REGISTERED_KIND_CATEGORY = {
    OrganizationKind.SOCIAL_GROUP: "1",
    OrganizationKind.PRIVATE_NON_ENTERPRISE: "2",
    OrganizationKind.FOUNDATION: "3",
}

#: Kinds counted as social organizations in coverage (mass organizations are the hubs, not the covered).
SOCIAL_KINDS = [kind for kind in OrganizationKind if kind != OrganizationKind.MASS_ORGANIZATION]


class OrganizationStatus(models.TextChoices):
    ACTIVE = "active", _("正常")
    DEREGISTERED = "deregistered", _("已注销")
    REVOKED = "revoked", _("已撤销登记")


class RegistrationLevel(models.TextChoices):
    CITY = "city", _("市级")
    DISTRICT = "district", _("区级")
    STREET = "street", _("街道/乡镇（备案）")


class OrganizationAuditAction(models.TextChoices):
    """The audit log's names for the organizations' domain actions (`organizations.module`)."""

    MERGE = "merge", _("合并")
