from django.db import models
from django.utils.translation import gettext_lazy as _

from shuniu.core.models import BaseModel

from .choices import AreaKind, AreaLevel
from .querysets import AreaQuerySet


class Area(BaseModel):
    """A division of Beijing: the city (110000), a district (GB/T 2260) or a street/township (9-digit NBS code).

    `path` is the materialized chain of codes, e.g. "/110000/110105/110105001/", so a subtree is one
    `path LIKE '…%'` condition on an index.
    """

    code = models.CharField(verbose_name=_("区划代码"), max_length=12, unique=True)
    name = models.CharField(verbose_name=_("名称"), max_length=50)
    level = models.CharField(verbose_name=_("层级"), max_length=10, choices=AreaLevel.choices)
    kind = models.CharField(verbose_name=_("类型"), max_length=12, choices=AreaKind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级"), on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    path = models.CharField(verbose_name=_("路径"), max_length=100, unique=True)

    objects = AreaQuerySet.as_manager()

    class Meta:
        ordering = ("code",)
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        indexes = [models.Index(fields=["level", "code"], name="areas_area_level_code")]

    def __str__(self):
        return self.name

    def contains(self, other: "Area") -> bool:
        return other.path.startswith(self.path)


class AreaPopulation(BaseModel):
    """Population of an area in a census year (resident; registered where published), in persons."""

    area = models.ForeignKey(Area, verbose_name=_("区划"), on_delete=models.CASCADE, related_name="populations")
    year = models.PositiveSmallIntegerField(verbose_name=_("年份"))
    resident = models.PositiveIntegerField(verbose_name=_("常住人口"))
    registered = models.PositiveIntegerField(verbose_name=_("户籍人口"), null=True, blank=True)
    source = models.CharField(verbose_name=_("来源"), max_length=200, blank=True)

    class Meta:
        ordering = ("area__code", "year")
        verbose_name = _("人口")
        verbose_name_plural = _("人口")
        constraints = [
            models.UniqueConstraint(fields=["area", "year"], name="areas_areapopulation_unique_area_year"),
        ]

    def __str__(self):
        return f"{self.area} {self.year}"
