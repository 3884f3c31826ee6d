from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shuniu.areas.choices import AreaLevel
from shuniu.core.models import BaseModel

from .choices import ScopeKind


class Role(BaseModel):
    """A named set of permissions (`<app>.<codename>`, shell patterns allowed: "*" is everything) and the kind of
    scope its assignments take. The roles are data, loaded by a migration."""

    slug = models.SlugField(verbose_name=_("代码"), unique=True)
    name = models.CharField(verbose_name=_("名称"), max_length=50, unique=True)
    description = models.CharField(verbose_name=_("说明"), max_length=200, blank=True)
    permissions = models.JSONField(verbose_name=_("权限"), default=list)
    scope_kind = models.CharField(verbose_name=_("范围类型"), max_length=20, choices=ScopeKind.choices)
    area_level = models.CharField(
        verbose_name=_("区划层级"),
        max_length=10,
        choices=AreaLevel.choices,
        blank=True,
        help_text=_("区划范围须为此层级；为空则任一层级，或不填区划即全市"),
    )
    ordering = models.PositiveSmallIntegerField(verbose_name=_("顺序"), default=0)

    class Meta:
        ordering = ("ordering", "pk")
        verbose_name = _("角色")
        verbose_name_plural = _("角色")

    def __str__(self):
        return self.name


class RoleAssignment(BaseModel):
    """A role held by a user within a scope: an area subtree or one organization (for hub staff, the organization
    recognised as the hub); neither is the whole city."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.ForeignKey(Role, verbose_name=_("角色"), on_delete=models.PROTECT, related_name="assignments")
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("区划"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("组织"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ("user", "role__ordering", "pk")
        verbose_name = _("角色分配")
        verbose_name_plural = _("角色分配")
        constraints = [
            models.CheckConstraint(
                condition=Q(area__isnull=True) | Q(organization__isnull=True),
                name="accounts_roleassignment_one_scope",
                violation_error_message=_("一个角色分配只能限定一个区划或一个组织。"),
            ),
        ]

    def __str__(self):
        return f"{self.role}（{self.scope_label}）"

    @property
    def scope_label(self) -> str:
        if self.area_id:
            return str(self.area)
        if self.organization_id:
            return str(self.organization)
        return str(_("全市"))
