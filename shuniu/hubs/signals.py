"""Mark the stored coverage trend stale from the earliest day a change can affect."""

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from shuniu.organizations.models import Organization

from .models import Hub, Link

EARLIEST_DATE_FIELDS = {Link: ("start_date",), Hub: ("recognized_on",), Organization: ("founded_on",)}


def _earliest(instance):
    return min(getattr(instance, name) for name in EARLIEST_DATE_FIELDS[type(instance)])


@receiver(pre_save)
def remember_original_dates(sender, instance, raw=False, **kwargs):
    if sender in EARLIEST_DATE_FIELDS and instance.pk and not raw:
        original = sender.objects.filter(pk=instance.pk).first()
        instance._original_earliest = _earliest(original) if original else None


@receiver(post_save)
@receiver(post_delete)
def mark_trend_stale(sender, instance, raw=False, **kwargs):
    if sender not in EARLIEST_DATE_FIELDS or raw:
        return
    from shuniu.indicators.services import trend_mark_stale

    earliest = _earliest(instance)
    original = getattr(instance, "_original_earliest", None)
    trend_mark_stale(since=min(earliest, original) if original else earliest)
