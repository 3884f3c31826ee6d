"""A deterministic demo city: `build(scale=1, seed=2015)` fills an empty, migrated database (see `builder`).

An installed app (its `shuniu demo` command): the package imports no model until `build` is called."""


def build(*, scale: float = 1.0, seed: int = 2015, stdout=None):
    from .builder import build as _build

    return _build(scale=scale, seed=seed, stdout=stdout)


def __getattr__(name):
    if name == "DemoError":
        from .builder import DemoError

        return DemoError
    raise AttributeError(name)


__all__ = ["DemoError", "build"]
