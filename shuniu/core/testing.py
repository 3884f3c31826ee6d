"""Helpers for tests: valid USCCs for fixtures and factories."""

import itertools

from stdnum.cn import uscc as stdnum_uscc

from shuniu.organizations.choices import REGISTERED_KIND_CATEGORY, OrganizationKind

_serial = itertools.count(1)


def make_uscc(kind: str = OrganizationKind.SOCIAL_GROUP, division: str = "110105", serial: int | None = None) -> str:
    """A valid USCC for a civil-affairs kind (5 + category), or an enterprise-style one (9 1) for others."""
    category = REGISTERED_KIND_CATEGORY.get(kind)
    prefix = f"5{category}" if category else "13"
    serial = next(_serial) if serial is None else serial
    body = f"{prefix}{division}MA{serial:07d}"[:17]
    body = body.replace("I", "J")  # never produced, kept for safety
    return body + stdnum_uscc.calc_check_digit(body)
