"""Audit rows of a given age, written as the application writes them (INSERT), for the retention and archive tests."""

import uuid
from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from shuniu.audit.choices import AuditAction
from shuniu.audit.models import ObjectChange
from shuniu.organizations.models import Organization


def audit_row(days_ago: float, *, user=None, name: str = "测试协会", **values) -> ObjectChange:
    content_type = ContentType.objects.get_for_model(Organization)
    return ObjectChange.objects.create(
        time=timezone.now() - timedelta(days=days_ago),
        user=user,
        user_name=user.username if user else "系统",
        request_id=uuid.uuid4(),
        action=AuditAction.UPDATE,
        content_type=content_type,
        object_id=1,
        object_repr=name,
        before={"name": name, "address": "朝阳路1号"},
        after={"name": f"{name}（新）", "address": "朝阳路2号", "founded_on": "2015-01-01"},
        message=f"{days_ago} 天前",
        **values,
    )
