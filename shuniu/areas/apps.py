from django.apps import AppConfig


class AreasConfig(AppConfig):
    name = "shuniu.areas"
    verbose_name = "行政区划"
