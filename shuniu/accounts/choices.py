from django.db import models
from django.utils.translation import gettext_lazy as _


class ScopeKind(models.TextChoices):
    """Where a role's assignment holds: the whole city, an area subtree, one organization or one hub."""

    CITY = "city", _("全市")
    AREA = "area", _("区划")
    ORGANIZATION = "organization", _("本组织")
    HUB = "hub", _("本枢纽")
