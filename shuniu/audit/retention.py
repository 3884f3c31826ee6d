"""How long the audit log is kept before it may be archived and removed: `settings.SHUNIU_AUDIT_RETENTION_DAYS`.

The Cybersecurity Law (Art. 21) asks for network logs to be kept at least six months, so 180 days is both the
default and the floor: a smaller (or unreadable) value stops `manage.py check` and every command that runs the checks
(`migrate`, `serve`, `db_worker`) with a message, instead of letting an archive remove rows too young. The database
triggers (migration `0004_evidence`) hold the same floor on their own, whatever the setting says.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.translation import gettext as _

MINIMUM_DAYS = 180


def _problem() -> str:
    """Why the configured retention cannot be used, or ""."""
    value = getattr(settings, "SHUNIU_AUDIT_RETENTION_DAYS", MINIMUM_DAYS)
    try:
        days = int(value)
    except (TypeError, ValueError):
        return _("SHUNIU_AUDIT_RETENTION_DAYS 须为整数天数，现为「%(value)s」。") % {"value": value}
    if days < MINIMUM_DAYS:
        return _(
            "SHUNIU_AUDIT_RETENTION_DAYS 为 %(days)s 天，少于最短保留期 %(minimum)s 天"
            "（《网络安全法》第二十一条：网络日志留存不少于六个月）。"
        ) % {"days": days, "minimum": MINIMUM_DAYS}
    return ""


def retention_days() -> int:
    """The configured retention in days; ImproperlyConfigured when it is below the floor or not a number."""
    problem = _problem()
    if problem:
        raise ImproperlyConfigured(problem)
    return int(settings.SHUNIU_AUDIT_RETENTION_DAYS)


def latest_archivable_day(today: date | None = None) -> date:
    """The latest `--before` an archive may take: rows before that day (local time) are older than the retention."""
    return (today or timezone.localdate()) - timedelta(days=retention_days())


@checks.register(checks.Tags.security)
def check_retention(app_configs, **kwargs):
    problem = _problem()
    return [checks.Error(problem, id="audit.E001")] if problem else []
