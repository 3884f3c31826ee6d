from django.db import models
from django.utils.translation import gettext_lazy as _


class AreaLevel(models.TextChoices):
    CITY = "city", _("市")
    DISTRICT = "district", _("区")
    STREET = "street", _("街道/乡镇")


class AreaKind(models.TextChoices):
    CITY = "city", _("市")
    DISTRICT = "district", _("区")
    STREET = "street", _("街道")
    AREA_OFFICE = "area_office", _("地区")
    TOWN = "town", _("镇")
    TOWNSHIP = "township", _("乡")
    OTHER = "other", _("类似乡级单位")
