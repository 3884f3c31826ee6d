from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "shuniu.accounts"
    verbose_name = "用户"

    def ready(self):
        from . import signin, tokens, two_factor  # noqa: F401  the sign-in and password receivers, the superuser check
