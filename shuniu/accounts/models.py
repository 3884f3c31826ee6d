from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _

from shuniu.areas.choices import AreaLevel
from shuniu.core.access import scope_kind_choices
from shuniu.core.models import BaseModel
from shuniu.core.modules import role_permissions


class Role(BaseModel):
    """A named set of permissions (`<app>.<codename>`, shell patterns allowed: "*" is everything) and the kind of
    scope its assignments take. The roles are data, loaded by a migration; each module declares which of its own
    permissions a role holds (`core.modules.Module.permissions`), and the role holds those besides the stored ones."""

    slug = models.SlugField(verbose_name=_("代码"), unique=True)
    name = models.CharField(verbose_name=_("名称"), max_length=50, unique=True)
    description = models.CharField(verbose_name=_("说明"), max_length=200, blank=True)
    permissions = models.JSONField(verbose_name=_("权限"), default=list)
    scope_kind = models.CharField(verbose_name=_("范围类型"), max_length=20, choices=scope_kind_choices)
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

    @property
    def all_permissions(self) -> tuple[str, ...]:
        """The stored permissions and those the modules declare for this role."""
        return tuple(dict.fromkeys([*self.permissions, *role_permissions().get(self.slug, ())]))


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


class ApiToken(models.Model):
    """A named API token of a user (`Authorization: Token sn_<prefix>_<secret>`); issued and checked in `tokens.py`.

    Only the prefix is kept in clear, to find the row; the secret is kept as its SHA-256 digest. A plain hash is
    right for it, unlike for passwords: the secret is 256 random bits, so there is nothing a slow hash would stop
    anyone from guessing. `password_fingerprint` is a keyed hash of the user's password hash when the token was made;
    a token whose fingerprint no longer matches is refused, so every way of changing a password (我的账户, an
    administrator, the command line, a reset) revokes the user's tokens without any of them having to remember to.
    Not a `BaseModel`: its last use is written as it is used, and its creation and revocation are audited by name.
    """

    class State(models.TextChoices):
        ACTIVE = "active", _("有效")
        EXPIRED = "expired", _("已过期")
        REVOKED = "revoked", _("已撤销")
        PASSWORD_CHANGED = "password_changed", _("已撤销（密码已修改）")

    FINGERPRINT_SALT = "shuniu.accounts.ApiToken.password_fingerprint"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(verbose_name=_("名称"), max_length=100)
    prefix = models.CharField(verbose_name=_("前缀"), max_length=16, unique=True)
    digest = models.CharField(verbose_name=_("摘要"), max_length=64)
    password_fingerprint = models.CharField(verbose_name=_("密码指纹"), max_length=64)
    created_at = models.DateTimeField(verbose_name=_("创建时间"), default=timezone.now)
    expires_at = models.DateTimeField(verbose_name=_("到期时间"))
    last_used_at = models.DateTimeField(verbose_name=_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(verbose_name=_("撤销时间"), null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-pk")
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self):
        return f"{self.name}（{self.prefix}）"

    @staticmethod
    def fingerprint(password_hash: str, secret=None) -> str:
        """A keyed hash (HMAC-SHA256 under SECRET_KEY, or `secret`) of a user's password hash."""
        return salted_hmac(ApiToken.FINGERPRINT_SALT, password_hash, secret=secret, algorithm="sha256").hexdigest()

    def password_unchanged(self) -> bool:
        """The user's password is the one they had when the token was made (under SECRET_KEY or a fallback)."""
        password = self.user.password or ""
        return any(
            constant_time_compare(self.password_fingerprint, self.fingerprint(password, secret))
            for secret in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
        )

    @property
    def state(self) -> "ApiToken.State":
        if self.revoked_at is not None:
            return self.State.REVOKED
        if not self.password_unchanged():
            return self.State.PASSWORD_CHANGED
        if self.expires_at <= timezone.now():
            return self.State.EXPIRED
        return self.State.ACTIVE


class PasswordHistory(models.Model):
    """A password a user has had, as its hash, so that a new password can be refused when it repeats one of the last
    five (`passwords.PasswordHistoryValidator`). Not a `BaseModel`: the audit log must never hold password hashes."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="password_history"
    )
    password = models.CharField(verbose_name=_("密码哈希"), max_length=128)
    created_at = models.DateTimeField(verbose_name=_("设置时间"), auto_now_add=True)

    class Meta:
        ordering = ("-created_at", "-pk")
        verbose_name = _("历史密码")
        verbose_name_plural = _("历史密码")

    def __str__(self):
        return f"{self.user}（{self.created_at:%Y-%m-%d}）"
