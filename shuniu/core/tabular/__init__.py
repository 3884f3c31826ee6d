"""Reading and writing spreadsheets (xlsx, xls, ods, csv) for the importer and the exports."""

from .readers import *  # noqa: F403
from .writers import Sheet, write_csv, write_xlsx  # noqa: F401
