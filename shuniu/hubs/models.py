from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shuniu.areas.choices import AreaLevel
from shuniu.areas.models import Area
from shuniu.core.access import Scope
from shuniu.core.models import BaseModel
from shuniu.organizations.models import Field, Organization

from .choices import HubLevel, LinkRole
from .querysets import HubQuerySet, LinkQuerySet

HUB_LEVEL_AREA_LEVEL = {HubLevel.CITY: "city", HubLevel.DISTRICT: "district", HubLevel.STREET: "street"}


class System(BaseModel):
    """A system or line (条线) of hubs: trade union, youth league, women's federation, … — data, not code."""

    code = models.SlugField(verbose_name=_("代码"), max_length=40, unique=True)
    name = models.CharField(verbose_name=_("名称"), max_length=40, unique=True)
    sort = models.PositiveSmallIntegerField(verbose_name=_("排序"), default=0)

    class Meta:
        ordering = ("sort", "code")
        verbose_name = _("条线")
        verbose_name_plural = _("条线")

    def __str__(self):
        return self.name


class Hub(BaseModel):
    """The recognition (认定) of an organization as a hub at a level, for a jurisdiction, system and fields."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("组织"), on_delete=models.PROTECT, related_name="recognitions"
    )
    level = models.CharField(verbose_name=_("层级"), max_length=10, choices=HubLevel.choices)
    area = models.ForeignKey(Area, verbose_name=_("管辖区域"), on_delete=models.PROTECT, related_name="hubs")
    system = models.ForeignKey(System, verbose_name=_("条线"), on_delete=models.PROTECT, related_name="hubs")
    fields = models.ManyToManyField(Field, verbose_name=_("覆盖领域"), blank=True, related_name="hubs")
    batch = models.CharField(verbose_name=_("认定批次"), max_length=60, blank=True)
    recognized_on = models.DateField(verbose_name=_("认定日期"))
    revoked_on = models.DateField(verbose_name=_("撤销认定日期"), null=True, blank=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级枢纽"), on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )

    objects = HubQuerySet.as_manager()
    scope = Scope(
        area=("area",),
        area_above=("area",),
        organization=("organization",),
        hub=("organization",),
        seen_with=("links",),
    )

    class Meta:
        ordering = ("level", "system__sort", "organization__name")
        verbose_name = _("枢纽型社会组织")
        verbose_name_plural = _("枢纽型社会组织")
        constraints = [
            models.CheckConstraint(
                condition=Q(revoked_on__isnull=True) | Q(revoked_on__gt=F("recognized_on")),
                name="hubs_hub_revoked_after_recognized",
                violation_error_message=_("撤销认定日期须晚于认定日期。"),
            ),
        ]

    def __str__(self):
        return self.organization.name

    @property
    def name(self) -> str:
        return self.organization.name

    def is_recognized_on(self, day) -> bool:
        return self.recognized_on <= day and (self.revoked_on is None or self.revoked_on > day)

    def clean(self):
        super().clean()
        if self.area_id and self.level and self.area.level != HUB_LEVEL_AREA_LEVEL[self.level]:
            expected = AreaLevel(HUB_LEVEL_AREA_LEVEL[self.level]).label
            raise ValidationError(
                {
                    "area": _("%(level)s枢纽的管辖区域应为一个%(expected)s。")
                    % {"level": HubLevel(self.level).label, "expected": expected}
                }
            )
        if self.parent_id and self.parent_id == self.pk:
            raise ValidationError({"parent": _("上级枢纽不能是自己。")})


class Link(BaseModel):
    """A dated link between a hub and an organization, with a role and the document it rests on.

    Ending a link sets `end_date` (the last valid day); the row is kept. Two links of the same role for the
    same pair never overlap, and an organization has at most one managing hub on any day.
    """

    hub = models.ForeignKey(
        Hub,
        verbose_name=_("枢纽"),
        on_delete=models.PROTECT,
        related_name="links",
        db_index=False,  # hubs_link_hub_dates leads with it
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("组织"),
        on_delete=models.PROTECT,
        related_name="links",
        db_index=False,  # hubs_link_organization_hub leads with it
    )
    role = models.CharField(verbose_name=_("关系"), max_length=10, choices=LinkRole.choices)
    start_date = models.DateField(verbose_name=_("开始日期"))
    end_date = models.DateField(verbose_name=_("结束日期"), null=True, blank=True, help_text=_("最后有效的一天"))
    basis = models.CharField(verbose_name=_("依据"), max_length=200, blank=True, help_text=_("文件名称或文号"))
    note = models.CharField(verbose_name=_("备注"), max_length=200, blank=True)

    objects = LinkQuerySet.as_manager()
    scope = Scope(
        area=("organization__district", "organization__street"),
        organization=("organization",),
        hub=("hub__organization",),
        hub_writes=lambda: Q(end_date__isnull=True) | Q(end_date__gte=timezone.localdate()),
    )

    class Meta:
        ordering = ("-start_date", "pk")
        permissions = [("end_link", _("可以结束联系关系"))]
        verbose_name = _("联系关系")
        verbose_name_plural = _("联系关系")
        indexes = [
            # coverage on a date: per recognised hub, one index range on start_date; index-only (coverage-floor.md)
            models.Index(fields=["hub", "start_date", "end_date", "organization"], name="hubs_link_hub_dates"),
            # an organization's links, and the hubs of a set of organizations' links index-only (the hubs a user
            # sees with their links: `Hub.scope.seen_with`); PostgreSQL otherwise reads them from the slower GiST
            # index of the exclusion constraint
            models.Index(fields=["organization", "hub"], name="hubs_link_organization_hub"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="hubs_link_end_after_start",
                violation_error_message=_("结束日期不能早于开始日期。"),
            ),
        ]

    def __str__(self):
        return f"{self.hub} → {self.organization}"

    def get_absolute_url(self) -> str:
        return f"{self.organization.get_absolute_url()}#link-{self.pk}"

    def is_valid_on(self, day) -> bool:
        return self.start_date <= day and (self.end_date is None or self.end_date >= day)
