"""What the account pages show about sign-in security: a user's two factors and, for the security administrator,
their login failures. Tags rather than view context, so that 我的账户 and the user page include them as they are."""

from axes.models import AccessAttempt
from django import template
from django.conf import settings
from django.db.models import Sum

from ..two_factor import recovery_codes_left, totp_device, two_factor_required

register = template.Library()


@register.simple_tag
def two_factor_status(user) -> dict:
    device = totp_device(user)
    return {
        "enrolled": device is not None,
        "since": device.created_at if device else None,
        "recovery_codes": recovery_codes_left(user) if device else 0,
        "required": two_factor_required(user),
    }


@register.simple_tag
def login_failures(user) -> dict:
    """The user's recorded failed logins (from any address) and whether they reach the lockout limit."""
    failures = AccessAttempt.objects.filter(username=user.get_username()).aggregate(n=Sum("failures_since_start"))["n"]
    return {"count": failures or 0, "locked": (failures or 0) >= settings.AXES_FAILURE_LIMIT}
