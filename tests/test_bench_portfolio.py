"""The benchmark's synthetic portfolio is valid against the catalog and in the seed's proportions."""

from __future__ import annotations

from bench.portfolio import build
from service.integrity import integrity_problems
from service.snapshot import build as build_snapshot
from tests.conftest import TODAY


def test_a_small_portfolio_is_valid_and_proportional():
    data = build(20)
    assert integrity_problems(data) == []
    counts = {name: len(docs) for name, docs in data.items() if not name.startswith("_")}
    assert counts["AccountMaster"] == 20 and counts["PeopleTeam"] == 4
    per_account = {name: n / 20 for name, n in counts.items() if name not in ("AccountMaster", "PeopleTeam")}
    assert per_account["BusinessContext"] == 1 and per_account["EngagementLog"] == 5
    assert per_account["PlatformHealthMetrics"] == 4 and per_account["MetricHistory"] == 16
    synced = sum(n for name, n in per_account.items() if "History" not in name)
    assert synced == 33  # the seed: 130 synced per-account rows for 4 accounts, 32.5 an account


def test_the_portfolio_is_deterministic_and_derives():
    assert build(8) == build(8)
    snapshot = build_snapshot(build(8), __import__("datetime").date.fromisoformat(TODAY))
    rows = snapshot.rows("AccountMaster").rows
    assert all(0 <= r["health_score"] <= 100 for r in rows)
