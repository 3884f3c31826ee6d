from django.db import models
from django.utils.translation import gettext_lazy as _


class HubLevel(models.TextChoices):
    CITY = "city", _("市级")
    DISTRICT = "district", _("区级")
    STREET = "street", _("街道级")


class LinkRole(models.TextChoices):
    MANAGE = "manage", _("管理（业务主管）")
    CONTACT = "contact", _("联系")
    SERVE = "serve", _("服务")


class HubAuditAction(models.TextChoices):
    """The audit log's names for the row changes that are hub work's domain actions (`hubs.module`)."""

    LINK_ENDED = "link_ended", _("联系关系结束")
    HUB_RECOGNIZED = "hub_recognized", _("枢纽认定")
    HUB_REVOKED = "hub_revoked", _("枢纽撤销认定")
