from shuniu.core.dated import DatedQuerySet


class HubQuerySet(DatedQuerySet):
    """`on(day)`: the recognitions that hold on `day`."""


class LinkQuerySet(DatedQuerySet):
    """`on(day)`: the links valid on `day`; `overlapping(start, end)`."""
