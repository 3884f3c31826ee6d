"""Merging two organizations moves the merged one's links and hub recognitions to the kept one (a step of
`shuniu.organizations.merging`, declared in `module.py`).

A moved link overlapping one of the kept organization's with the same hub and role is combined with it into one link
covering both periods. Refused: a merge that would link a hub to itself, or give the kept organization two managing
hubs on the same day; and any rule of `link_validate` a moved or combined link breaks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from shuniu.organizations.merging import MergeStep

from .choices import LinkRole
from .models import Hub, Link
from .services import link_validate


def _end(link_or_date) -> date:
    end = getattr(link_or_date, "end_date", link_or_date)
    return end or date.max


def _period(start: date, end: date | None) -> str:
    return f"{start} 至 {end or '今'}"


@dataclass
class LinkCombination:
    """Links of one hub and role whose periods overlap, folded into `link` over `start_date`–`end_date`; the
    `absorbed` ones are deleted (the merge record keeps them). `moved`: `link` was the merged organization's."""

    link: Link
    absorbed: list[Link]
    start_date: date
    end_date: date | None
    moved: bool

    @property
    def periods_before(self) -> str:
        links = sorted([self.link, *self.absorbed], key=lambda link: (link.start_date, link.pk))
        return "、".join(_period(link.start_date, link.end_date) for link in links)

    @property
    def period(self) -> str:
        return _period(self.start_date, self.end_date)


def _combine(keep, keep_links: list[Link], merge_links: list[Link]):
    """Split the merged organization's links into moved unchanged and combined with an overlapping one of the same
    hub and role (a chain of overlapping periods becomes one link covering all of them)."""
    by_pair: dict[tuple, list[Link]] = {}
    for link in keep_links + merge_links:
        by_pair.setdefault((link.hub_id, link.role), []).append(link)
    moved, combined = [], []
    for links in by_pair.values():
        links.sort(key=lambda link: (link.start_date, link.pk))
        clusters, end = [], None
        for link in links:
            if clusters and link.start_date <= end:
                clusters[-1].append(link)
                end = max(end, _end(link))
            else:
                clusters.append([link])
                end = _end(link)
        for cluster in clusters:
            if all(link.organization_id == keep.pk for link in cluster):
                continue
            if len(cluster) == 1:
                moved.append(cluster[0])
                continue
            survivor = min(cluster, key=lambda link: (link.organization_id != keep.pk, link.start_date, link.pk))
            end_date = max(_end(link) for link in cluster)
            combined.append(
                LinkCombination(
                    link=survivor,
                    absorbed=[link for link in cluster if link is not survivor],
                    start_date=min(link.start_date for link in cluster),
                    end_date=None if end_date == date.max else end_date,
                    moved=survivor.organization_id != keep.pk,
                )
            )
    moved.sort(key=lambda link: (link.start_date, link.pk))
    return moved, combined


def _check_links(keep, merge, keep_links, merge_links, combined) -> None:
    """Refuse a merge that would link a hub to itself or give the kept organization two managing hubs on a day."""
    for link in keep_links + merge_links:
        if link.hub.organization_id in (keep.pk, merge.pk) and link.organization_id != link.hub.organization_id:
            raise ValidationError(
                _("「%(hub)s」与「%(organization)s」之间有联系关系（%(period)s），合并后枢纽将与自身联系，不能合并。")
                % {
                    "hub": link.hub,
                    "organization": link.organization,
                    "period": _period(link.start_date, link.end_date),
                }
            )
    absorbed = {link.pk for combination in combined for link in combination.absorbed}
    periods = {link.pk: (link.start_date, link.end_date) for link in keep_links + merge_links}
    periods.update({c.link.pk: (c.start_date, c.end_date) for c in combined})
    widened = {c.link.pk for c in combined}
    managing = [link for link in keep_links + merge_links if link.role == LinkRole.MANAGE and link.pk not in absorbed]
    for index, first in enumerate(managing):
        for second in managing[index + 1 :]:
            same_side = first.organization_id == second.organization_id
            if first.hub_id == second.hub_id or (same_side and not {first.pk, second.pk} & widened):
                continue  # one side's own history, unchanged, is not the merge's doing
            (start_a, end_a), (start_b, end_b) = periods[first.pk], periods[second.pk]
            start, end = max(start_a, start_b), min(_end(end_a), _end(end_b))
            if start <= end:
                raise ValidationError(
                    _(
                        "合并后「%(organization)s」在 %(period)s 将同时由「%(first)s」和「%(second)s」管理；"
                        "一个组织同一天只能有一个管理枢纽。请先结束其中一个管理关系，再合并。"
                    )
                    % {
                        "organization": keep,
                        "period": _period(start, None if end == date.max else end),
                        "first": first.hub,
                        "second": second.hub,
                    }
                )


def _link_data(link: Link) -> dict:
    return {
        "id": link.pk,
        "organization_id": link.organization_id,
        "hub_id": link.hub_id,
        "hub": str(link.hub),
        "role": link.role,
        "start_date": link.start_date,
        "end_date": link.end_date,
        "basis": link.basis,
        "note": link.note,
    }


class LinksAndRecognitions(MergeStep):
    """The merged organization's links move to the kept one (`moved_links`), or are combined with an overlapping one
    of the same hub and role (`combinations`); its hub recognitions move (`recognitions`)."""

    handles = (("hubs.link", "organization"), ("hubs.hub", "organization"))
    template = "hubs/includes/merge_step.html"

    def __init__(self, keep, merge, *, lock: bool = False):
        super().__init__(keep, merge)
        links = Link.objects.filter(organization__in=[keep.pk, merge.pk])
        if lock:
            list(links.select_for_update().values_list("pk"))
        links = list(links.select_related("hub__organization", "hub__system"))
        keep_links = [link for link in links if link.organization_id == keep.pk]
        merge_links = [link for link in links if link.organization_id == merge.pk]
        self.moved_links, self.combinations = _combine(keep, keep_links, merge_links)
        _check_links(keep, merge, keep_links, merge_links, self.combinations)
        self.recognitions: list[Hub] = list(merge.recognitions.select_related("system", "area"))

    @property
    def moved_rows(self) -> list[tuple[Link, str]]:
        """(link, its period) for display."""
        return [(link, _period(link.start_date, link.end_date)) for link in self.moved_links]

    @property
    def is_empty(self) -> bool:
        return not (self.moved_links or self.combinations or self.recognitions)

    def snapshot(self) -> dict:
        return {
            "links_moved": [_link_data(link) for link in self.moved_links],
            "links_combined": [
                {
                    "link": _link_data(c.link),
                    "absorbed": [_link_data(link) for link in c.absorbed],
                    "start_date": c.start_date,
                    "end_date": c.end_date,
                }
                for c in self.combinations
            ],
            "recognitions_moved": [
                {
                    "id": hub.pk,
                    "level": hub.level,
                    "system": hub.system.code,
                    "area": hub.area.code,
                    "recognized_on": hub.recognized_on,
                    "recognized_until": hub.recognized_until,
                }
                for hub in self.recognitions
            ],
        }

    def summary(self) -> dict:
        return {
            "links_moved": [link.pk for link in self.moved_links],
            "links_combined": {c.link.pk: [link.pk for link in c.absorbed] for c in self.combinations},
            "recognitions_moved": [hub.pk for hub in self.recognitions],
        }

    def apply(self) -> None:
        """The signals of `signals.py` mark the coverage trend stale from the earliest day affected (each link and
        recognition is saved or deleted one by one)."""
        keep = self.keep
        for combination in self.combinations:
            for link in combination.absorbed:
                link.delete()
        for combination in self.combinations:
            link = combination.link
            link.organization, link.start_date, link.end_date = keep, combination.start_date, combination.end_date
            link.save()
        for link in self.moved_links:
            link.organization = keep
            link.save()
        for hub in self.recognitions:
            hub.organization = keep
            hub.save()
        for link in [c.link for c in self.combinations] + self.moved_links:
            link_validate(link)
