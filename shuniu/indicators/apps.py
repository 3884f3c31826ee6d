from django.apps import AppConfig
from django.db.models.signals import post_migrate


class IndicatorsConfig(AppConfig):
    name = "shuniu.indicators"
    verbose_name = "指标"

    def ready(self):
        from shuniu.core.indicators import records_changed
        from shuniu.core.workers import worker_started

        from . import services, stale

        records_changed.connect(stale.on_records_changed, dispatch_uid="indicators-records-changed")
        stale.watch_relations()
        worker_started.connect(stale.resume_refreshes, dispatch_uid="indicators-resume-refreshes")
        post_migrate.connect(services.ensure_states, sender=self, dispatch_uid="indicators-ensure-states")
