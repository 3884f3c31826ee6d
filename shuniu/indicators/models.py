import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from shuniu.areas.models import Area


def new_version() -> str:
    return uuid.uuid4().hex


class IndicatorState(models.Model):
    """The fill state of one indicator's stored figures (`StoredFigure`): those on or after `stale_since` are out of
    date since `stale_at` (NULL: all are current), and days up to `filled_until` have been stored.

    A write marks it (`services.mark_stale`, in the write's transaction); the refresh that the write enqueues after
    its commit clears it (`services.refresh`). A page reads it and never writes it."""

    indicator = models.CharField(verbose_name=_("指标"), max_length=60, unique=True)
    stale_since = models.DateField(verbose_name=_("待更新起始日"), null=True, blank=True)
    stale_at = models.DateTimeField(verbose_name=_("标记待更新时间"), null=True, blank=True)
    filled_until = models.DateField(verbose_name=_("已存储至"), null=True, blank=True)
    # a new random token at each write that changes what the indicator counts (`cache.py`: the kept figures' key)
    version = models.CharField(verbose_name=_("数据版本"), max_length=32, default=new_version, editable=False)

    class Meta:
        verbose_name = _("指标存储状态")
        verbose_name_plural = _("指标存储状态")

    def __str__(self):
        return f"{self.indicator}: stale since {self.stale_since}" if self.stale_since else f"{self.indicator}: current"


class StoredFigure(models.Model):
    """An indicator's figure on a day for one area (a district), stored for its trend: numerator and denominator,
    never the ratio alone (a ratio cannot be summed or recomputed). Summed over districts for the city or a scope of
    whole districts."""

    indicator = models.CharField(verbose_name=_("指标"), max_length=60)
    day = models.DateField(verbose_name=_("日期"))
    area = models.ForeignKey(Area, verbose_name=_("区域"), on_delete=models.CASCADE, related_name="+")
    numerator = models.PositiveIntegerField(verbose_name=_("分子"))
    denominator = models.PositiveIntegerField(verbose_name=_("分母"))

    class Meta:
        ordering = ("indicator", "day", "area__code")
        verbose_name = _("指标存储值")
        verbose_name_plural = _("指标存储值")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "day", "area"], name="indicators_storedfigure_unique"),
        ]

    def __str__(self):
        return f"{self.indicator} {self.day} {self.area_id}: {self.numerator}/{self.denominator}"
