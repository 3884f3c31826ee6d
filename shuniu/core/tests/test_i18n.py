"""English through gettext: the compiled catalog is complete and current, and the language switch reaches the pages.

The source strings are Simplified Chinese; shuniu/locale/en/LC_MESSAGES/django.po holds the English and django.mo is
committed beside it, so no gettext tools are needed to run the project or these tests. After changing source strings:
``cd shuniu && django-admin makemessages -l en -i tests``, translate the new entries, then
``django-admin compilemessages``.
"""

import ast
import html
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from shuniu.organizations.choices import OrganizationKind
from shuniu.organizations.tests.factories import OrganizationFactory

PO_PATH = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")

PLACEHOLDER = re.compile(r"%\((\w+)\)[#0 +-]*\d*(?:\.\d+)?[sdifeEgGxXor]|%%")


# --- a small .po reader: enough for what makemessages writes, no dependency ---------------------------------------


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0


def read_po(path: Path) -> list[Entry]:
    """Every entry of a .po file, the header (msgid "") first; obsolete (#~) entries are left out."""
    entries, entry, target = [], None, None
    keyword = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")$')

    def finish():
        if entry is not None and (entry.msgid or entry.msgstr):
            entries.append(entry)

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#~"):
            continue
        if line.startswith("#,"):
            if entry is not None and target is not None and target[0] == "msgstr":
                finish()
                entry, target = None, None
            entry = entry or Entry(line=number)
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        if line.startswith("#"):
            continue
        match = keyword.match(line)
        if match:
            word, index, literal = match.groups()
            value = ast.literal_eval(literal)
            if word in ("msgctxt", "msgid") and target is not None and target[0] == "msgstr":
                finish()
                entry = None
            entry = entry or Entry(line=number)
            if word.startswith("msgstr"):
                target = ("msgstr", int(index or 0))
                entry.msgstr[target[1]] = value
            else:
                target = (word, None)
                setattr(entry, word, value)
            continue
        if line.startswith('"') and entry is not None and target is not None:
            value = ast.literal_eval(line)
            if target[0] == "msgstr":
                entry.msgstr[target[1]] += value
            else:
                setattr(entry, target[0], getattr(entry, target[0]) + value)
            continue
        raise AssertionError(f"{path}:{number}: cannot read {raw!r}")
    finish()
    return entries


@pytest.fixture(scope="module")
def catalog() -> list[Entry]:
    entries = read_po(PO_PATH)
    assert entries and entries[0].msgid == "", "the .po must start with its header"
    return entries


def placeholders(text: str) -> list[str]:
    return sorted(match.group(0) for match in PLACEHOLDER.finditer(text))


# --- the catalog -----------------------------------------------------------------------------------------------------


def test_catalog_files_are_where_django_looks():
    assert PO_PATH.is_file(), PO_PATH
    assert MO_PATH.is_file(), f"{MO_PATH} missing: run compilemessages and commit the .mo with the .po"


def test_header_declares_english_and_its_plural_rule(catalog):
    header, *_ = catalog
    assert "fuzzy" not in header.flags
    assert "Language: en\n" in header.msgstr[0]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);\n" in header.msgstr[0]
    assert "charset=UTF-8" in header.msgstr[0]


def test_every_entry_is_translated_and_none_is_fuzzy(catalog):
    entries = catalog[1:]
    assert len(entries) > 200  # the whole UI, not a sample
    untranslated = [e.msgid for e in entries if not all(s.strip() for s in e.msgstr.values())]
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    assert not untranslated, f"untranslated: {untranslated}"
    assert not fuzzy, f"fuzzy: {fuzzy}"
    plural = [e for e in entries if e.msgid_plural is not None]
    assert all(sorted(e.msgstr) == [0, 1] for e in plural), "plural entries need msgstr[0] and msgstr[1]"
    assert all(sorted(e.msgstr) == [0] for e in entries if e.msgid_plural is None)


def test_translations_are_english_and_keep_every_placeholder(catalog):
    for entry in catalog[1:]:
        for form, text in entry.msgstr.items():
            source = entry.msgid if form == 0 or entry.msgid_plural is None else entry.msgid_plural
            assert placeholders(text) == placeholders(source), (entry.msgid, text)
            assert not re.search(r"[\u3400-\u9fff]", text), f"Chinese left in the English of {entry.msgid!r}: {text!r}"


def test_compiled_catalog_matches_the_po(catalog):
    """Every .po entry comes back from the .mo through gettext: the .mo was compiled from this .po."""
    stale = []
    with translation.override("en"):
        for entry in catalog[1:]:
            if entry.msgid_plural is None:
                got = (
                    translation.pgettext(entry.msgctxt, entry.msgid)
                    if entry.msgctxt
                    else translation.gettext(entry.msgid)
                )
                if got != entry.msgstr[0]:
                    stale.append((entry.msgid, got, entry.msgstr[0]))
            else:
                for n, form in ((1, 0), (2, 1)):
                    got = translation.ngettext(entry.msgid, entry.msgid_plural, n)
                    if got != entry.msgstr[form]:
                        stale.append((entry.msgid, got, entry.msgstr[form]))
    assert not stale, f"django.mo is out of date with django.po (run compilemessages): {stale[:5]}"


def test_key_terms_use_the_agreed_english():
    with translation.override("en"):
        assert translation.gettext("覆盖驾驶舱") == "Coverage dashboard"
        assert translation.gettext("未覆盖工作清单") == "Uncovered worklist"
        assert translation.gettext("枢纽型社会组织") == "Hub organizations"
        assert translation.gettext("覆盖率") == "Coverage rate"
        assert translation.gettext("联系关系") == "Links"
        assert translation.gettext("条线") == "System"
        assert translation.gettext("领域") == "Field"
        assert translation.gettext("统一社会信用代码") == "Unified social credit code (USCC)"
        assert translation.gettext("街道/乡镇") == "Street/township"
        assert translation.gettext("区") == "District"
        assert str(OrganizationKind.PRIVATE_NON_ENTERPRISE.label) == "Private non-enterprise unit"
        assert translation.ngettext("共 %(counter)s 条", "共 %(counter)s 条", 1) % {"counter": 1} == "1 record"
        assert translation.ngettext("共 %(counter)s 条", "共 %(counter)s 条", 3) % {"counter": 3} == "3 records"
    with translation.override("zh-hans"):
        assert translation.gettext("覆盖驾驶舱") == "覆盖驾驶舱"


# --- the pages -------------------------------------------------------------------------------------------------------

NAV = {
    "覆盖驾驶舱": "Coverage dashboard",
    "社会组织": "Social organizations",
    "未覆盖工作清单": "Uncovered worklist",
    "枢纽型社会组织": "Hub organizations",
    "联系关系": "Links",
    "增长分析": "Growth analysis",
    "行政区划": "Administrative divisions",
    "退出登录": "Log out",
    "北京市枢纽型社会组织工作信息系统": "Beijing Hub Organization Work Information System",
}
DASHBOARD = {
    "枢纽型社会组织覆盖驾驶舱": "Hub organization coverage dashboard",
    "统计日期": "Reporting date",
    "各区覆盖率": "Coverage rate by district",
    "各区覆盖情况": "Coverage by district",
    "各条线覆盖的社会组织": "Social organizations covered by each system",
    "按组织类型": "By organization type",
    "增长与贡献分析": "Growth and contribution analysis",
    "市级枢纽": "City-level hubs",
    "区级枢纽覆盖": "District-level hub coverage",
    "当日处于认定有效期": "Recognition in effect on the day",
    "社会团体": "Social group",  # a choice label, translated lazily
}
ORGANIZATION_LIST = {
    "筛选": "Filter",
    "清除": "Clear",
    "所属街道/乡镇": "Street/township",
    "统一社会信用代码前缀": "USCC prefix",
    "已覆盖于": "Covered on",
    "共 2 条": "2 records",
    "社会团体": "Social group",
}


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return html.unescape(response.content.decode())


def text_node(text: str, content: str) -> bool:
    """Whether text is a whole text node or attribute value of the page (data such as system names may contain it)."""
    return re.search(rf"""[>"]\s*{re.escape(text)}\s*(?:→\s*)?[<"]""", content) is not None


def switch_language(client, code: str, next_url: str = "/"):
    response = client.post(reverse("set_language"), {"language": code, "next": next_url})
    assert response.status_code == 302 and response["Location"] == next_url
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == code


@pytest.fixture
def organizations(db):
    return [OrganizationFactory(), OrganizationFactory(kind=OrganizationKind.FOUNDATION)]


@pytest.mark.django_db
def test_default_language_is_chinese(admin_client, organizations):
    dashboard = page(admin_client, "/")
    for chinese, english in {**NAV, **DASHBOARD}.items():
        assert text_node(chinese, dashboard), chinese  # so its absence in English means something
        assert english not in dashboard, english
    assert '<html lang="zh-hans">' in dashboard
    listing = page(admin_client, "/organizations/")
    for chinese, english in ORGANIZATION_LIST.items():
        assert text_node(chinese, listing), chinese
        assert english not in listing, english


@pytest.mark.django_db
def test_switching_to_english_translates_the_dashboard_and_the_organization_list(admin_client, organizations):
    switch_language(admin_client, "en")
    dashboard = page(admin_client, "/")
    assert '<html lang="en">' in dashboard
    for chinese, english in {**NAV, **DASHBOARD}.items():
        assert english in dashboard, english
        assert not text_node(chinese, dashboard), chinese
    listing = page(admin_client, "/organizations/")
    for chinese, english in {**NAV, **ORGANIZATION_LIST}.items():
        assert english in listing, english
        assert not text_node(chinese, listing), chinese
    assert "<title>Social organizations · Hub</title>" in listing


@pytest.mark.django_db
def test_english_reaches_the_other_pages(admin_client, organizations):
    switch_language(admin_client, "en")
    worklist = page(admin_client, "/organizations/uncovered/")
    assert "Uncovered worklist" in worklist and "Suggested hub" in worklist
    assert "but had no valid link with any hub organization" in worklist
    growth = page(admin_client, reverse("indicators:coverage_growth"))
    # {% translate %} doubles % in the msgid; the rendered English must show single percent signs
    assert "10,965 ÷ 11,977 = 91.55%, whereas" in growth and "%%" not in growth
    assert "Share of increase" in growth and not text_node("占增量", growth)
    areas = page(admin_client, reverse("areas:area_list"))
    assert "Beijing's 16 districts and their streets and townships" in areas


@pytest.mark.django_db
def test_switching_back_restores_chinese(admin_client, organizations):
    switch_language(admin_client, "en")
    assert "Coverage dashboard" in page(admin_client, "/")
    switch_language(admin_client, "zh-hans")
    dashboard = page(admin_client, "/")
    assert "覆盖驾驶舱" in dashboard and "Coverage dashboard" not in dashboard


@pytest.mark.django_db
def test_model_validation_messages_follow_the_language(organizations):
    organization = organizations[0]
    organization.uscc = "51100000500000024"
    with translation.override("en"):
        with pytest.raises(ValidationError) as raised:
            organization.full_clean()
    assert raised.value.message_dict["uscc"] == ["A unified social credit code has 18 characters; this one has 17."]
