"""The state changes of the registry, each declared once (`shuniu.core.actions`): its page, API endpoint and test come
from here."""

from django.utils.translation import gettext_lazy as _

from shuniu.core.actions import Action, register

from . import services
from .choices import OrganizationAuditAction
from .forms import OrganizationMergeForm
from .models import Organization

ORGANIZATION_MERGE = register(
    Action(
        name="merge",
        model=Organization,
        service=services.organization_merge,
        form=OrganizationMergeForm,
        permission=("organizations.change_organization", "organizations.delete_organization"),
        label=_("合并"),
        help_text=_(
            "把疑似重复的组织 `merge` 并入本组织（保留的一方）：联系关系和枢纽认定移到本组织，"
            "被合并的组织删除，其信息保存在合并记录中。"
        ),
        audit_action=OrganizationAuditAction.MERGE,
        record_argument="keep",
        with_user=True,
        # the review of possible duplicates leads here: the pair is chosen there, and the page shows the plan
        path="duplicates/merge/",
        url_name="duplicate_merge",
        record_param="keep",
        view="shuniu.organizations.views.DuplicateMergeView",
        placement=(),
        example="shuniu.organizations.tests.actions.organization_merge_example",
    )
)
