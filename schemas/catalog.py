"""The catalog: every table, in the order the pack lists them, checked once at import."""

from __future__ import annotations

from schemas.table import Table
from schemas.tables.accounts import ACCOUNT_MASTER, BUSINESS_CONTEXT, PEOPLE_TEAM
from schemas.tables.automation import ALERTS, AUTOMATION_RUNS
from schemas.tables.engagement import ACTIVITIES_TASKS, ENGAGEMENT_LOG, RISK_REGISTER, SUCCESS_PLAN_TRACKER
from schemas.tables.guides import ACCOUNT_HEALTH_HISTORY, METRIC_HISTORY, QUICK_START_GUIDE, view_templates
from schemas.tables.platform import API_PORTFOLIO, PLATFORM_CAPABILITIES, PLATFORM_HEALTH_METRICS
from schemas.tables.strategy import INITIATIVES, STAKEHOLDER_OUTCOMES, STRATEGIC_OBJECTIVES, VALUE_STREAMS


class UnknownTable(KeyError):
    """No table of that name in the catalog."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name

    def __str__(self) -> str:
        return f'Table "{self.name}" does not exist'


_DATA = (
    ACCOUNT_MASTER,
    PEOPLE_TEAM,
    BUSINESS_CONTEXT,
    STRATEGIC_OBJECTIVES,
    INITIATIVES,
    VALUE_STREAMS,
    STAKEHOLDER_OUTCOMES,
    PLATFORM_CAPABILITIES,
    API_PORTFOLIO,
    PLATFORM_HEALTH_METRICS,
    RISK_REGISTER,
    ENGAGEMENT_LOG,
    SUCCESS_PLAN_TRACKER,
    ACTIVITIES_TASKS,
)
#: Dated health and metric values: they feed the 30-day trends, and sync read-only so a doc can chart them.
HISTORY_TABLES: tuple[Table, ...] = (ACCOUNT_HEALTH_HISTORY, METRIC_HISTORY)
_NAMES = tuple(t.name for t in _DATA) + ("ViewTemplates", "QuickStartGuide") + tuple(t.name for t in HISTORY_TABLES)

#: The 18 sync tables: the original pack's 16, in its order, then the two history tables.
SYNC_TABLES: tuple[Table, ...] = _DATA + (view_templates(_NAMES), QUICK_START_GUIDE) + HISTORY_TABLES
#: Stored collections the automations write, not synced: the alerts they raised and the log of their runs.
AUTOMATION_TABLES: tuple[Table, ...] = (ALERTS, AUTOMATION_RUNS)
ALL_TABLES: tuple[Table, ...] = SYNC_TABLES + AUTOMATION_TABLES
#: Tables that ship with the product rather than with the sample accounts.
GUIDE_TABLES = ("ViewTemplates", "QuickStartGuide")

TABLES: dict[str, Table] = {t.name: t for t in ALL_TABLES}


def get_table(name: str) -> Table:
    try:
        return TABLES[name]
    except KeyError:
        raise UnknownTable(name) from None


def find_synced(name: str) -> Table | None:
    """The synced table called `name` (served and synced to Coda), or None: the lookup of every URL
    that names a table."""
    table = TABLES.get(name)
    return table if table is not None and table.synced else None


def referrers(target: str) -> list[tuple[Table, str]]:
    """Every stored (table, field) whose references point at `target`."""
    return [(t, f.key) for t in ALL_TABLES for f in t.stored_fields if f.ref == target]


def _check() -> None:
    """Catch catalog mistakes at import time rather than in production."""
    prefixes = [t.prefix for t in ALL_TABLES]
    if len(set(prefixes)) != len(prefixes):
        raise ValueError("two tables share an id prefix")
    identities = [t.identity for t in ALL_TABLES]
    if len(set(identities)) != len(identities):
        raise ValueError("two tables share an identity")
    for table in ALL_TABLES:
        for f in table.fields:
            if f.ref and f.ref not in TABLES:
                raise ValueError(f"{table.name}.{f.key}: unknown target {f.ref!r}")
            if f.ref and not TABLES[f.ref].synced and table.synced:
                raise ValueError(f"{table.name}.{f.key}: a synced table cannot reference {f.ref}")
            for source_table, source_key in f.inverse_of:
                source = TABLES[source_table].by_key.get(source_key)
                if source is None or source.ref != table.name or source.derived:
                    raise ValueError(f"{table.name}.{f.key}: bad inverse source {source_table}.{source_key}")
                if source_table != f.ref:
                    raise ValueError(f"{table.name}.{f.key}: inverse sources must live in {f.ref}")


_check()
