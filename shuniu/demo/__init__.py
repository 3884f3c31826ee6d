"""A deterministic demo city: `build(scale=1, seed=2015)` fills an empty, migrated database (see `builder`)."""

from .builder import DemoError, build

__all__ = ["DemoError", "build"]
