"""Spreadsheet imports, declared to the platform (`shuniu.core.modules`); the kinds of import are declared by the
apps whose records they write (`Module.imports`)."""

from django.utils.translation import gettext_lazy as _

from shuniu.core.modules import Audit, MenuItem, Module, register

WORK = ("imports.view_importjob", "imports.view_importtemplate", "imports.add_importtemplate")

module = register(
    Module(
        app_label="imports",
        urls="shuniu.imports.urls",
        menu=(MenuItem(_("数据导入"), "imports:importjob_list", "imports.view_importjob", order=80),),
        permissions={
            "city-admin": ("imports.*",),
            "city-analyst": ("imports.view_importjob",),
            "district-office": WORK,
            "street-office": WORK,
            "hub-staff": WORK,
        },
        audit=Audit(
            excluded={"importjob": "its progress is saved every half second; what an import did is its `import` event"}
        ),
        access_cases="shuniu.imports.tests.access",
    )
)
