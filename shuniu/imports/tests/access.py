"""The access matrix's cases for the imports app (`core/tests/access_cases.py`)."""

from django.contrib.auth import get_user_model

from shuniu.core.tests.access_cases import register
from shuniu.imports.models import ImportJob, ImportTemplate


def _job(user, name):
    return ImportJob.objects.create(kind="organizations", user=user, filename=name, sha256="0" * 64, file="x.xlsx")


def _other_user():
    return get_user_model().objects.get_or_create(username="someone-else")[0]


register(
    ImportJob,
    lambda w, u: _job(u, "mine.xlsx"),
    lambda w, u: _job(_other_user(), "theirs.xlsx"),
    marker=lambda o: o.filename,
)
# shared by everyone who imports: not scoped
register(ImportTemplate, lambda w, u: w.template, lambda w, u: w.template, scoped=False)
