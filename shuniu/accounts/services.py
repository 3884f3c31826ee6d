"""Users and their roles: created and assigned alike from the UI and the CLI.

Separation of duties (三权分立, MLPS level 3): the system administrator (users), the security administrator (roles,
two factors, lockouts) and the audit administrator (the audit log, nothing else) are three roles no user may hold
together, nor beside a business role (an auditor who also keeps organizations would audit themselves), and none of
them may go to a superuser, who holds every permission at once. Nobody gives or takes roles of their own account.
`role_assign` refuses it, whoever asks (the pages, `shuniu user assign`), with the user's row locked so that two
requests at once cannot both pass the check.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from shuniu.core.access import scope_kinds

from .models import Role, RoleAssignment

#: the administrators' roles, each for a different person
ADMINISTRATOR_ROLES = ("system-admin", "security-admin", "audit-admin")


def role_assignment_validate(*, user, role: Role, area=None, organization=None) -> None:
    """The scope fits the role's kind of scope (`core.access.ScopeKind`): city roles take none, area roles an area of
    their level (leaders: any, or none for the whole city), hub staff an organization recognised as a hub,
    organization accounts an organization."""
    if area is not None and organization is not None:
        raise ValidationError(_("一个角色分配只能限定一个区划或一个组织。"))
    kind = scope_kinds()[role.scope_kind]
    if kind.assigned == "" and (area is not None or organization is not None):
        raise ValidationError(_("「%(role)s」的范围是全市，不能限定区划或组织。") % {"role": role})
    if kind.assigned == "area" and organization is not None:
        raise ValidationError(_("「%(role)s」须限定区划，不能限定组织。") % {"role": role})
    if kind.assigned == "organization" and (area is not None or organization is None):
        raise ValidationError(_("「%(role)s」须选择一个组织。") % {"role": role})
    if kind.validate is not None:
        kind.validate(role=role, area=area, organization=organization)
    if RoleAssignment.objects.filter(user=user, role=role, area=area, organization=organization).exists():
        raise ValidationError(_("该用户已有此角色分配。"))
    separation_of_duties_validate(user=user, role=role)


def separation_of_duties_validate(*, user, role: Role) -> None:
    administrator = role.slug in ADMINISTRATOR_ROLES
    if administrator and user.is_superuser:
        raise ValidationError(
            _("「%(user)s」是超级用户，已拥有全部权限，不能再担任「%(role)s」（三权分立）。请为管理员使用普通账户。")
            % {"user": user.get_username(), "role": role}
        )
    held = Role.objects.filter(assignments__user=user).exclude(pk=role.pk)
    held = held if administrator else held.filter(slug__in=ADMINISTRATOR_ROLES)
    held = held.first()
    if held is None:
        return
    if held.slug in ADMINISTRATOR_ROLES and administrator:
        message = _(
            "三权分立：系统管理员、安全管理员和审计管理员须由不同的人担任。"
            "「%(user)s」已是「%(held)s」，不能再担任「%(role)s」。"
        )
    else:
        message = _("三权分立：管理员不兼任业务角色。「%(user)s」已是「%(held)s」，不能再担任「%(role)s」。")
    raise ValidationError(message % {"user": user.get_username(), "held": held, "role": role})


def _not_oneself(user, by) -> None:
    if by is not None and by.pk == user.pk:
        raise ValidationError(_("不能为自己的账户分配或取消角色（三权分立），请由另一位安全管理员办理。"))


def _forget_rights(user) -> None:
    """The user's rights as loaded for this request are stale (see core.access.user_grants, visible_ids)."""
    user.__dict__.pop("_shuniu_grants", None)
    user.__dict__.pop("_shuniu_visible", None)


@transaction.atomic
def role_assign(*, user, role: Role, area=None, organization=None, by=None) -> RoleAssignment:
    """Gives `user` the role within the scope; `by`, the administrator who asks (None: the command line's operator),
    may not be `user`."""
    _not_oneself(user, by)
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()  # one assignment at a time per user
    role_assignment_validate(user=user, role=role, area=area, organization=organization)
    assignment = RoleAssignment.objects.create(user=user, role=role, area=area, organization=organization)
    _forget_rights(user)
    return assignment


@transaction.atomic
def role_unassign(*, assignment: RoleAssignment, by=None) -> None:
    _not_oneself(assignment.user, by)
    assignment.delete()
    _forget_rights(assignment.user)


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    full_name: str = "",
    email: str = "",
    role: Role | None = None,
    area=None,
    organization=None,
):
    """A new user, with their first role when one is given; the password must pass the password rules."""
    User = get_user_model()
    username = username.strip()
    if not username:
        raise ValidationError({"username": _("请填写用户名。")})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("用户名「%(username)s」已被使用。") % {"username": username}})
    user = User(username=username, first_name=full_name.strip(), email=email.strip())
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from error
    user.set_password(password)
    user.save()
    if role is not None:
        try:
            role_assign(user=user, role=role, area=area, organization=organization)
        except ValidationError as error:
            raise ValidationError({"role": error.messages}) from error
    return user


@transaction.atomic
def user_set_active(*, user, active: bool, by=None) -> None:
    """Deactivates (or reactivates) a user: a deactivated user cannot sign in, and their sessions and API use end at
    their next request. Nobody deactivates themselves, so an administrator cannot lock the door behind them."""
    if not active and by is not None and by.pk == user.pk:
        raise ValidationError(_("不能停用自己的账户。"))
    if user.is_active != active:
        user.is_active = active
        user.save(update_fields=["is_active"])
