import unicodedata

from django.core.management.base import BaseCommand
from django.utils import timezone

from shuniu.core.dates import as_of_argument
from shuniu.indicators import selectors


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    space = " " * max(0, width - _width(text))
    return space + text if right else text + space


class Command(BaseCommand):
    help = "Print coverage (numerator / denominator = rate) as of a date, city-wide or by a dimension."

    def add_arguments(self, parser):
        parser.add_argument(
            "--as-of", dest="as_of", type=as_of_argument, default=None, help="YYYY-MM-DD (default: today)"
        )
        parser.add_argument("--by", default="total", choices=("total", *selectors.DIMENSIONS))

    def handle(self, *args, as_of, by, **options):
        day = as_of or timezone.localdate()
        total = selectors.coverage_total(day=day, user=None)
        figures = [total] if by == "total" else selectors.coverage_by(dimension=by, day=day, user=None)
        headers = ("", "已覆盖", "社会组织数", "覆盖率")
        rows = [
            (f.label, f"{f.numerator:,}", f"{f.denominator:,}", f"{f.rate}%" if f.rate is not None else "—")
            for f in figures
        ]
        if by != "total":
            rows.append(("全市", f"{total.numerator:,}", f"{total.denominator:,}", f"{total.rate}%"))
        widths = [max(_width(row[i]) for row in [headers, *rows]) for i in range(4)]
        self.stdout.write(f"覆盖率 截至 {day}（{'全市' if by == 'total' else by}）")
        for row in [headers, *rows]:
            self.stdout.write("  ".join(_pad(cell, widths[i], right=i > 0) for i, cell in enumerate(row)))
