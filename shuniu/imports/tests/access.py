"""The access matrix's cases for the imports app (`core/tests/access_cases.py`)."""

from shuniu.core.tests.access_cases import other_user, register
from shuniu.imports.models import ImportJob, ImportTemplate


def _job(user, name):
    return ImportJob.objects.create(kind="organizations", user=user, filename=name, sha256="0" * 64, file="x.xlsx")


register(
    ImportJob,
    lambda w, u: _job(u, "mine.xlsx"),
    lambda w, u: _job(other_user(), "theirs.xlsx"),
    marker=lambda o: o.filename,
)
# shared by everyone who imports: not scoped
register(ImportTemplate, lambda w, u: w.template, lambda w, u: w.template, scoped=False)
