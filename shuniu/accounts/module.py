"""Users, roles and sign-in, declared to the platform (`shuniu.core.modules`)."""

from shuniu.core.modules import Audit, Module, register

module = register(
    Module(
        app_label="accounts",
        urls="shuniu.accounts.urls",
        audit=Audit(
            related={"roleassignment": "user"},
            followed=("auth.user",),
            skipped={"auth.user": ("password", "last_login")},
        ),
        access_cases="shuniu.accounts.tests.access",
    )
)
