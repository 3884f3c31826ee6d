"""An organizations workbook of the kind an office sends, for the import benchmark: Chinese headers and content,
mixed office formats, and a known share of bad rows.

    .venv/bin/python -m benchmarks.import_file [--rows 100000] [--bad-share 0.05] [--seed 20151201] [PATH]

Needs no database (only Django set up, as `shuniu.demo` imports models): districts and streets come from
`shuniu/areas/data/beijing_divisions.csv`, fields from `shuniu.organizations.reference`, and names, people,
addresses and codes from the demo city's generators (`shuniu.demo.plan.Planner` and `shuniu.demo.words`), driven
by one `random.Random(seed)`.

Good rows vary the way real files do: dates as 2015-12-01, 2015/12/1, 2015年12月1日 or real Excel date cells;
districts as 朝阳区, 北京市朝阳区 or 朝阳; streets with or without the 街道 suffix; kinds by their Chinese label;
a unified social credit code (USCC) with a correct check digit for the registered kinds (social groups, private
non-enterprise units, foundations), none for filed community organizations.

Bad rows (`bad_share` of the rows, the kinds in turn): a wrong USCC check digit, a USCC whose category does not
match the kind, an unknown district, a street of another district, an impossible date, an empty name, and the
USCC of an earlier (good) row again. Each bad row has exactly one problem; `check_file` finds them again.
"""

from __future__ import annotations

import argparse
import csv
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

SEED = 20151201
OUT_DIR = Path(__file__).resolve().parent / "out"
DIVISIONS_CSV = Path(__file__).resolve().parent.parent / "shuniu" / "areas" / "data" / "beijing_divisions.csv"

HEADERS = (
    "名称",
    "统一社会信用代码",
    "社会组织类型",
    "登记管理机关",
    "业务主管单位",
    "法定代表人",
    "成立登记日期",
    "住所",
    "所属区",
    "所属街道",
    "领域",
    "专职人员数",
    "备注",
)
NAME, USCC, KIND, AUTHORITY, SUPERVISOR, LEGAL, FOUNDED, ADDRESS, DISTRICT, STREET, FIELDS, STAFF, NOTE = range(13)

#: the kinds an office's register holds, by Chinese label (OrganizationKind's labels), and their shares
KIND_WEIGHTS = (
    ("social_group", "社会团体", 0.33),
    ("private_non_enterprise", "民办非企业单位", 0.37),
    ("foundation", "基金会", 0.03),
    ("community", "社区社会组织（备案）", 0.27),
)
KIND_LABEL = {kind: label for kind, label, _ in KIND_WEIGHTS}
REGISTERED = ("social_group", "private_non_enterprise", "foundation")
CATEGORY = {"social_group": "1", "private_non_enterprise": "2", "foundation": "3"}  # USCC position 2

BAD_KINDS = (
    "check_digit",  # USCC with a wrong check digit
    "kind_mismatch",  # USCC category digit of another registered kind (check digit correct)
    "unknown_district",  # a district that is not in Beijing (street left blank)
    "street_not_in_district",  # a street of another district
    "impossible_date",  # 2015-02-30 and the like, as text
    "empty_name",
    "duplicate_uscc",  # the USCC of an earlier good row of the same kind, under another name
)
NEEDS_USCC = {"check_digit", "kind_mismatch", "duplicate_uscc"}
NOT_BEIJING = ("浦东新区", "滨海新区", "南山区", "武侯区", "雄安新区")  # unknown districts
IMPOSSIBLE_DAYS = ((2, 30), (2, 31), (4, 31), (6, 31), (9, 31), (11, 31), (13, 1))  # (month, day)
DATE_STYLES = (("cell", 0.35), ("iso", 0.25), ("slash", 0.2), ("chinese", 0.2))


@dataclass
class Divisions:
    """Beijing's districts and streets from the division CSV the areas migration loads."""

    districts: list  # [(code, name)] in code order
    streets: list  # [(code, name, kind, district code)]

    @classmethod
    def load(cls, path: Path = DIVISIONS_CSV) -> Divisions:
        with open(path, encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        districts = [(r["code"], r["name"]) for r in rows if r["level"] == "district"]
        streets = [(r["code"], r["name"], r["kind"], r["parent_code"]) for r in rows if r["level"] == "street"]
        return cls(districts, streets)


@dataclass
class GeneratedFile:
    """What `write_organizations_xlsx` wrote: sheet rows are numbered as in Excel (header = row 1)."""

    path: Path
    rows: int
    seed: int
    bad_rows: dict = field(default_factory=dict)  # sheet row number -> bad kind
    kinds: Counter = field(default_factory=Counter)  # organization kind -> good rows
    date_styles: Counter = field(default_factory=Counter)
    seconds: float = 0.0

    @property
    def bad(self) -> int:
        return len(self.bad_rows)

    @property
    def good(self) -> int:
        return self.rows - self.bad

    @property
    def bad_by_kind(self) -> Counter:
        return Counter(self.bad_rows.values())

    def describe(self) -> str:
        kinds = ", ".join(f"{KIND_LABEL[k]} {n}" for k, n in sorted(self.kinds.items()))
        bad = ", ".join(f"{k} {n}" for k, n in sorted(self.bad_by_kind.items()))
        styles = ", ".join(f"{k} {n}" for k, n in sorted(self.date_styles.items()))
        size = self.path.stat().st_size / 1e6
        return (
            f"{self.path.name}: {self.rows} rows ({size:.1f} MB, written in {self.seconds:.1f}s, seed {self.seed}); "
            f"good {self.good} ({kinds}); bad {self.bad} ({bad}); dates: {styles}"
        )


def _planner(seed: int, divisions: Divisions):
    from shuniu.demo.plan import Planner
    from shuniu.hubs.reference import SYSTEMS
    from shuniu.organizations.reference import FIELDS

    return Planner(
        seed=seed,
        scale=1.0,
        districts=divisions.districts,
        streets=divisions.streets,
        fields=[code for code, _ in FIELDS],
        systems=[code for code, _ in SYSTEMS],
    )


def _district_text(rng: random.Random, name: str) -> str:
    roll = rng.random()
    if roll < 0.6:
        return name
    if roll < 0.8:
        return "北京市" + name
    return name[:-1]  # 朝阳区 -> 朝阳


def _street_text(rng: random.Random, name: str) -> str:
    if name.endswith("街道") and rng.random() < 0.4:
        return name[:-2]
    return name


def _date_text(style: str, day: date | tuple):
    year, month, d = (day.year, day.month, day.day) if isinstance(day, date) else day
    if style == "iso":
        return f"{year}-{month:02d}-{d:02d}"
    if style == "slash":
        return f"{year}/{month}/{d}"
    return f"{year}年{month}月{d}日"


def _pick(rng: random.Random, weighted):
    x, total = rng.random(), 0.0
    for item, weight in weighted:
        total += weight
        if x < total:
            return item
    return weighted[-1][0]


def write_organizations_xlsx(
    path, rows: int = 100_000, bad_share: float = 0.05, seed: int = SEED, divisions: Divisions | None = None
) -> GeneratedFile:
    """Write the workbook (xlsxwriter, constant memory) and return what it holds; the same seed, the same file."""
    import xlsxwriter

    from shuniu.demo import words as W
    from shuniu.organizations.reference import FIELDS as FIELD_NAMES

    t0 = time.perf_counter()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    divisions = divisions or Divisions.load()
    planner = _planner(seed, divisions)
    rng = planner.rng
    field_name = dict(FIELD_NAMES)
    district_name = dict(divisions.districts)
    street_names_of = {}
    for _, name, _, district in divisions.streets:
        street_names_of.setdefault(district, set()).add(name)
    street_count = Counter(name for _, name, _, _ in divisions.streets)

    n_bad = round(rows * bad_share)
    positions = sorted(rng.sample(range(rows), n_bad))
    bad_at = {pos: BAD_KINDS[n % len(BAD_KINDS)] for n, pos in enumerate(positions)}
    kinds = [(kind, weight) for kind, _, weight in KIND_WEIGHTS]
    registered_kinds = [(kind, weight) for kind, _, weight in KIND_WEIGHTS if kind in REGISTERED]
    earlier = {kind: [] for kind in REGISTERED}  # USCCs of good rows so far, for duplicates
    out = GeneratedFile(path=path, rows=rows, seed=seed)

    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet("社会组织")
    header = workbook.add_format({"bold": True})
    date_cell = workbook.add_format({"num_format": "yyyy-mm-dd"})
    widths = (34, 22, 18, 26, 28, 10, 14, 40, 12, 14, 20, 10, 16)
    for col, (title, width) in enumerate(zip(HEADERS, widths, strict=True)):
        sheet.set_column(col, col, width)
        sheet.write_string(0, col, title, header)

    for i in range(rows):
        bad = bad_at.get(i)
        if bad == "duplicate_uscc" and not any(earlier.values()):
            bad = bad_at[i] = "check_digit"  # nothing to duplicate yet
        kind = _pick(rng, registered_kinds if bad in NEEDS_USCC else kinds)
        if bad == "duplicate_uscc" and not earlier[kind]:
            kind = next(k for k in REGISTERED if earlier[k])
        row = [""] * len(HEADERS)

        if kind in REGISTERED:
            level = "city" if rng.random() < 0.3 else "district"
            district, street = planner.registered_place(level)
            if kind == "social_group":
                name, fields = planner.social_group_name(level, district)
            else:
                topic = planner.pick(W.PNE_SERVICES if kind == "private_non_enterprise" else W.FOUNDATION_TOPICS)
                name, fields = planner.registered_name(kind, level, district, topic), topic[1]
            founded = planner.day_between(date(1990, 1, 1), date(2025, 12, 31))
            division = "110000" if level == "city" else district
            uscc = planner.make_uscc(kind, division, founded)
            row[AUTHORITY] = planner.registered_scope(level, district)
            unit = W.FIELD_SUPERVISORS.get(fields[0], "民政局")
            scope = "北京市" if level == "city" else f"北京市{district_name[district]}"
            row[SUPERVISOR] = unit.format(scope=scope) if "{scope}" in unit else scope + unit
            staff = {"social_group": (0, 30), "private_non_enterprise": (3, 80), "foundation": (2, 20)}[kind]
            row[STAFF] = rng.randint(*staff) if rng.random() < 0.9 else ""
        else:
            street = planner.random_street()
            district = planner.street_info[street][2]
            rural = planner.street_info[street][1] in ("town", "township")
            ctype = planner.pick(W.COMMUNITY_TYPES + W.VILLAGE_TYPES if rural else W.COMMUNITY_TYPES)
            name, fields = planner.community_name(street, ctype), ctype[1]
            founded = planner.day_between(date(2005, 1, 1), date(2025, 12, 31))
            uscc = ""
            row[AUTHORITY] = planner.street_office(street)
            row[STAFF] = rng.randint(0, 5) if rng.random() < 0.3 else ""

        row[NAME] = name
        row[USCC] = uscc
        row[KIND] = KIND_LABEL[kind]
        row[LEGAL] = planner.person()
        row[ADDRESS] = planner.address(district, street)
        row[DISTRICT] = _district_text(rng, district_name[district])
        row[STREET] = _street_text(rng, planner.street_info[street][0])
        row[FIELDS] = "、".join(field_name[code] for code in dict.fromkeys(fields))
        style = _pick(rng, DATE_STYLES)
        row[FOUNDED] = founded if style == "cell" else _date_text(style, founded)
        if rng.random() < 0.04:
            row[NOTE] = f"{rng.randint(max(founded.year, 2010), 2025)}年完成换届"

        if bad == "check_digit":
            row[USCC] = uscc[:17] + rng.choice([c for c in "0123456789ABCDEFGHJKLMNPQRTUWXY" if c != uscc[17]])
        elif bad == "kind_mismatch":
            other = rng.choice([k for k in REGISTERED if k != kind])
            row[USCC] = planner.make_uscc(other, uscc[2:8], founded)
        elif bad == "unknown_district":
            row[DISTRICT], row[STREET] = rng.choice(NOT_BEIJING), ""
        elif bad == "street_not_in_district":
            own = street_names_of[district]
            others = [s for s in divisions.streets if s[3] != district and s[1] not in own and street_count[s[1]] == 1]
            row[STREET] = rng.choice(others)[1]
        elif bad == "impossible_date":
            month, day = rng.choice(IMPOSSIBLE_DAYS)
            style = rng.choice(("iso", "slash", "chinese"))
            row[FOUNDED] = _date_text(style, (founded.year, month, day))
        elif bad == "empty_name":
            row[NAME] = ""
        elif bad == "duplicate_uscc":
            row[USCC] = rng.choice(earlier[kind])

        if bad is None:
            out.kinds[kind] += 1
            if kind in REGISTERED:
                earlier[kind].append(uscc)
        else:
            out.bad_rows[i + 2] = bad
        out.date_styles[style] += 1
        _write_row(sheet, i + 1, row, date_cell)
    workbook.close()
    out.seconds = time.perf_counter() - t0
    return out


def _write_row(sheet, r: int, row: list, date_cell) -> None:
    for col, value in enumerate(row):
        if value == "":
            continue
        if isinstance(value, str):
            sheet.write_string(r, col, value)
        elif isinstance(value, date):
            sheet.write_datetime(r, col, value, date_cell)
        else:
            sheet.write_number(r, col, value)


# ---------------------------------------------------------------- reading the file back


def read_rows(path) -> list[list]:
    """All rows of the first sheet, header included, as python-calamine gives them."""
    from python_calamine import CalamineWorkbook

    return CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()


def _parse_day(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日"):
        try:
            return datetime.strptime(str(value).strip(), fmt).date()
        except ValueError:
            pass
    return None


def check_file(path, divisions: Divisions | None = None) -> dict:
    """The bad rows of the workbook as an independent reading finds them: {sheet row number: bad kind}.

    A check of the generator, not an importer: it knows only the problems the generator puts in."""
    from stdnum.cn import uscc as stdnum_uscc

    divisions = divisions or Divisions.load()
    district_by_name = {}
    for code, name in divisions.districts:
        for text in (name, "北京市" + name, name[:-1]):
            district_by_name[text] = code
    streets_of = {}
    for _, name, _, district in divisions.streets:
        names = streets_of.setdefault(district, set())
        names.add(name)
        if name.endswith("街道"):
            names.add(name[:-2])
    kind_by_label = {label: kind for kind, label, _ in KIND_WEIGHTS}
    rows = read_rows(path)
    if tuple(rows[0]) != HEADERS:
        raise ValueError(f"unexpected headers: {rows[0]}")
    seen, problems = set(), {}
    for number, row in enumerate(rows[1:], start=2):
        kind = kind_by_label[row[KIND]]
        uscc, district = str(row[USCC]), district_by_name.get(row[DISTRICT])
        problem = None
        if not str(row[NAME]).strip():
            problem = "empty_name"
        elif district is None:
            problem = "unknown_district"
        elif row[STREET] and row[STREET] not in streets_of[district]:
            problem = "street_not_in_district"
        elif _parse_day(row[FOUNDED]) is None:
            problem = "impossible_date"
        elif kind in REGISTERED:
            if not stdnum_uscc.is_valid(uscc):
                problem = "check_digit"
            elif uscc[:2] != "5" + CATEGORY[kind]:
                problem = "kind_mismatch"
            elif uscc in seen:
                problem = "duplicate_uscc"
            seen.add(uscc)
        if problem:
            problems[number] = problem
    return problems


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", nargs="?", help="default: benchmarks/out/organizations-<rows>.xlsx")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--bad-share", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--check", action="store_true", help="read the file back and compare the bad rows")
    args = parser.parse_args(argv)
    from .generate import setup_django

    setup_django()  # shuniu.demo imports models
    path = Path(args.path or OUT_DIR / f"organizations-{args.rows}.xlsx")
    generated = write_organizations_xlsx(path, rows=args.rows, bad_share=args.bad_share, seed=args.seed)
    print(generated.describe())
    if args.check:
        found = check_file(path)
        print(
            "check: " + ("the file holds exactly the generated bad rows" if found == generated.bad_rows else "DIFFERS")
        )


if __name__ == "__main__":
    main()
