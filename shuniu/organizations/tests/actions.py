"""Examples of the declared registry actions (`shuniu.organizations.actions`), run by
`shuniu.core.tests.test_actions`: each builds a record and the data (as the page posts it) that performs the action."""

from datetime import date

from shuniu.hubs.tests.factories import LinkFactory
from shuniu.organizations.choices import OrganizationKind

from .factories import OrganizationFactory


def organization_merge_example():
    keep = OrganizationFactory(name="北京市朝阳区阳光协会", kind=OrganizationKind.COMMUNITY)
    merge = OrganizationFactory(name="阳光协会", kind=OrganizationKind.COMMUNITY)
    LinkFactory(organization=merge, start_date=date(2012, 1, 1))
    return keep, {"merge": merge.pk, "note": "核实为同一组织", "confirm": "1"}
