"""The coverage trend's rows (CoverageTrendPoint) and its one state row (TrendState pk=1) become rows of the general
per-indicator, per-area, per-day table (StoredFigure) and the indicator's fill state (IndicatorState), keyed
"hubs.coverage"."""

import django.db.models.deletion
from django.db import migrations, models

COVERAGE = "hubs.coverage"


def move(apps, schema_editor):
    Point, State = apps.get_model("indicators", "CoverageTrendPoint"), apps.get_model("indicators", "TrendState")
    StoredFigure, IndicatorState = (
        apps.get_model("indicators", "StoredFigure"),
        apps.get_model("indicators", "IndicatorState"),
    )
    StoredFigure.objects.bulk_create(
        (
            StoredFigure(
                indicator=COVERAGE,
                day=point.day,
                area_id=point.district_id,
                numerator=point.numerator,
                denominator=point.denominator,
            )
            for point in Point.objects.order_by("pk").iterator()
        ),
        batch_size=2000,
    )
    state = State.objects.filter(pk=1).first()
    if state is not None:
        IndicatorState.objects.create(
            indicator=COVERAGE, stale_since=state.stale_since, filled_until=state.computed_until
        )


def move_back(apps, schema_editor):
    Point, State = apps.get_model("indicators", "CoverageTrendPoint"), apps.get_model("indicators", "TrendState")
    StoredFigure, IndicatorState = (
        apps.get_model("indicators", "StoredFigure"),
        apps.get_model("indicators", "IndicatorState"),
    )
    Point.objects.bulk_create(
        (
            Point(day=row.day, district_id=row.area_id, numerator=row.numerator, denominator=row.denominator)
            for row in StoredFigure.objects.filter(indicator=COVERAGE).iterator()
        ),
        batch_size=2000,
    )
    state = IndicatorState.objects.filter(indicator=COVERAGE).first()
    if state is not None:
        State.objects.create(pk=1, stale_since=state.stale_since, computed_until=state.filled_until)


class Migration(migrations.Migration):
    dependencies = [
        ("areas", "0001_initial"),
        ("indicators", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="IndicatorState",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("indicator", models.CharField(max_length=60, unique=True, verbose_name="指标")),
                ("stale_since", models.DateField(blank=True, null=True, verbose_name="待更新起始日")),
                ("stale_at", models.DateTimeField(blank=True, null=True, verbose_name="标记待更新时间")),
                ("filled_until", models.DateField(blank=True, null=True, verbose_name="已存储至")),
            ],
            options={
                "verbose_name": "指标存储状态",
                "verbose_name_plural": "指标存储状态",
            },
        ),
        migrations.CreateModel(
            name="StoredFigure",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("indicator", models.CharField(max_length=60, verbose_name="指标")),
                ("day", models.DateField(verbose_name="日期")),
                ("numerator", models.PositiveIntegerField(verbose_name="分子")),
                ("denominator", models.PositiveIntegerField(verbose_name="分母")),
                (
                    "area",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="areas.area",
                        verbose_name="区域",
                    ),
                ),
            ],
            options={
                "verbose_name": "指标存储值",
                "verbose_name_plural": "指标存储值",
                "ordering": ("indicator", "day", "area__code"),
                "constraints": [
                    models.UniqueConstraint(fields=("indicator", "day", "area"), name="indicators_storedfigure_unique")
                ],
            },
        ),
        migrations.RunPython(move, move_back),
        migrations.DeleteModel(name="CoverageTrendPoint"),
        migrations.DeleteModel(name="TrendState"),
    ]
