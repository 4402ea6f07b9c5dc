"""`csm snapshot`: today's health and metric values, once per day, feeding the 30-day trends."""

from __future__ import annotations

import datetime as dt

from click.testing import CliRunner

from service.cli import cli
from service.history import record_snapshot

TODAY = dt.date(2026, 11, 20)


def history(store, table):
    return store.read()[0][table].values()


def test_snapshot_records_every_account_and_metric_once_per_day(store):
    first = record_snapshot(store, TODAY)
    assert (first.added, first.updated) == (4 + 16, 0)
    again = record_snapshot(store, TODAY)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 20)
    todays = [r for r in history(store, "AccountHealthHistory") if r["snapshot_date"] == "2026-11-20"]
    assert sorted(r["health_score"] for r in todays) == [63.7, 73.9, 81.9, 88.4]


def test_a_second_snapshot_the_same_day_updates_instead_of_adding(store):
    record_snapshot(store, TODAY)
    with store.transaction() as tx:
        tx.update("PlatformHealthMetrics", "MET-00001", {"current_value": 150})
    result = record_snapshot(store, TODAY)
    assert (result.added, result.updated) == (0, 1)
    values = [
        r for r in history(store, "MetricHistory") if r["metric"] == "MET-00001" and r["value_date"] == "2026-11-20"
    ]
    assert [v["value"] for v in values] == [150]


def test_the_trend_compares_with_the_snapshot_nearest_to_30_days_ago(client, store):
    # Seeded snapshots for Acme sit every 7 days; today - 30 = 2026-10-21, so the one of 2026-10-19
    # (2 days off) counts, not 2026-10-26 (5 days off).
    snaps = {r["snapshot_date"]: r for r in history(store, "AccountHealthHistory") if r["account"] == "ACC-00001"}
    row = client.get("/v1/tables/AccountMaster/rows/ACC-00001").json["row"]
    assert row["health_score_trend_30d"] == round(row["health_score"] - snaps["2026-10-19"]["health_score"], 1)
    with store.transaction() as tx:  # a snapshot exactly 30 days ago now takes precedence ...
        tx.insert("AccountHealthHistory", {"account": "ACC-00001", "snapshot_date": "2026-10-21", "health_score": 70.0})
        # ... over one a day later, a day further from 30 days ago.
        tx.insert("AccountHealthHistory", {"account": "ACC-00001", "snapshot_date": "2026-10-22", "health_score": 10.0})
    row = client.get("/v1/tables/AccountMaster/rows/ACC-00001").json["row"]
    assert row["health_score_trend_30d"] == round(row["health_score"] - 70.0, 1)
    assert row["health_score_change_flag"] == "🟢 Improving"


def test_no_snapshot_within_a_week_of_30_days_ago_gives_a_null_trend(client, store):
    """Only snapshots 22 days old or newer, and 38 or older: none in 30 +/- 7 days."""
    with store.transaction() as tx:
        for r in list(tx.rows("AccountHealthHistory")):
            if r["account"] == "ACC-00002" and "2026-10-14" <= r["snapshot_date"] <= "2026-10-28":
                tx.delete("AccountHealthHistory", r["snapshot_id"])
    assert [
        r["snapshot_date"] for r in history(store, "AccountHealthHistory") if r["account"] == "ACC-00002"
    ] != []  # older ones remain: a ten-month-old snapshot must not stand in
    row = client.get("/v1/tables/AccountMaster/rows/ACC-00002").json["row"]
    assert row["health_score_trend_30d"] is None and row["health_score_change_flag"] is None
    assert row["health_score"] is not None


def test_metric_trend_uses_metric_history(client):
    metric = client.get("/v1/tables/PlatformHealthMetrics/rows/MET-00010").json["row"]
    assert metric["metric_name"] == "Failed HL7 Messages per Day"
    assert metric["trend_direction"] == "⬆️ Increasing" and metric["alert_status"] == "🚨 Urgent"


def test_cli_snapshot(store_path, monkeypatch):
    monkeypatch.setenv("CSM_TODAY", "2026-11-20")
    runner = CliRunner()
    result = runner.invoke(cli, ["--db", str(store_path), "snapshot"])
    assert result.exit_code == 0, result.output
    assert result.output == "Snapshot for 2026-11-20: 20 added, 0 updated, 0 unchanged.\n"
    result = runner.invoke(cli, ["--db", str(store_path), "snapshot", "--date", "2026-02-30"])
    assert result.exit_code == 2
    assert "Invalid value for '--date'" in result.output or "Invalid value for --date" in result.output
