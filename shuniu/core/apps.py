from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "shuniu.core"
    verbose_name = "核心"

    def ready(self):
        from . import (
            bulk,  # noqa: F401  (registers the `among` lookup)
            crypto,  # noqa: F401  (registers the check of the personal-data key)
        )
