"""What other apps do with their records when two organizations are merged.

Merging a duplicate into the organization kept (`services.organization_merge`) points every foreign key to the merged
organization at the kept one. An app whose records need more than that declares a step in its `module.py`:

    merge_steps={"organizations.organization": ("shuniu.hubs.merging.LinksAndRecognitions",)}

A step is built from the two organizations before anything is written (raising ValidationError, in the user's
language, refuses the merge with its reason), says on the confirmation page what it will do, adds what it moved to the
merge record's snapshot and to the audit record, and makes its writes inside the merge's transaction.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from shuniu.core.modules import extensions


class MergeStep:
    """One app's part of merging `merge` into `keep`. `__init__` computes the plan without writing, and raises
    ValidationError if the merge must be refused; with `lock`, it first locks the rows it will change.

    handles:  (model label, foreign key) pairs the step moves itself; the merge repoints every other reference;
    template: the lines (`<li>`) the confirmation page shows, rendered with `step`;
    """

    handles: tuple[tuple[str, str], ...] = ()
    template: str = ""

    def __init__(self, keep, merge, *, lock: bool = False):
        self.keep, self.merge = keep, merge

    def snapshot(self) -> dict:
        """What the merge record keeps of the rows the step changed or deleted."""
        return {}

    def summary(self) -> dict:
        """What the audit record of the merge says the step did (ids)."""
        return {}

    def apply(self) -> None:
        """The writes, before the merged organization is deleted; each saved or deleted row is audited."""


def merge_steps(keep, merge, *, lock: bool = False) -> list[MergeStep]:
    """Every declared step for merging `merge` into `keep`; raises ValidationError with every step's refusals."""
    steps, errors = [], []
    for step_class in extensions("merge_steps", "organizations.organization"):
        try:
            steps.append(step_class(keep, merge, lock=lock))
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError(errors)
    return steps
