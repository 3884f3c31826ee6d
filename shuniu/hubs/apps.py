from django.apps import AppConfig


class HubsConfig(AppConfig):
    name = "shuniu.hubs"
    verbose_name = "枢纽型社会组织"

    def ready(self):
        from . import signals  # noqa: F401
