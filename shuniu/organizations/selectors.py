"""Reads of the registry that are more than a filter: possible duplicates among organizations without a USCC."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from rapidfuzz import fuzz, process

from .models import DuplicateDismissal, Organization
from .names import name_key

REASON_SAME_NAME = _("名称相同")
REASON_REGISTERED_LATER = _("名称相同，一方已有统一社会信用代码（可能是备案后又登记）")
REASON_SIMILAR_NAME = _("名称相似")

_BATCH = 500  # ids per `pk IN (…)` query


@dataclass(frozen=True)
class DuplicatePair:
    """Two organizations that may be one, both annotated with `links_count`. `first` is shown on the left: the one
    with a USCC, else the one entered first."""

    first: Organization
    second: Organization
    score: int
    reason: str


def duplicate_candidates(*, queryset, threshold: int = 90) -> list[DuplicatePair]:
    """Possible duplicates among the organizations of `queryset` (already restricted to the user's scope).

    Within each district: two organizations without a USCC whose `name_key` is equal (score 100) or whose keys'
    `rapidfuzz.fuzz.ratio` is at least `threshold`; and an organization without a USCC with one that has a USCC and
    the same key. Pairs marked "不是重复" are left out. Sorted by score (highest first), district and name.
    """
    no_uscc = Q(uscc__isnull=True) | Q(uscc="")
    unregistered = list(queryset.filter(no_uscc).values_list("pk", "name", "district_id"))
    groups: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))  # district → key → pks
    for pk, name, district_id in unregistered:
        key = name_key(name)
        if key:
            groups[district_id][key].append(pk)

    pairs: dict[tuple[int, int], tuple[int, str]] = {}  # (pk, pk) → (score, reason)
    for keys in groups.values():
        for pks in keys.values():
            for a, b in combinations(sorted(pks), 2):
                pairs[(a, b)] = (100, REASON_SAME_NAME)
        key_list = list(keys)
        for (i, j), score in similar_key_pairs(key_list, threshold).items():
            for a in keys[key_list[i]]:
                for b in keys[key_list[j]]:
                    pairs[(min(a, b), max(a, b))] = (math.floor(score), REASON_SIMILAR_NAME)

    registered = queryset.exclude(no_uscc).filter(district_id__in=list(groups)).values_list("pk", "name", "district_id")
    for pk, name, district_id in registered:
        for other in groups[district_id].get(name_key(name), ()):
            pairs[(min(pk, other), max(pk, other))] = (100, REASON_REGISTERED_LATER)

    if not pairs:
        return []
    dismissed = set(
        DuplicateDismissal.objects.filter(first__district_id__in=list(groups)).values_list("first_id", "second_id")
    )
    pairs = {pair: value for pair, value in pairs.items() if pair not in dismissed}
    organizations = _load(queryset, {pk for pair in pairs for pk in pair})
    result = []
    for (a, b), (score, reason) in pairs.items():
        first, second = organizations[a], organizations[b]
        if not first.uscc and (second.uscc or second.pk < first.pk):
            first, second = second, first
        result.append(DuplicatePair(first=first, second=second, score=score, reason=str(reason)))
    result.sort(key=lambda p: (-p.score, p.first.district.code, p.first.name, p.second.name, p.first.pk, p.second.pk))
    return result


def _load(queryset, pks: set[int]) -> dict[int, Organization]:
    pks = sorted(pks)
    organizations = {}
    base = queryset.select_related("district", "street").annotate(links_count=Count("links")).order_by()
    for start in range(0, len(pks), _BATCH):
        organizations.update((o.pk, o) for o in base.filter(pk__in=pks[start : start + _BATCH]))
    return organizations


def similar_key_pairs(keys: list[str], threshold: float) -> dict[tuple[int, int], float]:
    """{(i, j): score} for i < j with `fuzz.ratio(keys[i], keys[j]) >= threshold`; the keys are distinct.

    Scoring every pair costs seconds at 5,000 keys, so only candidates from a partition filter (PassJoin) are
    scored. A ratio of at least t allows an Indel distance (insertions + deletions) of at most
    τ = (1 - t/100)·(len a + len b). Keys are taken shortest first, each cut into τ + 1 segments (τ for its longest
    possible partner) and indexed; a later, longer or equal key r is compared with an indexed s only if one of s's
    segments occurs in r at a shift allowed by the length difference Δ, from -(τ-Δ)/2 to (τ+Δ)/2: τ edits leave one
    segment whole. Keys too short to cut are compared with every later key.
    """
    slack = 1 - threshold / 100
    if slack <= 0:  # only equal keys would do, and the keys are distinct
        return {}

    def max_distance(a: int, b: int) -> int:
        return math.floor(slack * (a + b) + 1e-9)

    def longest_partner(length: int) -> int:
        return length + math.floor(2 * slack * length / (1 - slack) + 1e-9)

    schemes: dict[int, list[tuple[int, int]] | None] = {}  # length → its segments (start, size); None: too short
    index: dict[tuple[int, int, str], list[int]] = defaultdict(list)  # (length, segment number, text) → keys
    unsegmented: list[int] = []
    found = {}
    for j in sorted(range(len(keys)), key=lambda i: (len(keys[i]), i)):
        key, length = keys[j], len(keys[j])
        candidates = set(unsegmented)
        for shorter, segments in schemes.items():
            tau, delta = max_distance(shorter, length), length - shorter
            if segments is None or delta > tau:
                continue
            low, high = (tau - delta) // 2, (tau + delta) // 2
            for number, (start, size) in enumerate(segments):
                for at in range(max(0, start - low), min(length - size, start + high) + 1):
                    hits = index.get((shorter, number, key[at : at + size]))
                    if hits:
                        candidates.update(hits)
        if candidates:
            chosen = list(candidates)
            for _match, score, position in process.extract(
                key, [keys[i] for i in chosen], scorer=fuzz.ratio, score_cutoff=threshold, limit=None
            ):
                i = chosen[position]
                found[(min(i, j), max(i, j))] = score
        if length not in schemes:
            schemes[length] = _segments(length, max_distance(length, longest_partner(length)) + 1)
        if schemes[length] is None:
            unsegmented.append(j)
        else:
            for number, (start, size) in enumerate(schemes[length]):
                index[(length, number, key[start : start + size])].append(j)
    return found


def _segments(length: int, parts: int) -> list[tuple[int, int]] | None:
    """(start, size) of `parts` segments covering `length` characters, the longer ones last; None if too short."""
    if length < parts:
        return None
    base, extra = divmod(length, parts)
    segments, start = [], 0
    for number in range(parts):
        size = base + (1 if number >= parts - extra else 0)
        segments.append((start, size))
        start += size
    return segments
