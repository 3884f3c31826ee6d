"""Background refresh of stored figures (django-tasks): enqueued after the commit of a write that made them stale."""

from django_tasks import task

from . import services


@task()
def refresh_indicator_task(key: str) -> int:
    return services.refresh(key)
