"""The blocks indicators add to other apps' detail pages (declared in `module.py` as `Section`s)."""

from django.utils import timezone

from shuniu.areas.choices import AreaLevel

from .selectors import coverage_by_street


def area_coverage(area, user) -> dict | None:
    """A district's page: the coverage of each of its streets today, in the user's scope (other areas: no block)."""
    if area.level != AreaLevel.DISTRICT:
        return None
    today = timezone.localdate()
    return {
        "today": today,
        "street_figures": coverage_by_street(day=today, user=user, district=area),
        "street_count": len(area.children.all()),
    }
