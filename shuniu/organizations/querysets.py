from django.db.models import Q

from shuniu.core.dated import DatedQuerySet

from .choices import SOCIAL_KINDS
from .search import contains_text


class OrganizationQuerySet(DatedQuerySet):
    """`on(day)`: the organizations active on `day` (founded by then, not past their last active day)."""

    def social(self):
        """Social organizations: every kind but the people's/mass organizations that act as hubs."""
        return self.filter(kind__in=SOCIAL_KINDS)

    def search(self, text: str, user=None):
        """Chinese name substring, USCC prefix, or — among the records `user` may unmask — the legal
        representative's full identity or phone number (exact, through its keyed hash: the numbers are stored
        encrypted). Only there: the masked form shows most of a number, and a search that answers for every record
        would let anyone guess the rest."""
        from shuniu.core.fields import keyed_hashes_of

        text = text.strip()
        condition = contains_text("name", text) | contains_text("former_names", text)  # index-backed on PostgreSQL
        if text.isascii() and text.isalnum():
            condition |= Q(uscc__startswith=text.upper())
        if user is not None:
            for field in self.model.PERSONAL_FIELDS:
                if digests := keyed_hashes_of(self.model, field, text):  # every key held: mid-rotation too
                    unmaskable = self.model.objects.restrict(user, "unmask").values("pk")
                    condition |= Q(**{f"{field}_hash__in": digests}, pk__in=unmaskable)
        return self.filter(condition)
