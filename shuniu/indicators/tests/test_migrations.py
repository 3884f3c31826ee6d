"""Migration 0002 moves the coverage trend's rows and its state into the general tables, and back."""

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

DAY = date(1999, 12, 31)  # a day no other test stores (a session's data may be there too)
OLD, NEW = [("indicators", "0001_initial")], [("indicators", "0002_stored_figures")]


def district(apps, code: str) -> int:
    """A district of the test's own (a transactional test before this one may have emptied the areas table)."""
    area, _created = apps.get_model("areas", "Area").objects.get_or_create(
        code=code, defaults={"name": f"测试区{code}", "level": "district", "kind": "district", "path": f"/{code}/"}
    )
    return area.pk


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_the_trend_rows_and_state_move_into_the_general_tables_and_back():
    try:
        old = migrate(OLD)
        chaoyang, haidian = (district(old, code) for code in ("990101", "990102"))
        Point, State = old.get_model("indicators", "CoverageTrendPoint"), old.get_model("indicators", "TrendState")
        Point.objects.create(day=DAY, district_id=chaoyang, numerator=5, denominator=12)
        Point.objects.create(day=DAY, district_id=haidian, numerator=1, denominator=6)
        State.objects.update_or_create(  # going back made one from the fresh database's state
            pk=1, defaults={"stale_since": date(2013, 1, 1), "computed_until": date(2014, 12, 31)}
        )

        new = migrate(NEW)
        StoredFigure, IndicatorState = (
            new.get_model("indicators", "StoredFigure"),
            new.get_model("indicators", "IndicatorState"),
        )
        rows = {
            (r.indicator, r.day, r.area_id, r.numerator, r.denominator) for r in StoredFigure.objects.filter(day=DAY)
        }
        assert rows == {("hubs.coverage", DAY, chaoyang, 5, 12), ("hubs.coverage", DAY, haidian, 1, 6)}
        state = IndicatorState.objects.get(indicator="hubs.coverage")
        assert (state.stale_since, state.filled_until) == (date(2013, 1, 1), date(2014, 12, 31))

        old = migrate(OLD)
        points = old.get_model("indicators", "CoverageTrendPoint").objects.filter(day=DAY)
        assert {(p.district_id, p.numerator, p.denominator) for p in points} == {(chaoyang, 5, 12), (haidian, 1, 6)}
        assert old.get_model("indicators", "TrendState").objects.get(pk=1).stale_since == date(2013, 1, 1)
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
