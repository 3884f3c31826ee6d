"""Writes with consequences on organizations: merging a duplicate into the record kept, dismissing a pair."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from shuniu import audit
from shuniu.core.fields import EncryptedField

from .choices import OrganizationAuditAction
from .merging import MergeStep, merge_steps
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
class MergePlan:
    """What `organization_merge` will do, computed without writing: the confirmation page shows it."""

    keep: Organization
    merge: Organization
    steps: list[MergeStep] = field(default_factory=list)  # the other apps' parts (`merging.py`)
    changes: dict[str, tuple] = field(default_factory=dict)  # field name → (kept's value, value after the merge)
    fields_added: list = field(default_factory=list)

    @property
    def district_differs(self) -> bool:
        return self.keep.district_id != self.merge.district_id

    def step(self, step_class: type[MergeStep]) -> MergeStep:
        return next(step for step in self.steps if isinstance(step, step_class))

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


def organization_merge_plan(*, keep: Organization, merge: Organization, lock: bool = False) -> MergePlan:
    """What merging `merge` into `keep` will do; raises ValidationError (Chinese) if the merge is refused.

    Refused: an organization with itself, two organizations with different USCCs, and what a step of another app
    refuses (`merging.py`: a merge that would link a hub to itself, or give `keep` two managing hubs on the same day).
    Organizations of different districts may be merged (the kept district stays; the confirmation page says so).
    With `lock`, the steps lock the rows they will change.
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
    steps = merge_steps(keep, merge, lock=lock)
    kept_fields = set(keep.fields.values_list("pk", flat=True))
    return MergePlan(
        keep=keep,
        merge=merge,
        steps=steps,
        changes=_changes(keep, merge),
        fields_added=[f for f in merge.fields.all() if f.pk not in kept_fields],
    )


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
    snapshot = {
        "organization": _organization_data(plan.merge),
        "kept_before": {name: before for name, (before, _after) in plan.changes.items()},
        "district_differs": plan.district_differs,
        "fields_added": [f.code for f in plan.fields_added],
    }
    for step in plan.steps:
        snapshot.update(step.snapshot())
    return snapshot


def _repoint_other_references(plan: MergePlan) -> dict[str, list]:
    """Point every other foreign key to the merged organization at the kept one (the steps move their own rows, and
    the merge records are moved by name)."""
    merge, keep = plan.merge, plan.keep
    handled = {("organizations.organizationmerge", "kept")}
    handled.update(pair for step in plan.steps for pair in step.handles)
    moved = {}
    for relation in Organization._meta.related_objects:
        if relation.many_to_many or (relation.related_model._meta.label_lower, relation.field.name) in handled:
            continue
        rows = relation.related_model._base_manager.filter(**{relation.field.name: merge})
        ids = list(rows.values_list("pk", flat=True))
        if ids:
            audit.update_recorded(rows, **{relation.field.name: keep})
            moved[relation.related_model._meta.label] = ids
    return moved


def _merge_summary(plan: MergePlan) -> dict:
    """What the merge's audit record says it did (the merge record keeps the full snapshot)."""
    summary = {
        "merged": {"id": plan.merge.pk, "name": plan.merge.name, "uscc": plan.merge.uscc},
        "kept_changes": {name: [before, after] for name, (before, after) in plan.changes.items()},
    }
    for step in plan.steps:
        summary.update(step.summary())
    summary["fields_added"] = [f.pk for f in plan.fields_added]
    return summary


@transaction.atomic
def organization_merge(*, keep: Organization, merge: Organization, user=None, note: str = "") -> OrganizationMerge:
    """Merge the duplicate `merge` into `keep`, in one transaction; nothing changes if it is refused.

    What refers to `merge` is pointed at `keep`, by the other apps' steps (`merging.py`: hubs moves and combines
    links and recognitions) or, for any other foreign key, by repointing it. `keep`'s empty fields are filled from
    `merge` (its USCC, and with it the kind, if `keep` has none; the earlier founding date; the union of fields),
    `merge`'s name goes to `keep`'s former names, and `merge` is deleted. The returned record holds a snapshot of
    `merge` and of what the steps moved. Every row is saved or deleted one by one, so that the audit log and the
    signals that mark figures stale see each. Refusals: see `organization_merge_plan`, and whatever a step refuses
    as it writes.
    """
    locked = {o.pk: o for o in Organization.objects.select_for_update().filter(pk__in=[keep.pk, merge.pk])}
    if keep.pk not in locked or merge.pk not in locked:
        raise ValidationError(_("要合并的组织已不存在，可能已被合并或删除。"))
    keep, merge = locked[keep.pk], locked[merge.pk]
    plan = organization_merge_plan(keep=keep, merge=merge, lock=True)
    snapshot = _snapshot(plan)
    audit.record(keep, OrganizationAuditAction.MERGE, related=merge, after=_merge_summary(plan), message=note)
    with audit.context(message=MERGE_MESSAGE % {"merged": merge.name, "kept": keep.name}):
        return _merge_apply(plan, snapshot, user=user, note=note)


def _merge_apply(plan: MergePlan, snapshot: dict, *, user, note: str) -> OrganizationMerge:
    """The writes of `organization_merge`, in its transaction (each saved or deleted record is audited)."""
    keep, merge = plan.keep, plan.merge

    for step in plan.steps:
        step.apply()
    snapshot["merges_moved"] = list(merge.merges.values_list("pk", flat=True))
    audit.update_recorded(merge.merges.all(), kept=keep)
    snapshot["other_moved"] = _repoint_other_references(plan)

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
