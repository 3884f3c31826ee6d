from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from shuniu.areas.choices import AreaLevel
from shuniu.areas.models import Area
from shuniu.core.access import Scope
from shuniu.core.dated import Dated, DatedRecord
from shuniu.core.fields import EncryptedField, KeyedHashField
from shuniu.core.models import BaseModel
from shuniu.core.validators import not_after_today

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


class Organization(DatedRecord, BaseModel):
    """A unit the system knows: a registered, filed or unregistered social organization, or a mass organization.

    Dated from `founded_on` to `active_until`, its last active day (the day before it was deregistered or revoked;
    empty while it is active: `core.dated`)."""

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
        limit_choices_to={"level": AreaLevel.DISTRICT},
    )
    street = models.ForeignKey(
        Area,
        verbose_name=_("所属街道/乡镇"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="street_organizations",
        limit_choices_to={"level": AreaLevel.STREET},
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
    active_until = models.DateField(
        verbose_name=_("存续截止日期"),
        null=True,
        blank=True,
        help_text=_("存续的最后一天，即注销或撤销之日的前一天；正常存续的组织留空"),
    )
    staff_count = models.PositiveIntegerField(verbose_name=_("专职人员数"), null=True, blank=True)
    member_count = models.PositiveIntegerField(verbose_name=_("会员数"), null=True, blank=True)
    party_member_count = models.PositiveIntegerField(verbose_name=_("党员数"), null=True, blank=True)
    note = models.TextField(verbose_name=_("备注"), blank=True)

    dated = Dated(start="founded_on", end="active_until", affects=("kind", "district", "street"))
    objects = OrganizationQuerySet.as_manager()
    # hub staff reach organizations as the hubs app declares (`shuniu.hubs.module`: those their hub links)
    scope = Scope(area=("district", "street"), organization=("pk",))

    class Meta:
        ordering = ("name", "pk")
        permissions = [("unmask_organization", _("可以查看未脱敏的个人信息"))]
        verbose_name = _("社会组织")
        verbose_name_plural = _("社会组织")
        indexes = [
            models.Index(fields=["kind", "founded_on"], name="organizations_kind_founded"),
            models.Index(fields=["founded_on", "active_until"], name="organizations_active_dates"),
            # plain B-trees: a field's db_index would add a second, varchar_pattern_ops index on PostgreSQL, for
            # LIKE 'prefix%' that no query here makes (names are searched by substring, hashes by equality)
            models.Index(fields=["name"], name="organizations_name"),
            models.Index(fields=["status"], name="organizations_status"),  # the list's sort by status
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
                condition=Q(status=OrganizationStatus.ACTIVE, active_until__isnull=True)
                | (~Q(status=OrganizationStatus.ACTIVE) & Q(active_until__isnull=False)),
                name="organizations_organization_status_dates",
                violation_error_message=_("注销或撤销的组织须有存续截止日期，正常存续的组织不能有。"),
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
        for name, messages in self.value_errors(vars(self)).items():
            errors.setdefault(name, []).extend(messages)
        if errors:
            raise ValidationError(errors)

    #: dates of what has happened, which cannot lie after today (`value_errors`)
    NOT_AFTER_TODAY = ("founded_on", "registered_on", "active_until")

    @classmethod
    def value_errors(cls, values, *, today=None) -> dict[str, list[str]]:
        """Field → [message] for the rules among an organization's own values, on a mapping field → value (a field
        left out or empty is not checked): `clean()` applies them for the form and the API, the import to each row,
        so that all three refuse the same value with the same message."""
        errors = not_after_today(values, cls.NOT_AFTER_TODAY, today=today)
        registered, founded = values.get("registered_on"), values.get("founded_on")
        if registered and founded and registered < founded:
            errors.setdefault("registered_on", []).append(str(_("登记/备案日期不能早于成立日期。")))
        return errors


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
