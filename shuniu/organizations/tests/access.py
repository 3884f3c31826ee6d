"""The access matrix's cases for the organizations app (`core/tests/access_cases.py`)."""

from shuniu.core.tests.access_cases import register
from shuniu.organizations.models import DuplicateDismissal, Field, Organization, OrganizationMerge

register(Organization, lambda w, u: w.a, lambda w, u: w.b, change={"note": "越权修改"})
register(OrganizationMerge, lambda w, u: w.merge_a, lambda w, u: w.merge_b, marker=lambda o: o.merged_name)
register(DuplicateDismissal, lambda w, u: w.dismissal_a, lambda w, u: w.dismissal_b)
# reference data: not scoped, so both records are seen by anyone holding the permission
register(
    Field, lambda w, u: Field.objects.order_by("pk")[0], lambda w, u: Field.objects.order_by("pk")[1], scoped=False
)
