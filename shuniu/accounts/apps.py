from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "shuniu.accounts"
    verbose_name = "用户"
