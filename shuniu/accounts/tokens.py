"""API tokens: one per user (DRF's authtoken), carrying the user's own scope because the API restricts every
queryset by `request.user`. Created and revoked on the user's 我的账户 page, or with `shuniu drf_create_token`."""

from django.db import transaction
from rest_framework.authtoken.models import Token

from shuniu import audit


@transaction.atomic
def api_token_create(*, user) -> Token:
    """A new token for `user`. Any token they had is replaced and stops working at once."""
    Token.objects.filter(user=user).delete()
    token = Token.objects.create(user=user)
    audit.record(user, audit.AuditAction.UPDATE, message="生成了新的 API 令牌（旧令牌失效）")
    return token


@transaction.atomic
def api_token_revoke(*, user) -> bool:
    """Deletes `user`'s token; False when they had none."""
    deleted, _ = Token.objects.filter(user=user).delete()
    if deleted:
        audit.record(user, audit.AuditAction.UPDATE, message="撤销了 API 令牌")
    return deleted > 0
