from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "shuniu.indicators"
    verbose_name = "指标"
