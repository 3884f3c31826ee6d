"""Indicator figures: every figure states its numerator, denominator, date and the lists behind it."""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlencode

from django.urls import reverse

from shuniu.core.indicators import DrillThrough

from . import registry


@dataclass
class Figure:
    label: str
    day: date
    numerator: int
    denominator: int
    key: str = ""
    #: filters of the list that gives the numerator's rows (with the drill-through's `holds` = day); the gap's list
    #: takes the same filters (with `lacks` = day)
    filters: dict = field(default_factory=dict)
    #: the indicator's lists behind the figure (`core.indicators.DrillThrough`); None: coverage's
    drill: DrillThrough | None = None

    @property
    def rate(self) -> Decimal | None:
        if not self.denominator:
            return None
        return (Decimal(self.numerator) * 100 / Decimal(self.denominator)).quantize(Decimal("0.01"), ROUND_HALF_UP)

    @property
    def gap(self) -> int:
        return self.denominator - self.numerator

    @property
    def lists(self) -> DrillThrough:
        return self.drill or registry.indicator().drill

    def covered_params(self) -> dict:
        return {self.lists.holds: self.day.isoformat(), **self.filters}

    def uncovered_params(self) -> dict:
        return {self.lists.lacks: self.day.isoformat(), **self.filters}

    def covered_url(self) -> str:
        return _list_url(self.lists.list, self.covered_params())

    def uncovered_url(self) -> str:
        """The gap's records, on the worklist (for coverage, it suggests a hub for each)."""
        return _list_url(self.lists.gap_list, self.uncovered_params())


def _list_url(name: str, params: dict) -> str:
    return f"{reverse(name)}?{urlencode(params)}"


def ratio(numerator: int, denominator: int, places: str = "0.01") -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal(places), ROUND_HALF_UP)


@dataclass
class Growth:
    """Growth of a count between two dates, and a part's share of the total and of the increase."""

    start: int
    end: int

    @property
    def multiple(self) -> Decimal | None:
        """end / start: "33.5 times" the start."""
        return ratio(self.end, self.start, "0.1")

    @property
    def increase(self) -> int:
        return self.end - self.start

    @property
    def increase_multiple(self) -> Decimal | None:
        """(end − start) / start: "an increase of 32.5 times"."""
        return ratio(self.increase, self.start, "0.1")

    def share_of_total(self, part: "Growth") -> Decimal | None:
        """part.end / end, in per cent."""
        return _percent(part.end, self.end)

    def share_of_increase(self, part: "Growth") -> Decimal | None:
        """(part.end − part.start) / (end − start), in per cent."""
        return _percent(part.increase, self.increase)


def _percent(numerator: int, denominator: int) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.01"), ROUND_HALF_UP)
