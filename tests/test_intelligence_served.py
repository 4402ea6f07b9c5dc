"""The served intelligence follows from the rows: recomputed here without `formulas/`."""

from __future__ import annotations

import datetime as dt
from statistics import mean

import orjson
import pytest

from tests.helpers import walk

TODAY = dt.date(2026, 11, 20)


def raw_rows(path, table):
    return list(orjson.loads(path.read_bytes())[table].values())


def independent_health(path, account_id):
    """Seed 001's definitions and design §3, written out again from scratch."""
    metric_score = {}
    for m in raw_rows(path, "PlatformHealthMetrics"):
        if m["account"] != account_id or m["metric_category"] not in ("Performance", "Reliability", "Security"):
            continue
        cur, tgt, warn = m["current_value"], m["target_value"], m["threshold_warning"]
        if m["trend_is_good"] is False:  # lower is better: mirror the comparisons
            cur, tgt, warn = -cur, -tgt, -warn
            on_track = cur >= tgt * 1.05  # -(x) >= -(t*1.05)  <=>  x <= t*1.05
        else:
            on_track = cur >= tgt * 0.95
        metric_score[m["metric_id"]] = 100 if on_track else 70 if cur >= warn else 30
    pth = mean(metric_score.values()) if metric_score else None

    achievements = []
    for o in raw_rows(path, "StakeholderOutcomes"):
        if o["account"] != account_id or o["current_value"] is None:
            continue
        span = o["target_value"] - o["baseline_value"]
        if span:
            achievements.append(min(100, max(0, (o["current_value"] - o["baseline_value"]) / span * 100)))
    bvr = mean(achievements) if achievements else None

    window = [
        e["relationship_depth_score"]
        for e in raw_rows(path, "EngagementLog")
        if e["account"] == account_id
        and 0 <= (TODAY - dt.date.fromisoformat(e["engagement_date"])).days <= 90
        and e["relationship_depth_score"] is not None
    ]
    se = mean(window) * 10 if window else None

    statuses = [o["status"] for o in raw_rows(path, "StrategicObjectives") if o["account"] == account_id]
    sa = 100 * sum(s in ("On Track", "Achieved") for s in statuses) / len(statuses) if statuses else None

    parts = [(0.35, pth), (0.30, bvr), (0.20, se), (0.15, sa)]
    present = [(w, min(100, max(0, s))) for w, s in parts if s is not None]
    return sum(w * s for w, s in present) / sum(w for w, _ in present) if present else None


@pytest.fixture(scope="module")
def accounts(ro_client):
    return {a["account_name"]: a for a in walk(ro_client, "AccountMaster", 1000)}


def test_served_health_equals_an_independent_recomputation(accounts, seeded_file):
    for account in accounts.values():
        expected = independent_health(seeded_file, account["account_id"])
        assert account["health_score"] == pytest.approx(round(expected, 1), abs=0.051), account["account_name"]


def test_every_account_shows_health_trend_risk_and_cadence(accounts):
    for account in accounts.values():
        assert isinstance(account["health_score"], float)
        assert isinstance(account["health_score_trend_30d"], float)
        assert account["renewal_risk_level"] in ("Critical", "At Risk", "Attention Needed", "Healthy")
        assert account["engagement_cadence_status"] in ("On Track", "Due Soon", "Overdue")


def test_the_story_of_the_seed(accounts):
    health = {name: a["health_score"] for name, a in accounts.items()}
    assert min(health, key=health.get) == "HealthTech Solutions"
    assert 80 <= health["Acme Financial Services"] <= 85
    assert 85 <= health["Nordic Logistics Group"] <= 90
    assert 60 <= health["HealthTech Solutions"] < 70
    assert 72 <= health["Gard AS"] < 80
    assert accounts["HealthTech Solutions"]["renewal_risk_level"] == "At Risk"
    assert accounts["HealthTech Solutions"]["health_score_change_flag"] == "🔴 Declining"
    assert accounts["Nordic Logistics Group"]["health_score_change_flag"] == "🟢 Improving"
    assert accounts["Gard AS"]["renewal_risk_level"] == "Attention Needed"
    assert accounts["HealthTech Solutions"]["engagement_cadence_status"] == "Overdue"


def test_people_rollups_follow_assigned_accounts(ro_client, accounts):
    people = {p["full_name"]: p for p in walk(ro_client, "PeopleTeam", 1000)}
    james = people["James Okafor"]
    assert james["account_count"] == 1
    assert james["total_arr_managed"] == 350_000
    assert james["avg_health_score"] == accounts["HealthTech Solutions"]["health_score"]
    sarah = people["Sarah Chen"]
    mine = [a for a in accounts.values() if a["customer_success_manager"]["full_name"] == "Sarah Chen"]
    assert sarah["total_arr_managed"] == sum(a["arr"] for a in mine)


def test_workload_columns_hand_checked_on_the_seed(ro_client, accounts):
    """HealthTech (ARR 350,000) is the one account At Risk; Nordic renews in 72 days; open tasks past due
    on 2026-11-20: TSK-00001, TSK-00007 and TSK-00011 (Marcus Johnson), TSK-00006 (James Okafor), TSK-00012
    (Sarah Chen)."""
    assert accounts["HealthTech Solutions"]["renewal_risk_level"] == "At Risk"
    assert accounts["Nordic Logistics Group"]["days_to_renewal"] == 72
    people = {p["full_name"]: p for p in walk(ro_client, "PeopleTeam", 1000)}
    workload = {
        name: (p["at_risk_accounts"], p["at_risk_arr"], p["overdue_tasks"], p["renewals_next_90_days"])
        for name, p in people.items()
    }
    assert workload == {
        "Sarah Chen": (0, 0, 1, 1),  # CSM of Acme, Nordic, Gard: none at risk, Nordic renewing
        "Marcus Johnson": (1, 350_000, 3, 1),  # SA of all four
        "Lisa Martinez": (1, 350_000, 0, 1),  # AE of all four
        "David Nguyen": (1, 350_000, 0, 1),  # executive sponsor of all four (HealthTech's since ENG-00014)
        "James Okafor": (1, 350_000, 1, 0),  # CSM of HealthTech only
    }


def test_churned_accounts_are_not_workload(client, store):
    with store.transaction() as tx:
        tx.update("AccountMaster", "ACC-00003", {"account_status": "Churned"})
    james = next(p for p in walk(client, "PeopleTeam", 1000) if p["full_name"] == "James Okafor")
    assert (james["account_count"], james["at_risk_accounts"], james["at_risk_arr"]) == (1, 0, 0)
    summary = client.get("/v1/formulas/GetPortfolioSummary?csmName=James%20Okafor").json["data"]
    assert (summary["accounts"], summary["at_risk_arr"]) == (0, 0)  # the two agree


def test_overdue_tasks_count_only_open_ones_the_person_owns(client, store):
    with store.transaction() as tx:
        tx.update("ActivitiesTasks", "TSK-00007", {"status": "Done", "completed_date": "2026-11-19"})
        tx.update("ActivitiesTasks", "TSK-00002", {"due_date": "2026-11-19"})  # Sarah's, now past due
    people = {p["full_name"]: p for p in walk(client, "PeopleTeam", 1000)}
    assert (people["Marcus Johnson"]["overdue_tasks"], people["Sarah Chen"]["overdue_tasks"]) == (2, 2)


def test_derived_columns_are_read_only_columns_of_each_row(ro_client):
    healthtech_risks = [r for r in walk(ro_client, "RiskRegister", 1000) if r["account"]["account_id"] == "ACC-00003"]
    assert any(r["risk_level"] == "High" and r["status"] == "Open" for r in healthtech_risks)
    initiatives = walk(ro_client, "Initiatives", 1000)
    migration = next(i for i in initiatives if i["initiative_name"] == "HL7 Interface Migration")
    assert migration["days_overdue"] == 51 and migration["on_time_flag"] == "🔴 Severely Delayed"
    urgent = [m["metric_name"] for m in walk(ro_client, "PlatformHealthMetrics", 1000) if m["alert_status"]]
    assert "Failed HL7 Messages per Day" in urgent


def test_a_change_to_the_rows_moves_the_health(client, store):
    before = client.get("/v1/tables/AccountMaster/rows/ACC-00003").json["row"]["health_score"]
    with store.transaction() as tx:
        tx.update("PlatformHealthMetrics", "MET-00010", {"current_value": 40})  # failed messages back on target
    after = client.get("/v1/tables/AccountMaster/rows/ACC-00003").json["row"]
    # platform technical health goes from (70 + 30 + 100) / 3 to (70 + 100 + 100) / 3: +23.3 x 0.35
    assert after["platform_technical_health"] == 90.0
    assert after["health_score"] == pytest.approx(before + 0.35 * 70 / 3, abs=0.1)
