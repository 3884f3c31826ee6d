from django.contrib.auth.backends import BaseBackend

from shuniu.core.access import user_grants


class RoleBackend(BaseBackend):
    """Answers `user.has_perm()` (and templates' `{{ perms }}`) from the user's roles: whether the user holds the
    permission somewhere. Which records it reaches is `restrict()`'s question, never this one's."""

    def has_perm(self, user_obj, perm, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return False
        return any(grant.grants(perm) for grant in user_grants(user_obj))

    def has_module_perms(self, user_obj, app_label):
        if not user_obj.is_active or user_obj.is_anonymous:
            return False
        return any(
            permission == "*" or permission.startswith(f"{app_label}.")
            for grant in user_grants(user_obj)
            for permission in grant.permissions
        )
