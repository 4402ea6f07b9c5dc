"""The catalog of CSM Cockpit: one declaration per table (see `schemas.catalog`)."""

from schemas.catalog import (
    ALL_TABLES,
    GUIDE_TABLES,
    HISTORY_TABLES,
    SYNC_TABLES,
    TABLES,
    UnknownTable,
    get_table,
    referrers,
)
from schemas.fields import Field
from schemas.table import Table

__all__ = [
    "ALL_TABLES",
    "GUIDE_TABLES",
    "HISTORY_TABLES",
    "SYNC_TABLES",
    "TABLES",
    "Field",
    "Table",
    "UnknownTable",
    "get_table",
    "referrers",
]
