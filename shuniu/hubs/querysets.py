from datetime import date

from django.db.models import Q

from shuniu.core.querysets import ScopedQuerySet


class HubQuerySet(ScopedQuerySet):
    def recognized_on(self, day: date):
        """Recognised on or before `day` and not revoked by then."""
        return self.filter(Q(revoked_on__isnull=True) | Q(revoked_on__gt=day), recognized_on__lte=day)


class LinkQuerySet(ScopedQuerySet):
    def valid_on(self, day: date):
        """Started on or before `day` and not ended before it (the end date is the last valid day)."""
        return self.filter(Q(end_date__isnull=True) | Q(end_date__gte=day), start_date__lte=day)

    def overlapping(self, start_date: date, end_date: date | None):
        """Links whose period [start_date, end_date] shares at least one day with the given one."""
        condition = Q(end_date__isnull=True) | Q(end_date__gte=start_date)
        if end_date is not None:
            condition &= Q(start_date__lte=end_date)
        return self.filter(condition)
