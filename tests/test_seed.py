"""The committed seed: valid row by row, linked by id, and telling the briefs' story."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from schemas import ALL_TABLES, AUTOMATION_TABLES, GUIDE_TABLES, SYNC_TABLES, get_table
from schemas.validation import check_links, load_row, unique_form
from seed import SEED_FILE, initial_data, seed_data
from service.store import META, dumps

TODAY = dt.date(2026, 11, 20)
DATA = initial_data()
ROWS = {t.name: list(DATA[t.name].values()) for t in ALL_TABLES}
# The automations' alerts and run log start empty: a run fills them.
SEEDED = tuple(t for t in ALL_TABLES if t not in AUTOMATION_TABLES)
PER_ACCOUNT = [t for t in SYNC_TABLES if t.account_key]


def account_id(name: str) -> str:
    return next(a["account_id"] for a in ROWS["AccountMaster"] if a["account_name"] == name)


@pytest.mark.parametrize("table", SEEDED, ids=lambda t: t.name)
def test_every_seed_row_round_trips_through_its_schema(table):
    assert ROWS[table.name], f"{table.name} has no seed rows"
    for row in ROWS[table.name]:
        writable = {f.key: row[f.key] for f in table.writable_fields}
        assert load_row(table, writable) == writable, row[table.id_key]
        assert set(row) == {f.key for f in table.stored_fields}, row[table.id_key]


@pytest.mark.parametrize("table", SEEDED, ids=lambda t: t.name)
def test_ids_are_unique_well_formed_and_match_their_tinydb_keys(table):
    docs = DATA[table.name]
    ids = [row[table.id_key] for row in docs.values()]
    assert len(ids) == len(set(ids))
    for key, row in docs.items():
        assert table.id_number(row[table.id_key]) == int(key)
    assert DATA[META]["1"]["next_ids"][table.name] > max(int(k) for k in docs)


@pytest.mark.parametrize("table", ALL_TABLES, ids=lambda t: t.name)
def test_every_reference_resolves_and_unique_values_are_unique(table):
    def exists(target, row_id):
        return any(r[get_table(target).id_key] == row_id for r in ROWS[target])

    for row in ROWS[table.name]:
        others = [o for o in ROWS[table.name] if o is not row]

        def taken(key, value, others=others):
            return any(unique_form(o.get(key)) == value for o in others)

        assert check_links(table, row, exists, taken) == {}, row[table.id_key]


def test_seed_file_is_pretty_and_key_sorted():
    raw = SEED_FILE.read_bytes()
    assert raw == dumps(json.loads(raw))
    seed = seed_data()
    assert all(not seed[name] for name in GUIDE_TABLES), "the guides ship in views/, not in the seed"


def test_the_four_accounts_and_their_figures():
    accounts = {a["account_name"]: a for a in ROWS["AccountMaster"]}
    assert set(accounts) == {"Acme Financial Services", "Nordic Logistics Group", "HealthTech Solutions", "Gard AS"}
    assert accounts["Acme Financial Services"]["arr"] == 1_200_000
    assert accounts["Nordic Logistics Group"]["arr"] == 850_000
    assert accounts["HealthTech Solutions"]["arr"] == 350_000
    assert accounts["Gard AS"]["industry_vertical"] == "Maritime"
    for account in accounts.values():
        assert account["acv"] == account["arr"]


def test_renewals_fall_at_varied_distances_one_within_180_days():
    days = sorted((dt.date.fromisoformat(a["renewal_date"]) - TODAY).days for a in ROWS["AccountMaster"])
    assert len(set(days)) == 4
    assert days[0] < 180 and days[-1] > 300
    nordic = dt.date.fromisoformat(
        next(a for a in ROWS["AccountMaster"] if a["account_name"].startswith("Nordic"))["renewal_date"]
    )
    assert 45 <= (nordic - TODAY).days <= 75


@pytest.mark.parametrize("table", PER_ACCOUNT, ids=lambda t: t.name)
def test_every_account_has_rows_in_every_per_account_table(table):
    minimum = 1 if table.name == "BusinessContext" else 2
    for account in ROWS["AccountMaster"]:
        count = sum(1 for r in ROWS[table.name] if r[table.account_key] == account["account_id"])
        assert count >= minimum, (table.name, account["account_name"], count)
        if table.name == "BusinessContext":
            assert count == 1


def test_gard_carries_the_blueprint_pilot():
    gard = account_id("Gard AS")
    objectives = {o["objective_name"]: o for o in ROWS["StrategicObjectives"] if o["account"] == gard}
    geo = objectives["Manage Geopolitical Volatility"]
    assert (geo["strategic_pillar"], geo["business_value_usd"], geo["platform_relevance"], geo["status"]) == (
        "Risk Mitigation",
        50_000_000,
        "Critical Enabler",
        "In Progress",
    )
    assert geo["progress_percent"] == 75
    green = objectives["Lead Green Transition"]
    assert (green["strategic_pillar"], green["business_value_usd"], green["status"], green["progress_percent"]) == (
        "Innovation Velocity",
        25_000_000,
        "On Track",
        88,
    )
    war = next(v for v in ROWS["ValueStreams"] if v["value_stream_name"] == "War Risk Quoting")
    assert war["account"] == gard
    for key in (
        "integration_endpoints",
        "cycle_time_baseline_hours",
        "cycle_time_current_hours",
        "cost_per_transaction_before_usd",
        "revenue_impact_usd",
        "customer_satisfaction_score",
        "operational_risk_level",
    ):
        assert war[key] not in (None, ""), key


def test_team_workload_differs_and_everyone_is_reachable():
    people = ROWS["PeopleTeam"]
    assert {"Sarah Chen", "Marcus Johnson", "Lisa Martinez", "David Nguyen"} <= {p["full_name"] for p in people}
    csms = [p for p in people if p["role"] == "CSM"]
    loads = {p["person_id"]: 0 for p in csms}
    for account in ROWS["AccountMaster"]:
        loads[account["customer_success_manager"]] += 1
    assert len(set(loads.values())) > 1
    assert any(p["region"] == "Americas" for p in csms)
    assert all(p["email"] and p["slack_user_id"] for p in people)


def test_history_and_engagements_reach_back_far_enough():
    for account in ROWS["AccountMaster"]:
        dates = [e["engagement_date"] for e in ROWS["EngagementLog"] if e["account"] == account["account_id"]]
        assert min(dates) < (TODAY - dt.timedelta(days=90)).isoformat()
        snaps = [s for s in ROWS["AccountHealthHistory"] if s["account"] == account["account_id"]]
        assert min(s["snapshot_date"] for s in snaps) <= (TODAY - dt.timedelta(days=60)).isoformat()
    overdue = [
        t
        for t in ROWS["ActivitiesTasks"]
        if t["status"] not in ("Done", "Cancelled") and t["due_date"] < TODAY.isoformat()
    ]
    assert overdue


def test_guides_ship_five_templates_and_eight_steps():
    templates = sorted(ROWS["ViewTemplates"], key=lambda r: r["sort_order"])
    assert [t["template_name"] for t in templates] == [
        "CSM Command Center",
        "Strategic Objectives Board",
        "Health Dashboard",
        "QBR Preparation",
        "Renewal Risk Pipeline",
    ]
    for t in templates:
        assert t["filter"] and t["sort"] and t["visible_columns"] and t["conditional_formatting"]
        assert t["setup_instructions"]
    steps = sorted(ROWS["QuickStartGuide"], key=lambda r: r["step_number"])
    assert [s["step_number"] for s in steps] == list(range(1, 9))
    assert 45 <= sum(s["time_estimate_minutes"] for s in steps) <= 60


def test_view_templates_name_real_columns_of_their_table():
    for template in ROWS["ViewTemplates"]:
        labels = {f.label for f in get_table(template["target_table"]).fields}
        named = set(template["visible_columns"]) | set(template["group_by"]) | {s["column"] for s in template["sort"]}
        named |= {r["column"] for r in template["conditional_formatting"] if r["column"]}
        assert named <= labels, (template["template_name"], named - labels)
