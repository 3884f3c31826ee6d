from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "shuniu.assessments"
    verbose_name = _("年检和等级评估")
