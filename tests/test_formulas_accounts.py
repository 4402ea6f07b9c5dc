"""AccountMaster and PeopleTeam columns, hand-computed from seed 001's definitions and design §3."""

from __future__ import annotations

import datetime as dt

import pytest

from formulas import accounts
from formulas.history import History

TODAY = dt.date(2026, 11, 20)
ALL = {
    "platform_technical_health": 90.0,
    "business_value_realization": 80.0,
    "stakeholder_engagement": 70.0,
    "strategic_alignment": 60.0,
}


def test_health_is_the_weighted_mean_of_all_four():
    # 0.35*90 + 0.30*80 + 0.20*70 + 0.15*60 = 31.5 + 24 + 14 + 9 = 78.5
    assert accounts.health_score(ALL) == pytest.approx(78.5)


def test_missing_components_are_left_out_and_weights_renormalised():
    partial = {**ALL, "business_value_realization": None, "strategic_alignment": None}
    # (0.35*90 + 0.20*70) / 0.55 = (31.5 + 14) / 0.55 = 82.727...
    assert accounts.health_score(partial) == pytest.approx(45.5 / 0.55)


def test_no_component_gives_no_score_not_zero():
    assert accounts.health_score(dict.fromkeys(ALL)) is None


def test_components_are_clamped_before_weighting():
    assert accounts.health_score({**ALL, "business_value_realization": 250.0}) == pytest.approx(
        0.35 * 90 + 0.30 * 100 + 0.20 * 70 + 0.15 * 60
    )
    assert accounts.health_score({"platform_technical_health": -40.0}) == 0


@pytest.mark.parametrize(
    "health,days,level",
    [
        (59.9, 179, "Critical"),
        (60.0, 179, "At Risk"),  # 60 is not < 60
        (59.9, 180, "At Risk"),  # 180 days is not < 180
        (69.9, 364, "At Risk"),
        (70.0, 100, "Attention Needed"),
        (69.9, 365, "Attention Needed"),
        (79.9, 400, "Attention Needed"),
        (80.0, 10, "Healthy"),
        (95.0, -20, "Healthy"),
        (40.0, -20, "Critical"),  # renewal already passed
        (None, 10, "No Data"),
    ],
)
def test_renewal_risk_boundaries(health, days, level):
    assert accounts.renewal_risk(health, days) == level


@pytest.mark.parametrize(
    "trend,flag",
    [
        (-5.1, "🔴 Declining"),
        (-5.0, "→ Stable"),
        (0, "→ Stable"),
        (5.0, "→ Stable"),
        (5.1, "🟢 Improving"),
        (None, None),
    ],
)
def test_change_flag(trend, flag):
    assert accounts.change_flag(trend) == flag


def eng(days_ago, depth):
    return {"engagement_date": (TODAY - dt.timedelta(days=days_ago)).isoformat(), "relationship_depth_score": depth}


def test_stakeholder_engagement_uses_the_last_90_days_only():
    rows = [eng(0, 8), eng(90, 6), eng(91, 1), eng(-3, 1), eng(30, None)]
    assert accounts.stakeholder_engagement(rows, TODAY) == pytest.approx(70.0)  # (8 + 6) / 2 * 10
    assert accounts.stakeholder_engagement([eng(120, 9)], TODAY) is None


@pytest.mark.parametrize(
    "contract,cadence", [("Signature Success", 14), ("Premier Success", 30), ("Standard", 60), (None, 60)]
)
def test_cadence_days_by_contract_type(contract, cadence):
    cols = accounts.engagement_columns({"contract_type": contract}, [eng(3, 5)], TODAY)
    assert cols["engagement_cadence_days"] == cadence
    assert cols["next_engagement_due"] == (TODAY + dt.timedelta(days=cadence - 3)).isoformat()


@pytest.mark.parametrize(
    "last_days_ago,status",
    [(None, "No History"), (31, "Overdue"), (30, "Due Soon"), (23, "Due Soon"), (22, "On Track"), (0, "On Track")],
)
def test_cadence_status(last_days_ago, status):
    engagements = [] if last_days_ago is None else [eng(last_days_ago, 5), eng(last_days_ago + 40, 5)]
    cols = accounts.engagement_columns({"contract_type": "Premier Success"}, engagements, TODAY)
    assert cols["engagement_cadence_status"] == status
    if last_days_ago is None:
        assert cols["last_engagement_date"] is None and cols["next_engagement_due"] is None


def test_future_dated_engagements_are_not_the_last_engagement():
    cols = accounts.engagement_columns({"contract_type": "Standard"}, [eng(10, 5), eng(-5, 5)], TODAY)
    assert cols["last_engagement_date"] == "2026-11-10"


def test_account_row_days_to_renewal_trend_and_rounding():
    history = History(
        [("ACC-1", "2026-10-21", 70.0), ("ACC-1", "2026-10-23", 10.0), ("ACC-1", "2026-09-01", 5.0)], TODAY
    )
    out = accounts.account(
        {"renewal_date": "2027-05-19", "contract_type": "Standard"},
        ALL,
        history.trend_base("ACC-1"),
        [],
        TODAY,
    )
    assert out["days_to_renewal"] == 180
    assert out["health_score"] == 78.5
    assert out["health_score_trend_30d"] == 8.5  # vs the 2026-10-21 snapshot, 30 days ago, not 2026-10-23
    assert out["health_score_change_flag"] == "🟢 Improving"
    assert out["renewal_risk_level"] == "Attention Needed"
    assert out["engagement_cadence_status"] == "No History"


@pytest.mark.parametrize(
    ("snapshots", "base"),
    [
        ([("2026-01-20", 50.0)], None),  # ten months old: says nothing about the last 30 days
        ([("2026-10-13", 50.0)], None),  # 38 days ago: outside 30 +/- 7
        ([("2026-10-14", 50.0)], 50.0),  # 37 days ago
        ([("2026-10-28", 50.0)], 50.0),  # 23 days ago
        ([("2026-10-29", 50.0)], None),  # 22 days ago: too recent
        ([("2026-11-19", 50.0)], None),
        ([("2026-10-18", 40.0), ("2026-10-24", 60.0)], 40.0),  # 33 and 27 days ago: as near, the older
        ([("2026-10-24", 60.0), ("2026-10-20", 45.0), ("2026-09-01", 5.0)], 45.0),  # the nearest to 30 days
        ([("2026-10-21", 70.0), ("2026-10-21", 71.0)], 71.0),  # the same day twice: the later row
    ],
)
def test_the_trend_compares_with_the_snapshot_nearest_30_days_ago_within_a_week(snapshots, base):
    history = History([("ACC-1", day, value) for day, value in snapshots], TODAY)
    assert history.trend_base("ACC-1") == base


def test_trend_is_null_without_a_snapshot_in_the_window():
    out = accounts.account({"renewal_date": None}, ALL, None, [], TODAY)
    assert out["health_score_trend_30d"] is None and out["health_score_change_flag"] is None
    assert out["days_to_renewal"] is None


def test_person_rollups():
    assigned = [
        ({"arr": 100}, {"health_score": 80.0, "renewal_risk_level": "At Risk", "days_to_renewal": 90}),
        ({"arr": 50}, {"health_score": None, "renewal_risk_level": "Critical", "days_to_renewal": 91}),
        ({"arr": None}, {"renewal_risk_level": "Critical", "days_to_renewal": 0}),
        ({"arr": 7}, {"health_score": 90.0, "renewal_risk_level": "Attention Needed", "days_to_renewal": -1}),
    ]
    assert accounts.person(assigned, overdue_tasks=2) == {
        "account_count": 4,
        "total_arr_managed": 157,
        "avg_health_score": 85.0,
        "at_risk_accounts": 3,  # At Risk and Critical; Attention Needed is not
        "at_risk_arr": 150,  # the one without ARR adds nothing
        "overdue_tasks": 2,
        "renewals_next_90_days": 2,  # 0 and 90 days in; 91 and a passed renewal out
    }
    assert accounts.person([], overdue_tasks=0) == {
        "account_count": 0,
        "total_arr_managed": 0,
        "avg_health_score": None,
        "at_risk_accounts": 0,
        "at_risk_arr": 0,
        "overdue_tasks": 0,
        "renewals_next_90_days": 0,
    }
