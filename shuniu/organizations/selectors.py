"""Reads of the registry that are more than a filter: possible duplicates among organizations without a USCC."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
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
    τ = (1 - t/100)·(len a + len b). Keys are taken shortest first; a key s is cut into τ + 1 + f segments (τ for its
    longest possible partner) and indexed under the τ + 1 of them that fewest keys of its length share; a later,
    longer or equal key r is compared with s only if one of those occurs in r at a shift allowed by the length
    difference Δ, from -(τ-Δ)/2 to (τ+Δ)/2: τ edits leave at least f + 1 segments whole, so one indexed segment.
    f is chosen per length (`_plan`): 0 where segments are rare (plain PassJoin), more where the keys share their
    beginnings (names 基准社会组织000001 … of one district: with f = 0 the first segment matched every earlier key and
    all pairs were compared). Keys too short to cut are compared with every later key.
    """
    slack = 1 - threshold / 100
    if slack <= 0:  # only equal keys would do, and the keys are distinct
        return {}

    def max_distance(a: int, b: int) -> int:
        return math.floor(slack * (a + b) + 1e-9)

    def longest_partner(length: int) -> int:
        return length + math.floor(2 * slack * length / (1 - slack) + 1e-9)

    by_length: dict[int, list[int]] = defaultdict(list)
    for i, key in enumerate(keys):
        by_length[len(key)].append(i)
    schemes: dict[int, list[tuple[int, int]] | None] = {}  # length → its segments (start, size); None: too short
    indexed: dict[int, tuple[int, ...] | None] = {}  # key → the numbers of its indexed segments (None: all)
    for length, members in by_length.items():
        schemes[length], chosen = _plan(keys, members, length, max_distance(length, longest_partner(length)))
        indexed.update(chosen)

    seen: list[int] = []  # the lengths indexed so far
    index: dict[tuple[int, int, str], list[int]] = defaultdict(list)  # (length, segment number, text) → keys
    unsegmented: list[int] = []
    found = {}
    for j in sorted(range(len(keys)), key=lambda i: (len(keys[i]), i)):
        key, length = keys[j], len(keys[j])
        candidates = set(unsegmented)
        for shorter in seen:
            segments = schemes[shorter]
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
        if not seen or seen[-1] != length:
            seen.append(length)
        segments = schemes[length]
        if segments is None:
            unsegmented.append(j)
        else:
            numbers = indexed[j]
            for number in range(len(segments)) if numbers is None else numbers:
                start, size = segments[number]
                index[(length, number, key[start : start + size])].append(j)
    return found


def _plan(keys: list[str], members: list[int], length: int, tau: int):
    """How the keys `members` (all of `length`) are indexed, for at most `tau` edits: (segments, {key: the numbers
    of the τ + 1 segments it is indexed under, or None for all of them}), with the number of extra segments f (0 to
    3) that makes the fewest look-ups and candidates: each key's indexed segments are those fewest keys of this
    length share, and every longer key pays a look-up per segment and shift. f = 0 (every segment indexed) is kept
    without trying more when a key meets at most `_FEW` others through its segments on average: the demo city's
    names meet 1–95 (a district's names of one length), the benchmark's 基准社会组织000001 … 16,000.
    (None, {}) when the keys are too short to cut."""
    best = None
    for extra in range(4):
        segments = _segments(length, tau + 1 + extra)
        if segments is None:
            break
        texts = {i: [keys[i][start : start + size] for start, size in segments] for i in members}
        shared = Counter((number, text) for parts in texts.values() for number, text in enumerate(parts))
        cost = len(members) * len(segments) * (tau + 1)
        if extra == 0:
            chosen = dict.fromkeys(members)
            meetings = sum(count * count for count in shared.values())  # each key meets those sharing a segment
            if meetings <= len(members) * _FEW:
                return segments, chosen
            cost += meetings
        else:
            chosen = {}
            for i, parts in texts.items():
                rarest = sorted(range(len(parts)), key=lambda number: (shared[(number, parts[number])], number))
                chosen[i] = tuple(rarest[: tau + 1])
                cost += sum(shared[(number, parts[number])] for number in chosen[i])
        if best is None or cost < best[0]:
            best = (cost, segments, chosen)
    return (None, {}) if best is None else (best[1], best[2])


_FEW = 256  # keys a key meets through its segments, on average, up to which the plain PassJoin is kept


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
