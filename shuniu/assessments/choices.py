from django.db import models
from django.utils.translation import gettext_lazy as _


class InspectionResult(models.TextChoices):
    """The result of an organization's annual inspection (年检结论)."""

    QUALIFIED = "qualified", _("合格")
    BASICALLY_QUALIFIED = "basically_qualified", _("基本合格")
    UNQUALIFIED = "unqualified", _("不合格")
    ABSENT = "absent", _("未参检")


class Grade(models.TextChoices):
    """A social organization's evaluation grade (社会组织评估等级), 1A lowest to 5A highest; the values sort as the
    grades do."""

    A1 = "1A", _("1A级")
    A2 = "2A", _("2A级")
    A3 = "3A", _("3A级")
    A4 = "4A", _("4A级")
    A5 = "5A", _("5A级")
