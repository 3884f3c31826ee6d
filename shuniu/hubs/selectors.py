"""Reads that define concepts: "covered on D" is defined here, once, and used by every list, figure and API."""

from datetime import date

from shuniu.organizations.models import Organization

from .models import Hub, Link


def links_covering_on(*, day: date, system=None, level: str | None = None, hub=None):
    """Links valid on `day` to a hub recognised on `day`, optionally of one system, level or hub."""
    hubs = Hub.objects.recognized_on(day)
    if system is not None:
        hubs = hubs.filter(system=system)
    if level:
        hubs = hubs.filter(level=level)
    if hub is not None:
        hubs = hubs.filter(pk=getattr(hub, "pk", hub))
    return Link.objects.valid_on(day).filter(hub__in=hubs.values("pk"))


def organizations_counted_on(*, day: date, user=None):
    """The denominator of coverage: social organizations active on `day` (within the user's scope)."""
    organizations = Organization.objects.all() if user is None else Organization.objects.restrict(user, "view")
    return organizations.social().active_on(day)


def organizations_covered_on(*, day: date, user=None, system=None, level=None, hub=None):
    """Covered on D: a social organization active on D holding a link valid on D to a hub recognised on D."""
    links = links_covering_on(day=day, system=system, level=level, hub=hub)
    return organizations_counted_on(day=day, user=user).filter(pk__in=links.values("organization_id"))


def organizations_uncovered_on(*, day: date, user=None, system=None, level=None, hub=None):
    """The gap: counted on D and not covered on D (by the given system, level or hub, if any)."""
    links = links_covering_on(day=day, system=system, level=level, hub=hub)
    return organizations_counted_on(day=day, user=user).exclude(pk__in=links.values("organization_id"))


def hubs_suggested_for(*, organizations, day: date) -> dict:
    """For each organization, the hub to link it to: recognised on `day`, covering one of its fields (a hub
    with no fields covers all), with the narrowest jurisdiction containing the organization's area.
    Returns {organization pk: Hub or None}."""
    hubs = list(Hub.objects.recognized_on(day).select_related("organization", "area", "system")
                .prefetch_related("fields"))
    hub_fields = {hub.pk: {f.pk for f in hub.fields.all()} for hub in hubs}
    by_area = {}
    for hub in hubs:
        by_area.setdefault(hub.area_id, []).append(hub)
    city_hubs = [hub for hub in hubs if hub.level == "city"]
    suggestions = {}
    for organization in organizations:
        fields = {f.pk for f in organization.fields.all()}
        candidates = (by_area.get(organization.street_id, []), by_area.get(organization.district_id, []), city_hubs)
        suggestions[organization.pk] = next(
            (hub for group in candidates for hub in group
             if not hub_fields[hub.pk] or hub_fields[hub.pk] & fields),
            None,
        )
    return suggestions
