"""The catalog of CSM Cockpit: one declaration per table (see `schemas.catalog`)."""

from schemas.catalog import (
    ALL_TABLES,
    AUTOMATION_TABLES,
    GUIDE_TABLES,
    HISTORY_TABLES,
    SYNC_TABLES,
    TABLES,
    UnknownTable,
    find_synced,
    get_table,
    referrers,
)
from schemas.fields import Field
from schemas.table import Table

__all__ = [
    "ALL_TABLES",
    "AUTOMATION_TABLES",
    "GUIDE_TABLES",
    "HISTORY_TABLES",
    "SYNC_TABLES",
    "TABLES",
    "Field",
    "Table",
    "UnknownTable",
    "find_synced",
    "get_table",
    "referrers",
]
