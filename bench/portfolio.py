"""Synthetic portfolios for benchmarks: N accounts with related rows in the seed's proportions.

Per account, as in the seed (4 accounts, 130 synced per-account rows): 1 business context, 3
objectives, 3 capabilities, 2 value streams, 3 APIs, 4 metrics, 2 initiatives, 2 risks,
3 outcomes, 5 engagements, 2 success plans, 3 tasks -- 33 rows -- plus a lighter history than
the seed's three months (6 weekly health snapshots, 4 values per metric), about 55 rows an
account in all: 1,000 accounts make ~55,000 rows, the design's scale point.  One person per 10
accounts.  Every row goes through the store's validated insert, so the portfolio is valid
against the catalog.  Deterministic for a given N.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from pathlib import Path

from schemas import get_table
from service.store import Transaction, dumps, empty_data

TODAY = dt.date(2026, 11, 20)
OPTIONS = {}


def _options(table: str, key: str) -> tuple[str, ...]:
    if (table, key) not in OPTIONS:
        OPTIONS[(table, key)] = get_table(table).field(key).options
    return OPTIONS[(table, key)]


def _day(offset: int) -> str:
    return (TODAY + dt.timedelta(days=offset)).isoformat()


class Ids:
    """Predicts the ids the store assigns (sequential per table, from 1)."""

    def __init__(self) -> None:
        self.next: dict[str, int] = {}

    def take(self, table: str) -> str:
        n = self.next.get(table, 1)
        self.next[table] = n + 1
        return get_table(table).make_id(n)


def build(n_accounts: int, *, progress=None) -> dict:
    """The store data (TinyDB format) of a portfolio of `n_accounts` accounts."""
    rng = random.Random(n_accounts)
    ids = Ids()
    rows: dict[str, list[tuple[dict, str]]] = {}

    def add(table: str, values: dict) -> str:
        row_id = ids.take(table)
        rows.setdefault(table, []).append((values, row_id))
        return row_id

    pick = rng.choice
    people = []
    roles = [("CSM", "Customer Success"), ("AE", "Sales"), ("SE", "Solutions Engineering"),
             ("Executive Sponsor", "Executive")]  # fmt: skip
    for p in range(max(4, n_accounts // 10)):
        role, dept = roles[p % 4]
        people.append(
            add("PeopleTeam", {
                "full_name": f"Person {p:05d}", "email": f"person{p:05d}@bench.example", "role": role,
                "department": dept, "region": pick(("EMEA", "Americas", "APAC")), "slack_user_id": f"U{p:08d}",
                "active_status": True,
            })
        )  # fmt: skip
    by_role = {r: people[i::4] for i, (r, _) in enumerate(roles)}

    for a in range(n_accounts):
        contract = pick(_options("AccountMaster", "contract_type"))
        renewal = rng.randint(-30, 400)
        account = add("AccountMaster", {
            "account_name": f"Account {a:05d}",
            "industry_vertical": pick(_options("AccountMaster", "industry_vertical")),
            "industry_sub_sector": "Synthetic", "contract_type": contract, "contract_start_date": _day(renewal - 730),
            "contract_end_date": _day(renewal), "renewal_date": _day(renewal),
            "arr": rng.randint(50, 2000) * 1000, "acv": rng.randint(50, 2000) * 1000,
            "customer_success_manager": pick(by_role["CSM"]), "account_executive": pick(by_role["AE"]),
            "solutions_architect": pick(by_role["SE"]), "executive_sponsor_vendor": pick(by_role["Executive Sponsor"]),
            "geography": pick(("EMEA", "Americas", "APAC")), "country": "Norway",
            "primary_contact_name": f"Contact {a}", "primary_contact_email": f"contact{a}@customer.example",
        })  # fmt: skip
        add("BusinessContext", {"account": account, "digital_maturity": "Transforming", "it_complexity_score": 5})
        objectives = [
            add(
                "StrategicObjectives",
                {
                    "account": account,
                    "objective_name": f"Objective {a}-{k}",
                    "quantified_goal": "Cut cycle time by half",
                    "platform_relevance": pick(_options("StrategicObjectives", "platform_relevance")),
                    "status": pick(_options("StrategicObjectives", "status")),
                    "progress_percent": rng.randint(0, 100),
                    "business_value_usd": rng.randint(1, 50) * 1_000_000,
                    "target_date": _day(rng.randint(-60, 300)),
                },
            )  # fmt: skip
            for k in range(3)
        ]
        capabilities = [
            add(
                "PlatformCapabilities",
                {
                    "account": account,
                    "capability_domain": pick(_options("PlatformCapabilities", "capability_domain")),
                    "capability_name": f"Capability {a}-{k}",
                    "current_maturity": pick(_options("PlatformCapabilities", "current_maturity")),
                    "target_maturity": "5-Optimizing",
                    "priority": "P1-High",
                    "linked_strategic_objectives": rng.sample(objectives, 2),
                },
            )  # fmt: skip
            for k in range(3)
        ]
        streams = [
            add(
                "ValueStreams",
                {
                    "account": account,
                    "value_stream_name": f"Stream {a}-{k}",
                    "business_process": "Order to cash",
                    "linked_strategic_objectives": [pick(objectives)],
                    "enabled_capabilities": rng.sample(capabilities, 2),
                    "annual_transaction_volume": rng.randint(1000, 10**6),
                    "cycle_time_baseline_hours": 48,
                    "cycle_time_current_hours": rng.randint(2, 48),
                    "cycle_time_target_hours": 4,
                    "cost_per_transaction_before_usd": 9.5,
                    "cost_per_transaction_after_usd": 2.5,
                    "revenue_impact_usd": rng.randint(0, 10**6),
                },
            )  # fmt: skip
            for k in range(2)
        ]
        apis = [
            add(
                "APIPortfolio",
                {
                    "account": account,
                    "api_name": f"API {a}-{k}",
                    "api_type": pick(_options("APIPortfolio", "api_type")),
                    "environment": pick(("Production", "Production", "Sandbox")),
                    "linked_value_streams": [pick(streams)],
                    "linked_strategic_objectives": [pick(objectives)],
                    "monthly_transactions": rng.randint(1000, 10**6),
                    "consuming_applications": rng.randint(1, 8),
                    "avg_response_time_ms": rng.randint(50, 900),
                    "sla_target_ms": 500,
                    "error_rate_percent": round(rng.random() * 2, 2),
                    "uptime_percent": round(99 + rng.random(), 2),
                    "revenue_attribution_usd": rng.randint(0, 3_000_000),
                },
            )  # fmt: skip
            for k in range(3)
        ]
        metrics = []
        for k in range(4):
            metric = add("PlatformHealthMetrics", {
                "account": account, "metric_category": ("Performance", "Reliability", "Security", "Adoption")[k],
                "metric_name": f"Metric {a}-{k}", "metric_type": "Technical", "unit": "%",
                "measurement_frequency": "Daily", "current_value": rng.randint(60, 100), "target_value": 95,
                "threshold_warning": 80, "threshold_critical": 70, "data_source": "Platform Analytics",
                "linked_capability": pick(capabilities),
            })  # fmt: skip
            metrics.append(metric)
        initiatives = [
            add(
                "Initiatives",
                {
                    "account": account,
                    "initiative_name": f"Initiative {a}-{k}",
                    "initiative_type": pick(_options("Initiatives", "initiative_type")),
                    "proposed_by": "CSM",
                    "priority": "P1-High",
                    "status": pick(_options("Initiatives", "status")),
                    "target_completion_date": _day(rng.randint(-90, 200)),
                    "investment_amount_usd": rng.randint(1, 50) * 10_000,
                    "expected_annual_benefit_usd": rng.randint(0, 100) * 10_000,
                    "linked_strategic_objectives": [pick(objectives)],
                    "linked_capabilities": [pick(capabilities)],
                    "owner_vendor": pick(people),
                },
            )  # fmt: skip
            for k in range(2)
        ]
        risks = [
            add(
                "RiskRegister",
                {
                    "account": account,
                    "risk_category": pick(_options("RiskRegister", "risk_category")),
                    "risk_title": f"Risk {a}-{k}",
                    "impact": pick(_options("RiskRegister", "impact")),
                    "probability": pick(_options("RiskRegister", "probability")),
                    "status": "Open",
                    "affected_capability": pick(capabilities),
                    "affected_apis": [pick(apis)],
                    "mitigation_initiative": pick(initiatives),
                    "mitigation_owner": pick(people),
                },
            )  # fmt: skip
            for k in range(2)
        ]
        for k in range(3):
            baseline = rng.randint(10, 50)
            add("StakeholderOutcomes", {
                "account": account, "stakeholder_type": "End User", "outcome_statement": f"As a user {a}-{k}, I win",
                "linked_strategic_objective": pick(objectives), "linked_value_stream": pick(streams),
                "linked_api_services": [pick(apis)], "baseline_value": baseline,
                "current_value": baseline + rng.randint(0, 60), "target_value": baseline + 50,
            })  # fmt: skip
        for _ in range(5):
            add("EngagementLog", {
                "account": account, "engagement_date": _day(-rng.randint(0, 200)),
                "engagement_type": pick(_options("EngagementLog", "engagement_type")), "sentiment": "Positive",
                "relationship_depth_score": rng.randint(3, 10), "attendees_vendor": [pick(people)],
            })  # fmt: skip
        for k in range(2):
            add("SuccessPlanTracker", {
                "account": account, "plan_name": f"Plan {a}-{k}", "plan_type": "Quarterly", "status": "Active",
                "period_start": _day(-30), "period_end": _day(60), "owner": pick(people),
                "linked_objectives": [pick(objectives)],
                "milestones": [{"name": "Kick-off", "status": "Completed"}, {"name": "Go-live", "status": "Pending"}],
            })  # fmt: skip
        for k in range(3):
            add("ActivitiesTasks", {
                "account": account, "task_title": f"Task {a}-{k}", "owner": pick(people),
                "due_date": _day(rng.randint(-20, 40)),
                "related_risk": pick(risks),
            })  # fmt: skip
        for w in range(6):
            add("AccountHealthHistory", {"account": account, "snapshot_date": _day(-7 * w - 2),
                                         "health_score": rng.randint(40, 95)})  # fmt: skip
        for metric in metrics:
            for w in range(4):
                add("MetricHistory", {"metric": metric, "value_date": _day(-10 * w - 5), "value": rng.randint(60, 100)})
        if progress and a % 500 == 0:
            progress(a)

    tx = Transaction(empty_data(), clock=lambda: "2026-11-20T00:00:00Z")
    order = ["PeopleTeam", "AccountMaster", "BusinessContext", "StrategicObjectives", "PlatformCapabilities",
             "ValueStreams", "APIPortfolio", "PlatformHealthMetrics", "Initiatives", "RiskRegister",
             "StakeholderOutcomes", "EngagementLog", "SuccessPlanTracker", "ActivitiesTasks",
             "AccountHealthHistory", "MetricHistory"]  # fmt: skip
    for table in order:
        tx.insert_many(table, rows.get(table, []))  # validated: raises on any invalid row
    return tx.data


def write(n_accounts: int, path: Path) -> Path:
    data = build(n_accounts)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(dumps(data))
    return path


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(f"bench/.cache/portfolio-{n}.json")
    print(write(n, out))
