"""An organization's name key: how the registry tells that two names are the same organization's (duplicates without a
USCC, the importer's matching, the duplicate finder). A rule of organizations, so it lives here."""

from __future__ import annotations

from shuniu.areas.resolvers import DISTRICT_NAMES, FORMER_DISTRICT_NAMES, short_name
from shuniu.core.importing.normalize import fold

#: What `name_key` drops from the start of a name: the city and any district name, full or short (朝阳区, 朝阳).
NAME_PREFIXES: frozenset[str] = frozenset(
    ["北京市", "北京"]
    + [form for name in (*DISTRICT_NAMES, *FORMER_DISTRICT_NAMES) for form in (name, short_name(name))]
)

_NAME_PREFIX_LENGTHS = sorted({len(prefix) for prefix in NAME_PREFIXES}, reverse=True)


def name_key(name: str, prefixes: frozenset[str] = NAME_PREFIXES) -> str:
    """The key that finds duplicate organizations without a USCC.

    NFKC, case-folded, without whitespace, punctuation or brackets, and without leading place names (北京市, 北京 and
    the district names of `prefixes`, repeatedly, as long as something is left): 「北京市朝阳区 阳光（志愿者）协会」,
    「朝阳区阳光(志愿者)协会」 and 「阳光志愿者协会」 have the same key. The district is dropped, so compare keys within
    one district. Pure and idempotent.
    """
    key = fold(name or "")
    lengths = _NAME_PREFIX_LENGTHS if prefixes is NAME_PREFIXES else sorted({len(p) for p in prefixes}, reverse=True)
    stripped = True
    while stripped:
        stripped = False
        for length in lengths:
            if key[:length] in prefixes:  # the longest place name at the start decides
                if len(key) > length:
                    key = key[length:]
                    stripped = True
                break
    return key
