"""Compute the derived columns of every table, once per data version.

Two parts:

- `derive_core` runs eagerly, in one pass per table with rows grouped by
  account (never accounts x rows): the platform metrics, every AccountMaster
  column (health and its components, trend, renewal risk, cadence) and the
  PeopleTeam rollups -- everything that aggregates other rows.  Inverse links
  are computed per table the first time that table needs them.
- `derived_row` gives one row's columns: its core values plus those computed
  from the row alone (maturity gaps, SLA compliance, ROI, risk scores, ...).
  The snapshot calls it the first time a row is served and keeps the result,
  so each row is still computed once per data version, but a change to the
  store is visible after the core alone, not after all 50,000 rows.

`derive_all` does both for every row (tests and the CLI use it).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from formulas import accounts, engagement, links, platform, strategy
from formulas.history import account_history, metric_history
from schemas import ALL_TABLES, SYNC_TABLES, get_table

Rows = Mapping[str, list[dict]]
Derived = dict[str, dict[str, dict]]

# Every derived key, None by default -- except the inverse links, which are lists.
DERIVED_DEFAULTS: dict[str, dict] = {
    t.name: {f.key: [] if f.inverse_of else None for f in t.fields if f.derived} for t in ALL_TABLES
}


@dataclass
class Core:
    today: dt.date
    tables: Rows = field(default_factory=dict)
    derived: Derived = field(default_factory=dict)  # eager values: {table: {row id: {key: value}}}
    account_names: dict[str, str | None] = field(default_factory=dict)
    _inverse: dict[str, dict[str, dict]] = field(default_factory=dict)

    def inverse(self, table: str) -> dict[str, dict[str, list[str]]]:
        """A table's inverse links, computed the first time they are needed."""
        found = self._inverse.get(table)
        if found is None:
            found = links.inverse_for(table, self.tables) if table in links.INVERSE_TABLES else {}
            self._inverse[table] = found
        return found

    def of(self, table: str, row_id: str) -> dict:
        eager = self.derived.get(table, {}).get(row_id, {})
        inverse = self.inverse(table).get(row_id)
        return {**eager, **inverse} if inverse else eager


def _objective(row: dict, core: Core) -> dict:
    mine = core.inverse("StrategicObjectives").get(row["objective_id"], {})
    streams = core.inverse("ValueStreams")
    apis = {a for vs in mine.get("linked_value_streams", ()) for a in streams.get(vs, {}).get("supporting_apis", ())}
    return {
        "health_indicator": strategy.health_indicator(row.get("status")),
        "platform_impact_score": strategy.impact_score(
            len(mine.get("linked_capabilities", ())), len(apis), row.get("business_value_usd")
        ),
    }


# Columns computed from the row alone (plus the core), per table.
ROW_LOCAL: dict[str, Callable[[dict, Core], dict]] = {
    "PlatformCapabilities": lambda row, core: platform.capability(row),
    "APIPortfolio": lambda row, core: platform.api(row),
    "ValueStreams": lambda row, core: strategy.value_stream(row),
    "Initiatives": lambda row, core: strategy.initiative(row, core.today),
    "StakeholderOutcomes": lambda row, core: strategy.outcome(row),
    "RiskRegister": lambda row, core: engagement.risk(row),
    "ActivitiesTasks": lambda row, core: engagement.task(row, core.today),
    "SuccessPlanTracker": lambda row, core: engagement.success_plan(row, core.today),
    "StrategicObjectives": _objective,
    "BusinessContext": lambda row, core: {
        "context_name": links.context_name(core.account_names.get(row.get("account")))
    },
    "EngagementLog": lambda row, core: {
        "engagement_title": links.engagement_title(row.get("engagement_type"), row.get("engagement_date"))
    },
}


def _by_account(rows: list[dict]) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        grouped[row.get("account")].append(row)
    return grouped


def derive_core(tables: Rows, today: dt.date) -> Core:
    core = Core(today=today, tables=tables)
    core.account_names = {a["account_id"]: a.get("account_name") for a in tables.get("AccountMaster", ())}

    metric_trends = metric_history(tables.get("MetricHistory", ()), today)
    metrics_by_account: dict[str, list[tuple[dict, dict]]] = defaultdict(list)
    metric_out = core.derived.setdefault("PlatformHealthMetrics", {})
    for row in tables.get("PlatformHealthMetrics", ()):
        values = platform.metric(row, metric_trends.trend_base(row["metric_id"]))
        metric_out[row["metric_id"]] = values
        metrics_by_account[row.get("account")].append((row, values))

    outcomes = _by_account(tables.get("StakeholderOutcomes", ()))
    engagements = _by_account(tables.get("EngagementLog", ()))
    objectives = _by_account(tables.get("StrategicObjectives", ()))
    health_trends = account_history(tables.get("AccountHealthHistory", ()), today)
    account_out = core.derived.setdefault("AccountMaster", {})
    account_rows: dict[str, tuple[dict, dict]] = {}
    for row in tables.get("AccountMaster", ()):
        account_id = row["account_id"]
        components = {
            "platform_technical_health": platform.platform_technical_health(metrics_by_account.get(account_id, [])),
            "business_value_realization": strategy.business_value_realization(outcomes.get(account_id, [])),
            "stakeholder_engagement": accounts.stakeholder_engagement(engagements.get(account_id, []), today),
            "strategic_alignment": strategy.strategic_alignment(objectives.get(account_id, [])),
        }
        values = accounts.account(
            row, components, health_trends.trend_base(account_id), engagements.get(account_id, []), today
        )
        account_out[account_id] = values
        account_rows[account_id] = (row, values)

    overdue: Counter[str] = Counter(
        task["owner"]
        for task in tables.get("ActivitiesTasks", ())
        if task.get("owner") and engagement.task(task, today)["is_overdue"]
    )
    people_out = core.derived.setdefault("PeopleTeam", {})
    assignments = core.inverse("PeopleTeam")
    for row in tables.get("PeopleTeam", ()):
        assigned = assignments.get(row["person_id"], {}).get("accounts_assigned", [])
        mine = [account_rows[a] for a in assigned if a in account_rows]
        people_out[row["person_id"]] = accounts.person(mine, overdue[row["person_id"]])
    return core


def derived_row(table: str, row: dict, core: Core) -> dict:
    """Every derived column of one row (None where the inputs do not allow a value)."""
    out = DERIVED_DEFAULTS[table].copy()
    out.update(core.of(table, row[get_table(table).id_key]))
    local = ROW_LOCAL.get(table)
    if local is not None:
        out.update(local(row, core))
    return out


def derive_all(tables: Rows, today: dt.date) -> Derived:
    """{table: {row_id: {derived_key: value}}} for every synced table and row."""
    core = derive_core(tables, today)
    return {
        t.name: {row[t.id_key]: derived_row(t.name, row, core) for row in tables.get(t.name, ())} for t in SYNC_TABLES
    }
