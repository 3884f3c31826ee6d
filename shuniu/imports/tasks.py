"""Background steps of a web import (django-tasks): the page polls the job for progress and the outcome. Each step
runs in the audit context of the job's user: what it writes is theirs in the log."""

from django_tasks import task

from shuniu import audit

from .choices import ImportStatus
from .models import ImportJob


@task()
def import_plan_task(job_id: int) -> None:
    from .services import import_plan

    job = ImportJob.objects.select_related("user").get(pk=job_id)
    if job.status == ImportStatus.QUEUED and not job.confirmed_at:
        with audit.context(user=job.user):
            import_plan(job=job)


@task()
def import_apply_task(job_id: int) -> None:
    from .services import import_apply

    job = ImportJob.objects.select_related("user").get(pk=job_id)
    if job.status == ImportStatus.QUEUED and job.confirmed_at:
        with audit.context(user=job.user):
            import_apply(job=job)
