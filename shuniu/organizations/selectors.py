"""Reads of the registry that are more than a filter: possible duplicates among organizations without a USCC."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations

from django.db.models import Count, Max, Q
from django.utils.translation import gettext_lazy as _
from rapidfuzz import fuzz, process

from shuniu.core.caching import kept

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


@dataclass(frozen=True)
class Candidate:
    """A possible duplicate pair by ids, ordered as the review shows it (`DuplicatePair` once loaded)."""

    first_id: int
    second_id: int
    score: int
    reason: str


def duplicate_candidates(*, queryset, threshold: int = 90) -> list[DuplicatePair]:
    """Every possible duplicate pair among the organizations of `queryset`, loaded (`candidate_pairs`, `load_pairs`)."""
    return load_pairs(queryset, candidate_pairs(queryset=queryset, threshold=threshold))


def reviewed_pairs(*, queryset, threshold: int = 90) -> list[Candidate]:
    """`candidate_pairs`, kept in the cache until one of the organizations of `queryset` or a dismissal changes:
    comparing the names of a district's organizations takes seconds (117,013 pairs in the benchmark's largest
    district, 4.9 s), and a reviewer pages through the same list.

    What changes the pairs changes the fingerprint: a name, a USCC or a district changed is a newer `updated_at`
    (the forms, the API and the imports all set it), an organization added a larger id, one deleted or merged a
    smaller count, a dismissal a larger count or id."""
    organizations = queryset.aggregate(n=Count("pk"), last=Max("updated_at"), top=Max("pk"))
    dismissals = DuplicateDismissal.objects.aggregate(n=Count("pk"), top=Max("pk"))
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    question = (sql, params, threshold, sorted(organizations.items()), sorted(dismissals.items()))
    return kept("duplicates", question, lambda: candidate_pairs(queryset=queryset, threshold=threshold))


def candidate_pairs(*, queryset, threshold: int = 90) -> list[Candidate]:
    """Possible duplicates among the organizations of `queryset` (already restricted to the user's scope), by id: a
    page loads only the organizations of the pairs it shows (`load_pairs`).

    Within each district: two organizations without a USCC whose `name_key` is equal (score 100) or whose keys'
    `rapidfuzz.fuzz.ratio` is at least `threshold`; and an organization without a USCC with one that has a USCC and
    the same key. Pairs marked "不是重复" are left out. Sorted by score (highest first), district and name.
    """
    no_uscc = Q(uscc__isnull=True) | Q(uscc="")
    columns = ("pk", "name", "district_id", "district__code")
    unregistered = list(queryset.filter(no_uscc).values_list(*columns))
    groups: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))  # district → key → pks
    shown: dict[int, tuple[str, str, bool]] = {}  # pk → (district code, name, has a USCC)
    for pk, name, district_id, code in unregistered:
        key = name_key(name)
        if key:
            groups[district_id][key].append(pk)
            shown[pk] = (code, name, False)

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

    registered = queryset.exclude(no_uscc).filter(district_id__in=list(groups)).values_list(*columns)
    for pk, name, district_id, code in registered:
        for other in groups[district_id].get(name_key(name), ()):
            pairs[(min(pk, other), max(pk, other))] = (100, REASON_REGISTERED_LATER)
            shown[pk] = (code, name, True)

    if not pairs:
        return []
    dismissed = set(
        DuplicateDismissal.objects.filter(first__district_id__in=list(groups)).values_list("first_id", "second_id")
    )
    candidates, texts = [], {}
    for (a, b), (score, reason) in pairs.items():
        if (a, b) in dismissed:
            continue
        first, second = a, b
        if not shown[first][2] and (shown[second][2] or second < first):
            first, second = second, first
        text = texts.get(id(reason)) or texts.setdefault(id(reason), str(reason))  # translated once, not per pair
        candidates.append(Candidate(first_id=first, second_id=second, score=score, reason=text))

    def order(candidate: Candidate):
        (code, first_name, _registered), second_name = shown[candidate.first_id], shown[candidate.second_id][1]
        return (-candidate.score, code, first_name, second_name, candidate.first_id, candidate.second_id)

    return sorted(candidates, key=order)


def load_pairs(queryset, candidates: list[Candidate]) -> list[DuplicatePair]:
    """The organizations of `candidates` (from `queryset`), each with its district, street and `links_count`."""
    pks = sorted({pk for candidate in candidates for pk in (candidate.first_id, candidate.second_id)})
    organizations = {}
    base = queryset.select_related("district", "street").order_by()
    for start in range(0, len(pks), _BATCH):
        batch = pks[start : start + _BATCH]
        organizations.update((o.pk, o) for o in base.filter(pk__in=batch))
        # counted apart from the scoped query: a GROUP BY over its conditions took a second per batch at 100k
        counts = Organization.objects.filter(pk__in=batch).annotate(n=Count("links")).values_list("pk", "n")
        for pk, n in counts:
            if pk in organizations:
                organizations[pk].links_count = n
    return [
        DuplicatePair(
            first=organizations[c.first_id], second=organizations[c.second_id], score=c.score, reason=c.reason
        )
        for c in candidates
        if c.first_id in organizations and c.second_id in organizations
    ]


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
