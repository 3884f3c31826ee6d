from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "shuniu.accounts"
    verbose_name = "用户"

    def ready(self):
        from . import signin, two_factor  # noqa: F401  the sign-in receiver and the superuser check
