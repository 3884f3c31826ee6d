"""Indicators, the dashboard and the stored trend, declared to the platform (`shuniu.core.modules`)."""

from django.utils.translation import gettext_lazy as _

from shuniu.core.modules import ListColumns, MenuItem, Module, Section, register

module = register(
    Module(
        app_label="indicators",
        urls="shuniu.indicators.urls",
        url_prefix="",
        api_urls="shuniu.indicators.api.urls",
        api_prefix="coverage/",
        menu=(
            MenuItem(_("覆盖驾驶舱"), "indicators:dashboard", "organizations.view_organization", order=10),
            MenuItem(_("增长分析"), "indicators:coverage_growth", "organizations.view_organization", order=60),
        ),
        permissions={"city-admin": ("indicators.*",)},
        exports={"coverage": "shuniu.indicators.exports.coverage_command_export"},
        columns=(ListColumns(model="areas.area", load="shuniu.indicators.columns.area_list_coverage"),),
        sections=(
            Section(
                model="areas.area",
                template="indicators/sections/area_coverage.html",
                context="shuniu.indicators.sections.area_coverage",
            ),
        ),
    )
)
