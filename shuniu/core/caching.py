"""Answers kept until what they were computed from changes: the caller puts into the question whatever the answer
depends on (a data version, a fingerprint of the rows, the statement and its parameters), so a changed input is a new
question and no time-to-live is guessed. Old questions are never asked again; the cache's own eviction removes their
answers (`TIMEOUT` only bounds how long they may linger)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.core.cache import caches

#: the cache shared by every server process (Redis where `SHUNIU_CACHE_URL` names one, files otherwise)
ALIAS = "figures"
TIMEOUT = 7 * 24 * 60 * 60


def kept(prefix: str, question: tuple, compute: Callable[[], Any], *, timeout: int = TIMEOUT) -> Any:
    """The kept answer to `question` (anything with a stable repr), or `compute()`'s, kept under `prefix`."""
    key = f"{prefix}:{hashlib.sha256(repr(question).encode()).hexdigest()}"
    cache = caches[ALIAS]
    answer = cache.get(key)
    if answer is None:
        answer = compute()
        cache.set(key, answer, timeout)
    return answer
