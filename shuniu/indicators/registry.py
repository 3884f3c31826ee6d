"""The indicators every module declares (`core.indicators.Indicator` in `Module(indicators=...)`), by key."""

from functools import cache

from django.utils.module_loading import import_string

from shuniu.core.indicators import Indicator
from shuniu.core.modules import collected

#: 覆盖率, declared by hubs (`shuniu.hubs.module.COVERAGE`)
COVERAGE = "hubs.coverage"


@cache
def registry() -> dict[str, Indicator]:
    found = {}
    for _module, declared in collected("indicators"):
        for item in declared:
            indicator = import_string(item) if isinstance(item, str) else item
            found[indicator.key] = indicator
    return found


def indicator(key: str = COVERAGE) -> Indicator:
    return registry()[key]


def depending_on(model_label: str) -> list[Indicator]:
    """The indicators whose stored figures a change of `model_label`'s records (`hubs.link`) makes stale."""
    return [found for found in registry().values() if model_label in found.depends_on]
