from django.core.management.base import BaseCommand, CommandError

from shuniu.indicators import registry, services


class Command(BaseCommand):
    help = (
        "Store the trend days of every indicator that are stale or missing (what the background refresh after a write "
        "does); for a schedule, e.g. once on 1 January so that the year end just passed is stored."
    )

    def add_arguments(self, parser):
        parser.add_argument("--indicator", default=None, help="one indicator's key (default: all), e.g. hubs.coverage")
        parser.add_argument("--force", action="store_true", help="recompute every stored day")

    def handle(self, *args, indicator, force, **options):
        keys = [indicator] if indicator else list(registry.registry())
        unknown = [key for key in keys if key not in registry.registry()]
        if unknown:
            raise CommandError(f"没有指标「{unknown[0]}」。已登记的指标：{'、'.join(registry.registry())}。")
        for key in keys:
            days = services.refresh(key, force=force)
            self.stdout.write(f"{key}: {days} 天已更新")
