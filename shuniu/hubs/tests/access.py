"""The access matrix's cases for the hubs app (`core/tests/access_cases.py`)."""

from shuniu.core.tests.access_cases import register
from shuniu.hubs.models import Hub, Link, System

register(Hub, lambda w, u: w.hub_a, lambda w, u: w.hub_b, change={"batch": "越权修改"})
register(
    Link,
    lambda w, u: w.link_a,
    lambda w, u: w.link_b,
    change={"note": "越权修改"},
    marker=lambda o: o.organization.name,
)
# reference data: not scoped, so both records are seen by anyone holding the permission
register(
    System, lambda w, u: System.objects.order_by("pk")[0], lambda w, u: System.objects.order_by("pk")[1], scoped=False
)
