from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo city and its `shuniu demo` command: above every domain app, which it fills with data."""

    name = "shuniu.demo"
    label = "demo"
    verbose_name = "示范城市"
