from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shuniu.areas.choices import AreaLevel
from shuniu.areas.models import Area
from shuniu.core.access import Scope
from shuniu.core.dated import Dated, DatedRecord, NoOverlap
from shuniu.core.models import BaseModel
from shuniu.core.validators import not_after_today
from shuniu.organizations.models import Field, Organization

from .choices import HubLevel, LinkRole
from .querysets import HubQuerySet, LinkQuerySet

HUB_LEVEL_AREA_LEVEL = {
    HubLevel.CITY: AreaLevel.CITY,
    HubLevel.DISTRICT: AreaLevel.DISTRICT,
    HubLevel.STREET: AreaLevel.STREET,
}


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


class Hub(DatedRecord, BaseModel):
    """The recognition (认定) of an organization as a hub at a level, for a jurisdiction, system and fields, dated from
    `recognized_on` to `recognized_until` (the last day it holds; empty while it holds: `core.dated`).

    The name is the users' word (枢纽), but a row is one recognition, not one organization: an organization
    recognised at two levels, or again after a revocation, is several `Hub` rows (`organization.recognitions`), and
    "the hub" of a link is the recognition the link was made under (`docs/glossary.md`)."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("组织"), on_delete=models.PROTECT, related_name="recognitions"
    )
    level = models.CharField(verbose_name=_("层级"), max_length=10, choices=HubLevel.choices)
    area = models.ForeignKey(Area, verbose_name=_("管辖区域"), on_delete=models.PROTECT, related_name="hubs")
    system = models.ForeignKey(System, verbose_name=_("条线"), on_delete=models.PROTECT, related_name="hubs")
    fields = models.ManyToManyField(Field, verbose_name=_("覆盖领域"), blank=True, related_name="hubs")
    batch = models.CharField(verbose_name=_("认定批次"), max_length=60, blank=True)
    recognized_on = models.DateField(verbose_name=_("认定日期"))
    recognized_until = models.DateField(
        verbose_name=_("认定截止日期"),
        null=True,
        blank=True,
        help_text=_("认定有效的最后一天，即撤销认定之日的前一天；仍在认定期内的留空"),
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("上级枢纽"), on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )

    dated = Dated(start="recognized_on", end="recognized_until", affects=("organization", "level", "area", "system"))
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

    def __str__(self):
        return self.organization.name

    @property
    def name(self) -> str:
        return self.organization.name

    #: dates of what has happened, which cannot lie after today (`value_errors`)
    NOT_AFTER_TODAY = ("recognized_on",)

    @classmethod
    def value_errors(cls, values, *, today=None) -> dict[str, list[str]]:
        """Field → [message] for the rules among a recognition's own values, on a mapping field → value (a field left
        out or empty is not checked): `clean()` applies them for the form and the API, the import to each row."""
        return not_after_today(values, cls.NOT_AFTER_TODAY, today=today)

    def clean(self):
        super().clean()
        errors = self.value_errors(vars(self))
        if errors:
            raise ValidationError(errors)
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


class Link(DatedRecord, BaseModel):
    """A dated link between a hub and an organization, with a role and the document it rests on.

    Ending a link sets `end_date` (the last valid day: `core.dated`); the row is kept. Two links of the same role for
    the same pair never overlap, and an organization has at most one managing hub on any day.
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

    dated = Dated(
        start="start_date",
        end="end_date",
        affects=("hub", "organization", "role"),
        no_overlap=(
            # the organization first: PostgreSQL probes this GiST index for an organization's links (the
            # uncovered lists' NOT EXISTS) when it costs it like the btree beside it, and a GiST index answers only
            # its first column quickly (as the second: 3.0 s for a district's uncovered list, 0.05 s as the first)
            NoOverlap("hubs_link_no_overlap", per=("organization", "hub", "role")),
            NoOverlap("hubs_link_one_manager", per=("organization",), condition=Q(role=LinkRole.MANAGE)),
        ),
    )
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
            # coverage on a date: per recognised hub, one index range on start_date; index-only (measured fastest)
            models.Index(fields=["hub", "start_date", "end_date", "organization"], name="hubs_link_hub_dates"),
            # an organization's links, and the hubs of a set of organizations' links index-only (the hubs a user
            # sees with their links: `Hub.scope.seen_with`); PostgreSQL otherwise reads them from the slower GiST
            # index of the exclusion constraint
            models.Index(fields=["organization", "hub"], name="hubs_link_organization_hub"),
            # the links list's sorts (LinkTable), so that page 1 reads an index instead of sorting 1,000,000 links:
            # the default order (-start_date, pk) and start_date either way, end date, role, basis
            models.Index(fields=["-start_date", "id"], name="hubs_link_start_date"),
            models.Index(fields=["end_date"], name="hubs_link_end_date"),
            models.Index(fields=["role"], name="hubs_link_role"),
            models.Index(fields=["basis"], name="hubs_link_basis"),
        ]

    def __str__(self):
        return f"{self.hub} → {self.organization}"

    def get_absolute_url(self) -> str:
        return f"{self.organization.get_absolute_url()}#link-{self.pk}"
