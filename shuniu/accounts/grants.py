"""The access checks' view of a user's roles (`settings.SHUNIU_GRANTS`, read by `core.access.user_grants`)."""

from shuniu.core.access import Grant

from .models import RoleAssignment


def load_grants(user) -> list[Grant]:
    """One `Grant` per role assignment of `user`, with the permissions the role stores and those the modules declare."""
    return [
        Grant(
            permissions=assignment.role.all_permissions,
            kind=assignment.role.scope_kind,
            area_path=assignment.area.path if assignment.area_id else None,
            organization_id=assignment.organization_id,
            label=str(assignment.area or assignment.organization or ""),
        )
        for assignment in RoleAssignment.objects.filter(user=user).select_related("role", "area", "organization")
    ]
