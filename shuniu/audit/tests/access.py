"""The access matrix's cases for the audit app (`core/tests/access_cases.py`): the log is read whole by the audit
administrator; each record's own change log is scoped by its record."""

from shuniu.audit.models import ObjectChange
from shuniu.core.tests.access_cases import register

register(
    ObjectChange,
    lambda w, u: ObjectChange.objects.filter(content_type__model="organization", object_id=w.a.pk).first(),
    lambda w, u: ObjectChange.objects.filter(content_type__model="organization", object_id=w.b.pk).first(),
    marker=lambda o: o.object_repr,
    scoped=False,
)
