"""The import framework: what a kind of import is made of (`base`: columns, rows, the definition and its `apply`),
how offices' cells are read (`normalize`) and how reference rows named in a cell are found (`lookups`).

Domain apps declare their kinds on it (`<app>/imports.py`, listed under `Module.imports`); the `imports` app runs them.
"""
