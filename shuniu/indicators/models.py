from django.db import models
from django.utils.translation import gettext_lazy as _

from shuniu.areas.models import Area


class CoverageTrendPoint(models.Model):
    """Stored coverage on a trend day (31 December of each year since 2008), per district.

    Numerator and denominator are stored, never the ratio. Rows from `stale_since` on are recomputed before
    they are read (see `indicators.services`).
    """

    day = models.DateField(verbose_name=_("日期"))
    district = models.ForeignKey(Area, verbose_name=_("区"), on_delete=models.CASCADE, related_name="+")
    numerator = models.PositiveIntegerField(verbose_name=_("已覆盖"))
    denominator = models.PositiveIntegerField(verbose_name=_("社会组织数"))

    class Meta:
        ordering = ("day", "district__code")
        verbose_name = _("覆盖率趋势点")
        verbose_name_plural = _("覆盖率趋势点")
        constraints = [
            models.UniqueConstraint(fields=["day", "district"], name="indicators_trendpoint_unique_day_district"),
        ]

    def __str__(self):
        return f"{self.day} {self.district_id}: {self.numerator}/{self.denominator}"


class TrendState(models.Model):
    """One row: stored trend points on or after `stale_since` are out of date (NULL: all are current)."""

    stale_since = models.DateField(null=True, blank=True)
    computed_until = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("趋势状态")

    def __str__(self):
        return f"stale since {self.stale_since}" if self.stale_since else "current"
