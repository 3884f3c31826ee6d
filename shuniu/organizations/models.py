from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from shuniu.areas.models import Area
from shuniu.core.access import Scope
from shuniu.core.fields import EncryptedField, KeyedHashField
from shuniu.core.models import BaseModel

from .choices import OrganizationKind, OrganizationStatus, RegistrationLevel
from .querysets import OrganizationQuerySet
from .validators import uscc_validate, uscc_validate_kind


class Field(BaseModel):
    """A field of work (领域), e.g. 教育, 养老, 文化: data, not code."""

    code = models.SlugField(verbose_name=_("代码"), max_length=40, unique=True)
    name = models.CharField(verbose_name=_("名称"), max_length=40, unique=True)
    sort = models.PositiveSmallIntegerField(verbose_name=_("排序"), default=0)

    class Meta:
        ordering = ("sort", "code")
        verbose_name = _("领域")
        verbose_name_plural = _("领域")

    def __str__(self):
        return self.name


class Organization(BaseModel):
    """A unit the system knows: a registered, filed or unregistered social organization, or a mass organization."""

    name = models.CharField(verbose_name=_("名称"), max_length=200)
    former_names = models.CharField(verbose_name=_("曾用名"), max_length=400, blank=True)
    uscc = models.CharField(
        verbose_name=_("统一社会信用代码"),
        max_length=18,
        unique=True,
        null=True,
        blank=True,
        help_text=_("18位；社区备案组织和未登记组织可为空"),
    )
    kind = models.CharField(verbose_name=_("类型"), max_length=30, choices=OrganizationKind.choices)
    fields = models.ManyToManyField(Field, verbose_name=_("领域"), blank=True, related_name="organizations")
    registration_level = models.CharField(
        verbose_name=_("登记层级"), max_length=10, choices=RegistrationLevel.choices, blank=True
    )
    registration_authority = models.CharField(verbose_name=_("登记管理机关"), max_length=100, blank=True)
    supervisory_unit = models.CharField(verbose_name=_("业务主管单位"), max_length=100, blank=True)
    district = models.ForeignKey(
        Area,
        verbose_name=_("所属区"),
        on_delete=models.PROTECT,
        related_name="district_organizations",
        limit_choices_to={"level": "district"},
    )
    street = models.ForeignKey(
        Area,
        verbose_name=_("所属街道/乡镇"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="street_organizations",
        limit_choices_to={"level": "street"},
    )
    address = models.CharField(verbose_name=_("住所"), max_length=200, blank=True)
    legal_representative = models.CharField(verbose_name=_("法定代表人/负责人"), max_length=50, blank=True)
    legal_representative_id_number = EncryptedField(
        kind="ric", verbose_name=_("法定代表人身份证号"), help_text=_("18位公民身份号码；加密保存，显示时脱敏")
    )
    legal_representative_id_number_hash = KeyedHashField(source="legal_representative_id_number")
    legal_representative_phone = EncryptedField(
        kind="phone", verbose_name=_("法定代表人电话"), help_text=_("手机号或带区号的固定电话；加密保存，显示时脱敏")
    )
    legal_representative_phone_hash = KeyedHashField(source="legal_representative_phone")
    founded_on = models.DateField(verbose_name=_("成立日期"), help_text=_("登记、备案或成立之日"))
    registered_on = models.DateField(verbose_name=_("登记/备案日期"), null=True, blank=True)
    status = models.CharField(
        verbose_name=_("状态"), max_length=20, choices=OrganizationStatus.choices, default=OrganizationStatus.ACTIVE
    )
    dissolved_on = models.DateField(verbose_name=_("注销/撤销日期"), null=True, blank=True)
    staff_count = models.PositiveIntegerField(verbose_name=_("专职人员数"), null=True, blank=True)
    member_count = models.PositiveIntegerField(verbose_name=_("会员数"), null=True, blank=True)
    party_member_count = models.PositiveIntegerField(verbose_name=_("党员数"), null=True, blank=True)
    note = models.TextField(verbose_name=_("备注"), blank=True)

    objects = OrganizationQuerySet.as_manager()
    scope = Scope(area=("district", "street"), organization=("pk",), hub=(lambda pk: _hub_reach(pk),))

    class Meta:
        ordering = ("name", "pk")
        permissions = [("unmask_organization", _("可以查看未脱敏的个人信息"))]
        verbose_name = _("社会组织")
        verbose_name_plural = _("社会组织")
        indexes = [
            models.Index(fields=["kind", "founded_on"], name="organizations_kind_founded"),
            models.Index(fields=["founded_on", "dissolved_on"], name="organizations_active_dates"),
            # plain B-trees: a field's db_index would add a second, varchar_pattern_ops index on PostgreSQL, for
            # LIKE 'prefix%' that no query here makes (names are searched by substring, hashes by equality)
            models.Index(fields=["name"], name="organizations_name"),
            # hashes are looked up by a number's hash, never by "": organizations without one are left out
            models.Index(
                fields=["legal_representative_id_number_hash"],
                name="organizations_id_number_hash",
                condition=~Q(legal_representative_id_number_hash=""),
            ),
            models.Index(
                fields=["legal_representative_phone_hash"],
                name="organizations_phone_hash",
                condition=~Q(legal_representative_phone_hash=""),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=OrganizationStatus.ACTIVE, dissolved_on__isnull=True)
                | (~Q(status=OrganizationStatus.ACTIVE) & Q(dissolved_on__isnull=False)),
                name="organizations_organization_status_dates",
                violation_error_message=_("注销或撤销的组织须有注销/撤销日期，正常的组织不能有。"),
            ),
            models.CheckConstraint(
                condition=Q(dissolved_on__isnull=True) | Q(dissolved_on__gte=models.F("founded_on")),
                name="organizations_organization_dissolved_after_founded",
                violation_error_message=_("注销/撤销日期不能早于成立日期。"),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def code(self) -> str:
        """The registry number: the USCC where there is one, otherwise our own number."""
        return self.uscc or f"SN{self.pk:08d}"

    @property
    def area(self) -> Area:
        return self.street or self.district

    #: the personal data of this record: encrypted, shown masked, unmasked only with `unmask` (see `personal_data`)
    PERSONAL_FIELDS = ("legal_representative_id_number", "legal_representative_phone")

    def is_active_on(self, day) -> bool:
        return self.founded_on <= day and (self.dissolved_on is None or self.dissolved_on > day)

    def clean(self):
        super().clean()
        errors = {}
        if self.uscc:
            try:
                self.uscc = uscc_validate(self.uscc)
                if self.kind:
                    uscc_validate_kind(self.uscc, self.kind)
            except ValidationError as error:
                errors["uscc"] = error.messages
        else:
            self.uscc = None
        if self.street_id and self.district_id and self.street.parent_id != self.district_id:
            errors["street"] = [
                _("街道「%(street)s」不属于%(district)s。") % {"street": self.street, "district": self.district}
            ]
        if self.registered_on and self.founded_on and self.registered_on < self.founded_on:
            errors["registered_on"] = [_("登记/备案日期不能早于成立日期。")]
        if errors:
            raise ValidationError(errors)


def _hub_reach(organization_id: int) -> Q:
    """What the staff of the hub `organization_id` sees: the hub's own organization and every organization any of
    its recognitions links or has linked."""
    from shuniu.hubs.models import Link

    linked = Link.objects.filter(hub__organization_id=organization_id).values("organization_id")
    return Q(pk=organization_id) | Q(pk__in=linked)


class OrganizationMerge(BaseModel):
    """A duplicate merged into a kept organization: who, when (`created_at`), and what the merged record was.

    `snapshot` holds all the merged organization's fields, the links and recognitions moved to `kept` (ids and
    dates), the links combined with one of `kept`'s and `kept`'s own values before they were filled in.
    """

    kept = models.ForeignKey(
        Organization, verbose_name=_("保留的组织"), on_delete=models.PROTECT, related_name="merges"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    merged_pk = models.PositiveIntegerField(verbose_name=_("被合并组织的原编号"))
    merged_name = models.CharField(verbose_name=_("被合并组织的名称"), max_length=200)
    merged_uscc = models.CharField(verbose_name=_("被合并组织的统一社会信用代码"), max_length=18, blank=True)
    snapshot = models.JSONField(verbose_name=_("合并前快照"), default=dict, encoder=DjangoJSONEncoder)
    note = models.TextField(verbose_name=_("说明"), blank=True)

    scope = Scope(area=("kept__district", "kept__street"), organization=("kept",))

    class Meta:
        ordering = ("-created_at", "-pk")
        verbose_name = _("组织合并记录")
        verbose_name_plural = _("组织合并记录")

    def __str__(self):
        return f"{self.merged_name} → {self.kept}"

    def get_absolute_url(self) -> str:
        return f"{self.kept.get_absolute_url()}#merges"


class DuplicateDismissal(BaseModel):
    """A pair of organizations a user marked as not duplicates (不是重复); the pair is no longer suggested.

    The pair is stored once, the lower primary key first.
    """

    first = models.ForeignKey(Organization, verbose_name=_("组织一"), on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Organization, verbose_name=_("组织二"), on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    scope = Scope(area=("first__district", "first__street"))

    class Meta:
        ordering = ("-created_at", "-pk")
        verbose_name = _("非重复标记")
        verbose_name_plural = _("非重复标记")
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="organizations_dismissal_unique_pair"),
            models.CheckConstraint(condition=Q(first__lt=F("second")), name="organizations_dismissal_ordered_pair"),
        ]

    def __str__(self):
        return f"{self.first} ≠ {self.second}"
