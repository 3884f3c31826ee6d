from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "shuniu.organizations"
    verbose_name = "社会组织"
