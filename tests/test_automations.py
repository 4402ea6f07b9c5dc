"""`csm automate`: what each rule creates, closes and raises on the seed, idempotency, dry runs,
failures, the change log's sources, the run lock and the automation log (CLI and API).

Slack itself (payloads, retries, a webhook answering 500) is `test_automation_slack.py`.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
from pathlib import Path

import orjson
import pytest

from schemas import get_table
from service.automations import rules
from service.automations.rules import Context, health_alerts
from service.changelog import ChangeLog
from service.store import Transaction

STORED_ONLY = ("AutomationRuns",)


def rows(store_path, table):
    key = get_table(table).id_key
    return {r[key]: r for r in orjson.loads(store_path.read_bytes())[table].values()}


def tables(store_path, *, without=STORED_ONLY):
    data = orjson.loads(store_path.read_bytes())
    return {k: v for k, v in data.items() if k != "_meta" and k not in without}


def new_rows(before, after):
    return {
        name: [r for key, r in after[name].items() if key not in before.get(name, {})]
        for name in after
        if set(after[name]) - set(before.get(name, {}))
    }


def changelog(store_path):
    return ChangeLog(f"{store_path}.changes.jsonl").records()


def set_values(csm, table, row_id, **values):
    result = csm("update", table, row_id, *[f"--set={k}={v}" for k, v in values.items()])
    assert result.exit_code == 0, result.output


# --- the seed -------------------------------------------------------------------------------------


def test_on_the_seed_a_run_creates_exactly_what_the_rules_imply(csm, store_path):
    before = tables(store_path)
    result = csm("automate")
    assert result.exit_code == 0, result.output
    after = tables(store_path)
    created = new_rows(before, after)
    assert sorted(created) == ["AccountHealthHistory", "ActivitiesTasks", "Alerts", "MetricHistory", "RiskRegister"]
    assert len(created["AccountHealthHistory"]) == 4 and len(created["MetricHistory"]) == 16
    (task,) = created["ActivitiesTasks"]
    assert {k: v for k, v in task.items() if k not in ("created_at", "modified_at", "description")} == {
        "task_id": "TSK-00013",
        "account": "ACC-00003",
        "task_title": "Address renewal risk for HealthTech Solutions",
        "owner": "PER-00005",
        "task_type": "Renewal",
        "priority": "High",
        "status": "Not Started",
        "due_date": "2026-11-22",
        "completed_date": None,
        "source": "Renewal Risk Detector",
        "related_risk": None,
    }
    assert "Health 63.7 (under 70)" in task["description"] and "in 131 days" in task["description"]
    risks = {r["risk_id"]: r for r in created["RiskRegister"]}
    assert sorted(risks) == ["RISK-00009", "RISK-00010"]
    kyc, quotes = risks["RISK-00009"], risks["RISK-00010"]
    assert (kyc["account"], kyc["affected_apis"], kyc["risk_title"]) == (
        "ACC-00001",
        ["API-00003"],
        "Client KYC Experience API degraded",
    )
    assert (quotes["account"], quotes["affected_apis"]) == ("ACC-00004", ["API-00010"])
    for risk in risks.values():
        assert (risk["risk_category"], risk["impact"], risk["status"], risk["source"]) == (
            "Performance",
            "Critical",
            "Open",
            "API Health Monitor",
        )
        assert risk["date_identified"] == "2026-11-20" and risk["mitigation_owner"] == "PER-00002"
    assert kyc["potential_business_impact_usd"] == 1200000 and kyc["affected_value_streams"] == ["VS-00002"]
    alerts = sorted(created["Alerts"], key=lambda a: a["alert_id"])
    assert [(a["alert_id"], a["account"], a["rule"], a["kind"], a["subject"], a["recipients"]) for a in alerts] == [
        ("ALR-00001", "ACC-00003", "renewal-risk", "Renewal Risk", "TSK-00013", ["PER-00005", "PER-00003"]),
        ("ALR-00002", "ACC-00001", "api-health", "API Unhealthy", "API-00003", ["PER-00001", "PER-00002"]),
        ("ALR-00003", "ACC-00004", "api-health", "API Unhealthy", "API-00010", ["PER-00001", "PER-00002"]),
    ]
    assert all(a["delivery"] == "Not Sent" and a["alert_date"] == "2026-11-20" for a in alerts)  # no webhook
    # Nothing else changed: the seed's own rows are as they were.
    for name in before:
        for key, row in before[name].items():
            assert after[name][key] == row, (name, key)
    # API-00007 (Critical) and API-00009 (Degraded) are High and Low, not Mission-Critical: no risk.
    assert "API-00007" not in str(risks) and "API-00009" not in str(risks)
    assert "task TSK-00013 for HealthTech Solutions" in result.output


def test_the_readme_shows_what_a_run_on_the_seed_prints(csm):
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    start = readme.index("$ CSM_TODAY=2026-11-20 .venv/bin/csm automate\n")
    shown = readme[start:].split("\n```", 1)[0].splitlines()[1:]
    printed = csm("automate").output.splitlines()
    assert printed[:-1] == shown[:-1] and shown[-1] == "Took 0.02 s." and printed[-1].startswith("Took ")


def test_a_second_run_the_same_day_changes_nothing_but_the_log(csm, store_path):
    assert csm("automate").exit_code == 0
    before, log_before = tables(store_path), changelog(store_path)
    second = csm("automate")
    assert second.exit_code == 0, second.output
    assert tables(store_path) == before
    added = changelog(store_path)[len(log_before) :]
    assert [(r["table"], r["op"], r["source"]) for r in added] == [("AutomationRuns", "insert", "automation")]
    assert second.output.count("nothing to do") == 4


def test_every_change_is_logged_under_its_rule(csm, store_path):
    assert csm("automate").exit_code == 0
    sources = {}
    for record in changelog(store_path):
        if record["source"].startswith("automation"):
            sources.setdefault(record["source"], set()).add(record["table"])
    assert sources == {
        "automation:snapshot": {"AccountHealthHistory", "MetricHistory"},
        "automation:renewal-risk": {"ActivitiesTasks", "Alerts"},
        "automation:api-health": {"RiskRegister", "Alerts"},
        "automation": {"AutomationRuns"},
    }


def test_a_dry_run_writes_nothing_and_says_what_it_would_do(csm, store_path):
    store_before = store_path.read_bytes()
    log_path = f"{store_path}.changes.jsonl"
    log_before = open(log_path, "rb").read() if os.path.exists(log_path) else None
    result = csm("automate", "--dry-run")
    assert result.exit_code == 0, result.output
    assert store_path.read_bytes() == store_before
    assert (open(log_path, "rb").read() if os.path.exists(log_path) else None) == log_before
    assert "Dry run for 2026-11-20: nothing written" in result.output
    assert "would: task TSK-00013 for HealthTech Solutions: address renewal risk, due 2026-11-22" in result.output
    assert "would: risk RISK-00009 for Client KYC Experience API (Acme Financial Services): Degraded" in result.output
    assert result.output.count("would record alert") == 3
    # And the real run then does exactly that.
    assert "task TSK-00013 for HealthTech Solutions" in csm("automate").output


def test_only_runs_the_rules_named(csm, store_path):
    before = tables(store_path)
    result = csm("automate", "--only", "renewal-risk")
    assert result.exit_code == 0, result.output
    assert sorted(new_rows(before, tables(store_path))) == ["ActivitiesTasks", "Alerts"]
    assert "api-health" not in result.output


def test_date_moves_today_and_a_bad_date_is_refused(csm, store_path):
    result = csm("automate", "--only", "renewal-risk", "--date", "2026-12-01")
    assert result.exit_code == 0, result.output
    assert rows(store_path, "ActivitiesTasks")["TSK-00013"]["due_date"] == "2026-12-03"
    before = store_path.read_bytes()
    bad = csm("automate", "--date", "2026-13-01")
    assert bad.exit_code == 2 and "--date" in bad.output and store_path.read_bytes() == before


# --- renewal-risk ---------------------------------------------------------------------------------


def test_one_open_renewal_task_per_account_and_a_new_one_once_it_is_done(csm, store_path):
    assert csm("automate", "--only", "renewal-risk").exit_code == 0
    set_values(csm, "ActivitiesTasks", "TSK-00013", task_title="Renewal plan for HealthTech", status="In Progress")
    assert csm("automate", "--only", "renewal-risk", "--date", "2026-11-21").exit_code == 0
    assert "TSK-00014" not in rows(store_path, "ActivitiesTasks")  # edited, still open: still the one
    set_values(csm, "ActivitiesTasks", "TSK-00013", status="Done", completed_date="2026-11-21")
    assert csm("automate", "--only", "renewal-risk", "--date", "2026-11-22").exit_code == 0
    tasks = rows(store_path, "ActivitiesTasks")
    assert tasks["TSK-00014"]["task_title"] == "Address renewal risk for HealthTech Solutions"
    assert tasks["TSK-00014"]["due_date"] == "2026-11-24"
    assert csm("automate", "--only", "renewal-risk", "--date", "2026-11-22").exit_code == 0
    assert "TSK-00015" not in rows(store_path, "ActivitiesTasks")


def _in_days(days):
    return (dt.date(2026, 11, 20) + dt.timedelta(days=days)).isoformat()


@pytest.mark.parametrize(
    ("changes", "raised"),
    [
        ({"renewal_date": _in_days(179)}, True),  # just inside seed 001's `Days_To_Renewal < 180`
        ({"renewal_date": _in_days(180)}, False),
        ({"renewal_date": _in_days(0)}, True),  # today
        ({"renewal_date": _in_days(-1)}, False),  # passed yesterday: stale data, not a renewal to save
        ({"account_status": "Churned"}, False),
        ({"account_status": "Renewal Pending"}, True),
    ],
)
def test_renewal_risk_window_and_status(csm, store_path, changes, raised):
    set_values(csm, "AccountMaster", "ACC-00003", **changes)
    assert csm("automate", "--only", "renewal-risk").exit_code == 0
    assert ("TSK-00013" in rows(store_path, "ActivitiesTasks")) is raised


def test_an_account_without_a_csm_gets_an_unowned_task(csm, store_path):
    set_values(csm, "AccountMaster", "ACC-00003", customer_success_manager="")
    result = csm("automate", "--only", "renewal-risk")
    assert result.exit_code == 0, result.output
    assert rows(store_path, "ActivitiesTasks")["TSK-00013"]["owner"] is None
    assert rows(store_path, "Alerts")["ALR-00001"]["recipients"] == ["PER-00003"]  # the AE still hears of it


# --- api-health -----------------------------------------------------------------------------------


def heal(csm, api_id):
    set_values(
        csm, "APIPortfolio", api_id, uptime_percent="99.99", error_rate_percent="0.1", avg_response_time_ms="100"
    )


def test_the_monitor_closes_its_own_risk_when_the_api_recovers_and_files_again_when_it_degrades(csm, store_path):
    assert csm("automate", "--only", "api-health").exit_code == 0
    manual_before = rows(store_path, "RiskRegister")["RISK-00001"]
    heal(csm, "API-00003")
    result = csm("automate", "--only", "api-health", "--date", "2026-11-21")
    assert result.exit_code == 0, result.output
    risks = rows(store_path, "RiskRegister")
    closed = risks["RISK-00009"]
    assert (closed["status"], closed["date_closed"]) == ("Closed", "2026-11-21")
    assert (
        "Closed by the API Health Monitor on 2026-11-21: Client KYC Experience API is Healthy again"
        in (closed["description"])
    )
    assert risks["RISK-00001"] == manual_before  # a person's risk on the same API: never touched
    assert risks["RISK-00010"]["status"] == "Open"  # Gard's API is still degraded
    recovered = [a for a in rows(store_path, "Alerts").values() if a["kind"] == "API Recovered"]
    assert [(a["subject"], a["severity"], a["alert_date"]) for a in recovered] == [("RISK-00009", "Info", "2026-11-21")]
    set_values(csm, "APIPortfolio", "API-00003", error_rate_percent="2.5")  # Critical now
    assert csm("automate", "--only", "api-health", "--date", "2026-11-22").exit_code == 0
    again = rows(store_path, "RiskRegister")["RISK-00011"]
    assert (again["affected_apis"], again["risk_title"], again["status"]) == (
        ["API-00003"],
        "Client KYC Experience API critical",
        "Open",
    )
    urgent = [a for a in rows(store_path, "Alerts").values() if a["alert_date"] == "2026-11-22"]
    assert [(a["kind"], a["severity"]) for a in urgent] == [("API Unhealthy", "Urgent")]


def test_a_monitor_risk_a_person_accepted_is_not_filed_again(csm, store_path):
    assert csm("automate", "--only", "api-health").exit_code == 0
    set_values(csm, "RiskRegister", "RISK-00009", status="Accepted")
    assert csm("automate", "--only", "api-health", "--date", "2026-11-21").exit_code == 0
    assert "RISK-00011" not in rows(store_path, "RiskRegister")


def test_a_risk_whose_api_was_deleted_is_closed(csm, store_path):
    assert csm("automate", "--only", "api-health").exit_code == 0
    assert csm("delete", "APIPortfolio", "API-00010", "--cascade").exit_code == 0
    assert csm("automate", "--only", "api-health", "--date", "2026-11-21").exit_code == 0
    risk = rows(store_path, "RiskRegister")["RISK-00010"]
    assert risk["status"] == "Closed" and "no longer in the portfolio" in risk["description"]


# --- health-alerts --------------------------------------------------------------------------------


class _Rows:
    def __init__(self, rows):
        self.rows = rows


class _Snap:
    def __init__(self, accounts):
        self._accounts = accounts

    def rows(self, name):
        assert name == "AccountMaster"
        return _Rows(self._accounts)


def _account(number, health, trend=None, status="Active"):
    return {
        "account_id": f"ACC-{number:05d}",
        "account_name": f"Account {number}",
        "account_status": status,
        "health_score": health,
        "health_score_trend_30d": trend,
        "customer_success_manager": {"person_id": "PER-00001", "full_name": "Sarah Chen"},
        "account_executive": {"person_id": "PER-00003", "full_name": "Lisa Martinez"},
    }


def test_health_thresholds_raise_one_alert_per_account_and_kind_repeated_weekly(store):
    accounts = [
        _account(1, 60.0),  # not under 60
        _account(2, 59.9),  # under 60: CSM
        _account(3, 40.0),  # under 60, not under 40
        _account(4, 39.9),  # red zone: CSM and AE, and not also "under 60"
        _account(5, 75.0, trend=-10.0),  # exactly 10 points: not more than 10
        _account(6, 75.0, trend=-10.1),  # a drop
        _account(7, 35.0, trend=-20.0),  # both
        _account(8, None),  # no data: never under a threshold
        _account(9, 20.0, status="Churned"),
    ]
    data, _ = store.read()
    for number in range(5, 10):  # the fixture's accounts 1-4 exist; add 5-9 so the alerts' references hold
        data["AccountMaster"][str(number)] = {**data["AccountMaster"]["1"], "account_id": f"ACC-{number:05d}"}
    tx = Transaction(data)
    ctx = Context(dt.date(2026, 11, 20), _Snap(accounts), delivers=False)
    out = health_alerts(tx, ctx)
    raised = sorted((a["account"], a["kind"], a["severity"], tuple(a["recipients"])) for a in tx.rows("Alerts"))
    assert raised == [
        ("ACC-00002", "Health Below 60", "Warning", ("PER-00001",)),
        ("ACC-00003", "Health Below 60", "Warning", ("PER-00001",)),
        ("ACC-00004", "Health Below 40", "Urgent", ("PER-00001", "PER-00003")),
        ("ACC-00006", "Health Drop", "Warning", ("PER-00001",)),
        ("ACC-00007", "Health Below 40", "Urgent", ("PER-00001", "PER-00003")),
        ("ACC-00007", "Health Drop", "Warning", ("PER-00001",)),
    ]
    assert len(out.alerts) == 6
    assert not health_alerts(tx, ctx).alerts  # the same day again: none
    for day in range(21, 27):  # while it holds, not again for a week
        assert not health_alerts(tx, Context(dt.date(2026, 11, day), _Snap(accounts), delivers=False)).alerts
    week_later = Context(dt.date(2026, 11, 27), _Snap(accounts), delivers=False)
    assert len(health_alerts(tx, week_later).alerts) == 6
    worse = [_account(2, 39.0)]  # under 60 on the 27th, now under 40: a new kind, said at once
    assert [
        tx.get("Alerts", i)["kind"]
        for i in health_alerts(tx, Context(dt.date(2026, 11, 28), _Snap(worse), delivers=False)).alerts
    ] == ["Health Below 40"]


def test_a_drop_of_more_than_ten_points_against_the_trend_snapshot_raises_an_alert(csm, store_path):
    inserted = csm("insert", "AccountHealthHistory", "--set", "account=ACC-00002", "--set",
                   "snapshot_date=2026-10-20", "--set", "health_score=99.5")  # fmt: skip
    assert inserted.exit_code == 0, inserted.output
    result = csm("automate", "--only", "health-alerts")
    assert result.exit_code == 0, result.output
    (alert,) = rows(store_path, "Alerts").values()
    assert (alert["account"], alert["kind"], alert["recipients"]) == ("ACC-00002", "Health Drop", ["PER-00001"])
    assert alert["headline"] == "Nordic Logistics Group: health fell 11.1 points in 30 days, to 88.4"


# --- failures, the lock, the log -----------------------------------------------------------------


def test_a_failing_rule_writes_nothing_the_others_still_run_and_the_exit_is_non_zero(csm, store_path, monkeypatch):
    def broken(tx, ctx):
        tx.insert("RiskRegister", {"account": "ACC-00001"})  # a row its schema refuses
        raise AssertionError("not reached")

    monkeypatch.setitem(rules.RULE_FUNCTIONS, "api-health", broken)
    result = csm("automate")
    assert result.exit_code == 1
    assert "Error: rule api-health failed (its changes were not written)" in result.output
    assert "Traceback" not in result.output
    assert "RISK-00009" not in rows(store_path, "RiskRegister")
    assert "TSK-00013" in rows(store_path, "ActivitiesTasks")  # renewal-risk, before it, committed
    (run,) = rows(store_path, "AutomationRuns").values()
    failed = {r["rule"]: r for r in run["rules"]}["api-health"]
    assert run["ok"] is False and failed["status"] == "failed"
    assert failed["errors"] and "risk_category" in failed["errors"][0]
    assert csm("validate").exit_code == 0


def test_a_second_run_while_one_is_running_is_refused(csm, store_path):
    before = store_path.read_bytes()
    fd = os.open(f"{store_path}.automate.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        result = csm("automate")
    finally:
        os.close(fd)
    assert result.exit_code == 1 and "another `csm automate` is running" in result.output
    assert store_path.read_bytes() == before
    assert csm("automate").exit_code == 0  # released


def test_a_store_that_is_not_there_is_an_error_not_a_new_store_of_samples(csm, tmp_path):
    missing = tmp_path / "typo" / "csm.json"
    result = csm("automate", db=missing)
    assert result.exit_code == 1 and f"Error: no store at {missing}; check --db or CSM_DATA" in result.output
    assert not missing.exists() and not missing.parent.exists()


def test_the_history_lists_runs_newest_first(csm):
    assert csm("automate").exit_code == 0
    assert csm("automate", "--only", "snapshot").exit_code == 0
    shown = csm("automate", "--history")
    assert shown.exit_code == 0, shown.output
    lines = shown.output.splitlines()
    assert lines[0].startswith("RUN-00002  for 2026-11-20") and "RUN-00001  for 2026-11-20" in shown.output
    assert "TSK-00013" in shown.output and "RISK-00009" in shown.output
    runs = orjson.loads(csm("automate", "--history", "--json", "--only", "renewal-risk").output)
    assert [r["run_id"] for r in runs] == ["RUN-00001"]
    renewal = {r["rule"]: r for r in runs[0]["rules"]}["renewal-risk"]
    assert (renewal["created"], renewal["alerts"], renewal["rows"]) == (1, 1, ["TSK-00013", "ALR-00001"])
    assert csm("automate", "--history", "--dry-run").exit_code == 2


def test_the_log_and_the_alerts_over_http(csm, client):
    assert csm("automate").exit_code == 0
    runs = client.get("/v1/automations").json
    assert runs["ok"] and [r["run_id"] for r in runs["runs"]] == ["RUN-00001"]
    assert [r["rule"] for r in runs["runs"][0]["rules"]] == ["snapshot", "renewal-risk", "api-health", "health-alerts"]
    alerts = client.get("/v1/automations/alerts?account=ACC-00003").json["alerts"]
    assert [(a["alert_id"], a["account"], a["delivery"]) for a in alerts] == [
        ("ALR-00001", {"account_id": "ACC-00003", "account_name": "HealthTech Solutions"}, "Not Sent")
    ]
    newest_first = client.get("/v1/automations/alerts?rule=api-health").json["alerts"]
    assert [a["alert_id"] for a in newest_first] == ["ALR-00003", "ALR-00002"]
    for url, param in [
        ("/v1/automations?rule=nope", "rule"),
        ("/v1/automations?limit=0", "limit"),
        ("/v1/automations/alerts?delivery=Lost", "delivery"),
        ("/v1/automations/alerts?account=HealthTech", "account"),
        ("/v1/automations?since=2026-01-01", "since"),
    ]:
        response = client.get(url)
        assert response.status_code == 400 and param in response.json["errors"], url


# --- regressions from an attack pass --------------------------------------------------------------


def test_a_person_edited_monitor_risk_listing_many_apis_does_not_stop_the_monitor(csm, store_path):
    many = ",".join(f"API-{n:05d}" for n in range(1, 12) if n not in (3, 7, 9, 10))  # the healthy ones
    set_values(csm, "RiskRegister", "RISK-00001", source="API Health Monitor", affected_apis=many)
    result = csm("automate", "--only", "api-health")
    assert result.exit_code == 0, result.output
    risks = rows(store_path, "RiskRegister")
    assert risks["RISK-00001"]["status"] == "Closed" and "RISK-00009" in risks


def test_a_run_log_row_missing_its_rule_outcomes_is_refused_by_the_schema(csm, store_path):
    assert csm("automate").exit_code == 0
    result = csm("update", "AutomationRuns", "RUN-00001", '--set=rules=[{"rule": "snapshot", "status": "ok"}]')
    assert result.exit_code == 1 and "rules.0.alerts: Missing data for required field" in result.output
    assert "summary: Missing data for required field" in result.output


def test_a_hand_broken_alert_is_named_by_validate_not_a_500_or_an_unexpected_error(csm, store_path, client):
    assert csm("automate").exit_code == 0
    data = orjson.loads(store_path.read_bytes())
    del data["Alerts"]["1"]["delivery"], data["Alerts"]["2"]["rule"]
    store_path.write_bytes(orjson.dumps(data))
    assert client.get("/v1/automations/alerts?delivery=Not Sent").status_code == 200
    result = csm("automate", "--date", "2026-11-21")
    assert result.exit_code == 1
    assert "the store holds values its schema does not allow" in result.output and "csm validate" in result.output
    assert "unexpected" not in result.output


def test_names_from_the_data_cannot_forge_lines_or_move_the_cursor(csm):
    set_values(csm, "AccountMaster", "ACC-00003", account_name="HealthTech\n  health-alerts  ok  forged\x1b[2J")
    result = csm("automate", "--only", "renewal-risk")
    assert result.exit_code == 0, result.output
    assert "forged" in result.output and "\x1b" not in result.output
    assert not any(line.startswith("  health-alerts") for line in result.output.splitlines())


@pytest.mark.parametrize("args", [("--limit", "5"), ("--json",), ("--date", "")])
def test_options_that_do_not_go_together_are_usage_errors(csm, store_path, args):
    before = store_path.read_bytes()
    result = csm("automate", *args)
    assert result.exit_code == 2 and "Error:" in result.output
    assert store_path.read_bytes() == before


def test_deleting_an_account_over_http_says_its_alerts_go_only_with_cascade(csm, client):
    assert csm("automate", "--only", "renewal-risk").exit_code == 0
    response = client.delete("/v1/tables/AccountMaster/rows/ACC-00003")
    assert response.status_code == 409
    assert "Alerts rows are kept by the service" in response.json["error"]
    assert "?cascade=true" in response.json["error"] and "delete or change those first" not in response.json["error"]


def test_recording_a_run_forgets_alerts_older_than_a_year(csm, store_path):
    assert csm("automate", "--date", "2025-11-19").exit_code == 0
    raised = rows(store_path, "Alerts")
    assert {a["alert_date"] for a in raised.values()} == {"2025-11-19"} and len(raised) == 2  # the two APIs
    assert csm("automate", "--date", "2026-11-19", "--only", "snapshot").exit_code == 0
    assert rows(store_path, "Alerts") == raised  # 365 days old: kept
    assert csm("automate", "--date", "2026-11-20", "--only", "snapshot").exit_code == 0
    assert rows(store_path, "Alerts") == {}
    assert csm("validate").exit_code == 0
