"""Writes with consequences on organizations: merging a duplicate into the record kept, dismissing a pair."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from shuniu import audit
from shuniu.core.fields import EncryptedField
from shuniu.hubs.choices import LinkRole
from shuniu.hubs.models import Hub, Link
from shuniu.hubs.services import link_validate

from .choices import OrganizationAuditAction
from .models import DuplicateDismissal, Organization, OrganizationMerge

#: Fields of the kept organization filled from the merged one when empty (founded_on, street, and uscc with kind and
#: REGISTRATION_FIELDS have their own rules; name, district, status and active_until stay the kept organization's).
FILLED_FIELDS = (
    "registration_level",
    "registration_authority",
    "supervisory_unit",
    "address",
    "legal_representative",
    "legal_representative_id_number",
    "legal_representative_phone",
    "registered_on",
    "staff_count",
    "member_count",
    "party_member_count",
    "note",
)
#: Taken from the merged organization when its USCC goes to the kept one (a filed organization later registered).
REGISTRATION_FIELDS = ("registration_level", "registration_authority", "registered_on")
FORMER_NAMES_SEPARATOR = "；"
#: the message of the audit records a merge writes; stored with them, so in the registry's language
MERGE_MESSAGE = "合并：「%(merged)s」并入「%(kept)s」"


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


@dataclass
class MergePlan:
    """What `organization_merge` will do, computed without writing: the confirmation page shows it."""

    keep: Organization
    merge: Organization
    moved_links: list[Link] = field(default_factory=list)
    combinations: list[LinkCombination] = field(default_factory=list)
    recognitions: list[Hub] = field(default_factory=list)
    changes: dict[str, tuple] = field(default_factory=dict)  # field name → (kept's value, value after the merge)
    fields_added: list = field(default_factory=list)

    @property
    def district_differs(self) -> bool:
        return self.keep.district_id != self.merge.district_id

    @property
    def moved_rows(self) -> list[tuple[Link, str]]:
        """(link, its period) for display."""
        return [(link, _period(link.start_date, link.end_date)) for link in self.moved_links]

    @property
    def change_rows(self) -> list[tuple[str, object, object]]:
        """(verbose name, before, after) for display."""
        rows = []
        for name, (before, after) in self.changes.items():
            model_field = Organization._meta.get_field(name)
            choices = dict(model_field.choices or ())
            before, after = (
                v.isoformat() if isinstance(v, date) else choices.get(v, v) if v not in (None, "") else v
                for v in (before, after)
            )
            rows.append((str(model_field.verbose_name), before, after))
        return rows


def _end(link_or_date) -> date:
    end = getattr(link_or_date, "end_date", link_or_date)
    return end or date.max


def _period(start: date, end: date | None) -> str:
    return f"{start} 至 {end or '今'}"


def _combine(keep: Organization, keep_links: list[Link], merge_links: list[Link]):
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


def _check_links(keep: Organization, merge: Organization, keep_links, merge_links, combined) -> None:
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


def _changes(keep: Organization, merge: Organization) -> dict[str, tuple]:
    changes = {}
    if not keep.uscc and merge.uscc:  # the registration decides the kind the USCC encodes, and its details
        changes["uscc"] = (keep.uscc, merge.uscc)
        for name in ("kind", *REGISTRATION_FIELDS):
            before, registered = getattr(keep, name), getattr(merge, name)
            if registered not in (None, "") and registered != before:
                changes[name] = (before, registered)
    if merge.founded_on < keep.founded_on:
        changes["founded_on"] = (keep.founded_on, merge.founded_on)
    for name in FILLED_FIELDS:
        before, offered = getattr(keep, name), getattr(merge, name)
        if name not in changes and before in (None, "") and offered not in (None, ""):
            changes[name] = (before, offered)
    if keep.street_id is None and merge.street_id and merge.street.parent_id == keep.district_id:
        changes["street"] = (None, merge.street)
    names = [n for n in keep.former_names.split(FORMER_NAMES_SEPARATOR) if n]
    for name in [merge.name, *merge.former_names.split(FORMER_NAMES_SEPARATOR)]:
        name = name.strip()
        if name and name != keep.name and name not in names:
            names.append(name)
    former_names = ""
    for name in names:  # as many whole names as the field holds; the merge record keeps all of them
        joined = f"{former_names}{FORMER_NAMES_SEPARATOR}{name}" if former_names else name
        if len(joined) > Organization._meta.get_field("former_names").max_length:
            break
        former_names = joined
    if former_names != keep.former_names:
        changes["former_names"] = (keep.former_names, former_names)
    return changes


def organization_merge_plan(*, keep: Organization, merge: Organization) -> MergePlan:
    """What merging `merge` into `keep` will do; raises ValidationError (Chinese) if the merge is refused.

    Refused: an organization with itself, two organizations with different USCCs, a merge that would link a hub to
    itself, and one that would give `keep` two managing hubs on the same day. Organizations of different districts
    may be merged (the kept district stays; the confirmation page says so).
    """
    if keep.pk == merge.pk:
        raise ValidationError(_("不能把组织与自身合并。"))
    if keep.uscc and merge.uscc and keep.uscc != merge.uscc:
        raise ValidationError(
            _(
                "「%(keep)s」（%(keep_uscc)s）与「%(merge)s」（%(merge_uscc)s）的统一社会信用代码不同，不是同一组织，不能合并。"
            )
            % {"keep": keep, "keep_uscc": keep.uscc, "merge": merge, "merge_uscc": merge.uscc}
        )
    links = Link.objects.filter(organization__in=[keep.pk, merge.pk]).select_related("hub__organization", "hub__system")
    keep_links = [link for link in links if link.organization_id == keep.pk]
    merge_links = [link for link in links if link.organization_id == merge.pk]
    moved, combined = _combine(keep, keep_links, merge_links)
    _check_links(keep, merge, keep_links, merge_links, combined)
    kept_fields = set(keep.fields.values_list("pk", flat=True))
    return MergePlan(
        keep=keep,
        merge=merge,
        moved_links=moved,
        combinations=combined,
        recognitions=list(merge.recognitions.select_related("system", "area")),
        changes=_changes(keep, merge),
        fields_added=[f for f in merge.fields.all() if f.pk not in kept_fields],
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


def _organization_data(organization: Organization) -> dict:
    """Every field's value; personal numbers as their stored (encrypted) text, so the snapshot holds no number."""
    data = {
        f.attname: f.value_to_string(organization)
        if isinstance(f, EncryptedField)
        else f.value_from_object(organization)
        for f in Organization._meta.concrete_fields
    }
    data["fields"] = sorted(organization.fields.values_list("code", flat=True))
    return data


def _snapshot(plan: MergePlan) -> dict:
    return {
        "organization": _organization_data(plan.merge),
        "kept_before": {name: before for name, (before, _after) in plan.changes.items()},
        "district_differs": plan.district_differs,
        "fields_added": [f.code for f in plan.fields_added],
        "links_moved": [_link_data(link) for link in plan.moved_links],
        "links_combined": [
            {
                "link": _link_data(c.link),
                "absorbed": [_link_data(link) for link in c.absorbed],
                "start_date": c.start_date,
                "end_date": c.end_date,
            }
            for c in plan.combinations
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
            for hub in plan.recognitions
        ],
    }


def _repoint_other_references(merge: Organization, keep: Organization) -> dict[str, list]:
    """Point every other foreign key to `merge` at `keep` (links, recognitions and merges are handled by name)."""
    handled = {(Link, "organization"), (Hub, "organization"), (OrganizationMerge, "kept")}
    moved = {}
    for relation in Organization._meta.related_objects:
        if relation.many_to_many or (relation.related_model, relation.field.name) in handled:
            continue
        rows = relation.related_model._base_manager.filter(**{relation.field.name: merge})
        ids = list(rows.values_list("pk", flat=True))
        if ids:
            audit.update_recorded(rows, **{relation.field.name: keep})
            moved[relation.related_model._meta.label] = ids
    return moved


def _merge_summary(plan: MergePlan) -> dict:
    """What the merge's audit record says it did (the merge record keeps the full snapshot)."""
    return {
        "merged": {"id": plan.merge.pk, "name": plan.merge.name, "uscc": plan.merge.uscc},
        "kept_changes": {name: [before, after] for name, (before, after) in plan.changes.items()},
        "links_moved": [link.pk for link in plan.moved_links],
        "links_combined": {c.link.pk: [link.pk for link in c.absorbed] for c in plan.combinations},
        "recognitions_moved": [hub.pk for hub in plan.recognitions],
        "fields_added": [f.pk for f in plan.fields_added],
    }


@transaction.atomic
def organization_merge(*, keep: Organization, merge: Organization, user=None, note: str = "") -> OrganizationMerge:
    """Merge the duplicate `merge` into `keep`, in one transaction; nothing changes if it is refused.

    `merge`'s links and hub recognitions move to `keep`; a moved link overlapping one of `keep`'s with the same hub
    and role is combined with it into one link covering both periods. `keep`'s empty fields are filled from `merge`
    (its USCC, and with it the kind, if `keep` has none; the earlier founding date; the union of fields), `merge`'s
    name goes to `keep`'s former names, and `merge` is deleted. The returned record holds a snapshot of `merge`, the
    links and recognitions moved and the links combined. The signals of hubs/signals.py mark the coverage trend
    stale from the earliest day affected (each link, recognition and organization is saved or deleted one by one).
    Refusals: see `organization_merge_plan`; also any rule of `link_validate` a moved or combined link breaks.
    """
    locked = {o.pk: o for o in Organization.objects.select_for_update().filter(pk__in=[keep.pk, merge.pk])}
    if keep.pk not in locked or merge.pk not in locked:
        raise ValidationError(_("要合并的组织已不存在，可能已被合并或删除。"))
    keep, merge = locked[keep.pk], locked[merge.pk]
    list(Link.objects.select_for_update().filter(organization__in=[keep.pk, merge.pk]).values_list("pk"))
    plan = organization_merge_plan(keep=keep, merge=merge)
    snapshot = _snapshot(plan)
    audit.record(keep, OrganizationAuditAction.MERGE, related=merge, after=_merge_summary(plan), message=note)
    with audit.context(message=MERGE_MESSAGE % {"merged": merge.name, "kept": keep.name}):
        return _merge_apply(plan, snapshot, user=user, note=note)


def _merge_apply(plan: MergePlan, snapshot: dict, *, user, note: str) -> OrganizationMerge:
    """The writes of `organization_merge`, in its transaction (each saved or deleted record is audited)."""
    keep, merge = plan.keep, plan.merge

    for combination in plan.combinations:
        for link in combination.absorbed:
            link.delete()
    for combination in plan.combinations:
        link = combination.link
        link.organization, link.start_date, link.end_date = keep, combination.start_date, combination.end_date
        link.save()
    for link in plan.moved_links:
        link.organization = keep
        link.save()
    for hub in plan.recognitions:
        hub.organization = keep
        hub.save()
    for link in [c.link for c in plan.combinations] + plan.moved_links:
        link_validate(link)
    snapshot["merges_moved"] = list(merge.merges.values_list("pk", flat=True))
    audit.update_recorded(merge.merges.all(), kept=keep)
    snapshot["other_moved"] = _repoint_other_references(merge, keep)

    merged_pk = merge.pk
    merge.delete()
    for name, (_before, after) in plan.changes.items():
        setattr(keep, name, after)
    if plan.changes:
        keep.full_clean()
        keep.save()
    keep.fields.add(*plan.fields_added)
    return OrganizationMerge.objects.create(
        kept=keep,
        user=user,
        merged_pk=merged_pk,
        merged_name=merge.name,
        merged_uscc=merge.uscc or "",
        snapshot=snapshot,
        note=note,
    )


def duplicate_dismiss(*, a: Organization, b: Organization, user=None) -> DuplicateDismissal:
    """Mark two organizations as not duplicates ("不是重复"): the pair is no longer suggested. Idempotent."""
    if a.pk == b.pk:
        raise ValidationError(_("不能把组织与自身标记为不重复。"))
    first, second = sorted((a.pk, b.pk))
    dismissal, _created = DuplicateDismissal.objects.get_or_create(
        first_id=first, second_id=second, defaults={"user": user}
    )
    return dismissal
