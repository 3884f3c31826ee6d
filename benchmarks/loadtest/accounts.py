"""The load benchmark's users, and for each a sample of what it may open, written to a JSON file the locust users
read. Run by `benchmarks/load` with the production settings (the server's secret key, so the API tokens made here
are the server's):

    python -m benchmarks.loadtest.accounts benchmarks/out/load-accounts.json

Users are created and given their roles with the project's own services (`accounts.services.user_create`,
`role_assign`), as `shuniu user create` and the demo do; nothing is inserted by hand. Running it again changes
nothing but the API tokens: each run revokes the benchmark's earlier tokens and issues one new token per user
(`accounts.tokens`), since a token's text exists only when it is made.

The roles: 市级分析员 (city-analyst) stands for the city office. 市级管理员 (city-admin) reads the same pages but may
unmask ID numbers, so production asks it for a second factor at sign-in, which a load generator cannot give without
holding a TOTP secret; the analyst signs in with a password alone. The district and street offices are
district-office and street-office, one account per district and one per district's busiest street; hub staff are
hub-staff of the hubs with the most links today, of each level. The administrators (two factors, no business data)
are not part of the mix.
"""

import json
import random
import sys
import zlib
from collections import Counter
from pathlib import Path

#: the role each kind of benchmark user holds (accounts.Role.slug)
ROLES = {"city": "city-analyst", "district": "district-office", "street": "street-office", "hub": "hub-staff"}
CITY_ACCOUNTS = 8
HUBS_PER_LEVEL = 4
PASSWORD = "Shuniu-Bench-2026"  # the benchmark's users only, on the benchmark's database; meets the password rules
TOKEN_NAME = "负载测试"
SAMPLE_ORGANIZATIONS = 200
SAMPLE_HUBS = 60
SAMPLE_AREAS = 30


def _account(*, username, kind, area=None, organization=None):
    """The user `username` with the role of `kind` in its scope: created, or left as it is when it exists (its
    password set back to PASSWORD if someone changed it, and the role assigned if it went missing)."""
    from django.contrib.auth import get_user_model

    from shuniu.accounts.models import Role, RoleAssignment
    from shuniu.accounts.services import role_assign, user_create

    role = Role.objects.get(slug=ROLES[kind])
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        return user_create(username=username, password=PASSWORD, role=role, area=area, organization=organization)
    if not user.is_active or not user.check_password(PASSWORD):
        user.is_active = True
        user.set_password(PASSWORD)
        user.save()
    if not RoleAssignment.objects.filter(user=user, role=role, area=area, organization=organization).exists():
        role_assign(user=user, role=role, area=area, organization=organization)
    return user


def _scopes():
    """(username, kind, area, organization) of every benchmark user."""
    from django.db.models import Count
    from django.utils import timezone

    from shuniu.areas.models import Area
    from shuniu.hubs.choices import HubLevel
    from shuniu.hubs.models import Hub, Link
    from shuniu.organizations.models import Organization

    scopes = [(f"load-city-{n:02d}", "city", None, None) for n in range(1, CITY_ACCOUNTS + 1)]
    districts = list(Area.objects.districts().order_by("code"))
    scopes += [(f"load-district-{n:02d}", "district", d, None) for n, d in enumerate(districts, start=1)]
    busiest = {}  # district pk -> its street with the most organizations
    counts = Organization.objects.exclude(street=None).values("district", "street").annotate(n=Count("pk"))
    for row in sorted(counts, key=lambda row: -row["n"]):
        busiest.setdefault(row["district"], row["street"])
    streets = Area.objects.in_bulk([busiest[d.pk] for d in districts if d.pk in busiest])
    scopes += [
        (f"load-street-{n:02d}", "street", streets[busiest[d.pk]], None)
        for n, d in enumerate((d for d in districts if d.pk in busiest), start=1)
    ]
    today = timezone.localdate()
    linked = Counter(dict(Link.objects.on(today).values_list("hub").annotate(n=Count("pk")).values_list("hub", "n")))
    hubs = list(Hub.objects.on(today).select_related("organization"))
    chosen = []
    for level in (HubLevel.CITY, HubLevel.DISTRICT, HubLevel.STREET):
        ranked = sorted((hub for hub in hubs if hub.level == level), key=lambda hub: (-linked[hub.pk], hub.pk))
        chosen += [hub for hub in ranked if hub.organization not in [c.organization for c in chosen]][:HUBS_PER_LEVEL]
    scopes += [(f"load-hub-{n:02d}", "hub", None, hub.organization) for n, hub in enumerate(chosen, start=1)]
    return scopes


def _sample(user, rng: random.Random) -> dict:
    """What this user may open, sampled through `restrict()` as the pages do: organizations, hubs, the districts
    and streets of its organizations, words of their names to search for."""
    from shuniu.hubs.models import Hub
    from shuniu.organizations.models import Organization

    visible = list(Organization.objects.restrict(user, "view").values_list("pk", "name", "uscc", "district", "street"))
    organizations = rng.sample(visible, min(SAMPLE_ORGANIZATIONS, len(visible)))
    hubs = list(Hub.objects.restrict(user, "view").values_list("pk", flat=True))
    districts = Counter(row[3] for row in visible if row[3])
    streets = Counter(row[4] for row in visible if row[4])
    terms = []
    for _pk, name, _uscc, _district, _street in organizations[:80]:
        length = rng.choice((2, 2, 3, 4))
        if len(name) > length:
            start = rng.randrange(len(name) - length + 1)
            terms.append(name[start : start + length])
    return {
        "organizations": [row[0] for row in organizations],
        "hubs": rng.sample(hubs, min(SAMPLE_HUBS, len(hubs))),
        "districts": [pk for pk, _n in districts.most_common(SAMPLE_AREAS)],
        "streets": [pk for pk, _n in streets.most_common(SAMPLE_AREAS)],
        "terms": terms,
        "uscc_prefixes": sorted({row[2][:8] for row in organizations if row[2]}),
    }


def _token(user) -> str:
    """A new API token for `user`, its earlier benchmark tokens revoked."""
    from shuniu.accounts.models import ApiToken
    from shuniu.accounts.tokens import api_token_create, api_token_revoke

    for token in ApiToken.objects.filter(user=user, name=TOKEN_NAME, revoked_at=None):
        api_token_revoke(token=token)
    return api_token_create(user=user, name=TOKEN_NAME, days=30).text


def accounts_build() -> dict:
    """Every benchmark user (created if missing), with its token and sample, and the lists every user shares."""
    from shuniu.hubs.models import System
    from shuniu.organizations.models import Field

    accounts = {kind: [] for kind in ROLES}
    for username, kind, area, organization in _scopes():
        user = _account(username=username, kind=kind, area=area, organization=organization)
        rng = random.Random(zlib.crc32(username.encode()))
        accounts[kind].append(
            {
                "username": username,
                "password": PASSWORD,
                "token": _token(user),
                "scope": str(area or organization or "全市"),
                **_sample(user, rng),
            }
        )
    return {
        "accounts": accounts,
        "fields": list(Field.objects.values_list("pk", flat=True)),
        "systems": list(System.objects.values_list("pk", flat=True)),
    }


def main(argv: list[str]) -> None:
    import django

    django.setup()
    output = Path(argv[0] if argv else "benchmarks/out/load-accounts.json")
    data = accounts_build()
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(data, ensure_ascii=False, indent=1))
    counts = "，".join(f"{kind} {len(rows)}" for kind, rows in data["accounts"].items())
    print(f"基准测试用户已就绪（{counts}），写入 {output}")


if __name__ == "__main__":
    main(sys.argv[1:])
