"""Derived columns of the per-account tables, hand-computed from seed 001's definitions."""

from __future__ import annotations

import datetime as dt

import pytest

from formulas import engagement, platform, strategy

TODAY = dt.date(2026, 11, 20)

# --- StrategicObjectives -------------------------------------------------------------


@pytest.mark.parametrize(
    "status,indicator",
    [
        ("At Risk", "🔴 Risk"),
        ("Blocked", "🔴 Risk"),
        ("Achieved", "🟢 Complete"),
        ("In Progress", "🟡 Active"),
        ("On Track", "🟡 Active"),
        ("Not Started", "⚪ Pending"),
        (None, "⚪ Pending"),
    ],
)
def test_objective_health_indicator(status, indicator):
    assert strategy.health_indicator(status) == indicator


def test_objective_impact_score_and_alignment():
    assert strategy.impact_score(2, 3, 50_000_000) == 300.0  # 2 x 3 x 50
    assert strategy.impact_score(2, 3, None) is None
    assert strategy.strategic_alignment([{"status": "On Track"}, {"status": "Achieved"}, {"status": "At Risk"}]) == (
        pytest.approx(200 / 3)
    )
    assert strategy.strategic_alignment([]) is None  # guarded division: no objectives, no score


# --- PlatformCapabilities ------------------------------------------------------------


@pytest.mark.parametrize(
    "current,target,gap,status",
    [
        ("1-Initial", "4-Managed", 3, "🔴 Critical Gap"),
        ("2-Developing", "4-Managed", 2, "🟡 Moderate Gap"),
        ("3-Defined", "4-Managed", 1, "🟢 Small Gap"),
        ("5-Optimizing", "5-Optimizing", 0, "✅ At Target"),
        ("5-Optimizing", "3-Defined", -2, "✅ At Target"),
        ("3-Defined", None, None, None),
    ],
)
def test_capability_maturity(current, target, gap, status):
    out = platform.capability({"current_maturity": current, "target_maturity": target})
    assert out["maturity_gap"] == gap and out["gap_status"] == status
    assert out["current_maturity_numeric"] == int(current[0])


# --- ValueStreams --------------------------------------------------------------------


def test_value_stream_figures():
    out = strategy.value_stream(
        {
            "cycle_time_baseline_hours": 48,
            "cycle_time_current_hours": 6,
            "cycle_time_target_hours": 2,
            "cost_per_transaction_before_usd": 210,
            "cost_per_transaction_after_usd": 65,
            "annual_transaction_volume": 38_000,
            "revenue_impact_usd": 4_800_000,
        }
    )
    assert out == {
        "cycle_time_reduction_percent": 87.5,  # (48 - 6) / 48
        "cycle_time_progress_indicator": "🟡 Progressing",
        "annual_cost_savings_usd": 5_510_000,  # 145 x 38,000
        "total_business_value_usd": 10_310_000,
    }


def test_value_stream_zero_baseline_and_missing_inputs_give_null():
    out = strategy.value_stream({"cycle_time_baseline_hours": 0, "cycle_time_current_hours": 5})
    assert out == {
        "cycle_time_reduction_percent": None,
        "cycle_time_progress_indicator": None,
        "annual_cost_savings_usd": None,
        "total_business_value_usd": None,
    }


@pytest.mark.parametrize(
    "baseline,current,target,indicator",
    [(10, 2, 2, "🟢 Target Met"), (10, 5, 2, "🟡 Progressing"), (10, 6, 2, "🔴 Needs Improvement")],
)
def test_value_stream_progress(baseline, current, target, indicator):
    row = {
        "cycle_time_baseline_hours": baseline,
        "cycle_time_current_hours": current,
        "cycle_time_target_hours": target,
    }
    assert strategy.value_stream(row)["cycle_time_progress_indicator"] == indicator


# --- APIPortfolio --------------------------------------------------------------------


@pytest.mark.parametrize(
    "avg,target,sla", [(150, 200, 100.0), (200, 200, 100.0), (250, 200, 75.0), (500, 200, 0.0), (100, 0, None)]
)
def test_sla_compliance(avg, target, sla):
    assert platform.sla_compliance(avg, target) == sla


def test_api_row():
    out = platform.api(
        {
            "environment": "Production",
            "monthly_transactions": 350_000,
            "consuming_applications": 3,
            "avg_response_time_ms": 230,
            "sla_target_ms": 200,
            "error_rate_percent": 0.3,
            "uptime_percent": 99.95,
            "revenue_attribution_usd": 4_000_000,
        }
    )
    assert out == {
        "annual_transaction_volume": 4_200_000,
        "sla_compliance_percent": 85.0,  # 100 - 30/200*100
        "business_value_score": 892.5,  # 350 x 3 x 0.85
        "health_status": "🟡 Degraded",
        "business_criticality": "Mission-Critical",
    }


@pytest.mark.parametrize(
    "uptime,errors,sla,status",
    [
        (99.4, 0.1, 100, "🔴 Critical"),
        (99.9, 1.1, 100, "🔴 Critical"),
        (99.5, 1.0, 94.9, "🟡 Degraded"),
        (99.5, 1.0, 95, "🟢 Healthy"),
        (None, None, None, None),
    ],
)
def test_api_health(uptime, errors, sla, status):
    assert platform.api_health(uptime, errors, sla) == status


@pytest.mark.parametrize(
    "env,revenue,monthly,consumers,level",
    [
        ("Production", 1_000_000, 0, 0, "Mission-Critical"),
        ("Production", 0, 1_000_000, 5, "Mission-Critical"),
        ("Production", 0, 1_000_000, 4, "High"),
        ("Production", 250_000, 0, 0, "High"),
        ("Production", 0, 0, 3, "High"),
        ("Production", 0, 99_999, 2, "Medium"),
        ("Sandbox", 5_000_000, 5_000_000, 2, "Medium"),
        ("Development", None, None, None, "Low"),
    ],
)
def test_business_criticality_rule(env, revenue, monthly, consumers, level):
    row = {
        "environment": env,
        "revenue_attribution_usd": revenue,
        "monthly_transactions": monthly,
        "consuming_applications": consumers,
    }
    assert platform.business_criticality(row) == level


# --- PlatformHealthMetrics -----------------------------------------------------------


@pytest.mark.parametrize(
    "current,higher,status",
    [
        (95, True, "🟢 On Track"),  # target 100: 95 >= 95
        (94.9, True, "🟡 Needs Attention"),
        (80, True, "🟡 Needs Attention"),  # = warning
        (79.9, True, "🔴 Critical"),
        (105, False, "🟢 On Track"),  # lower is better: 105 <= 105
        (105.1, False, "🟡 Needs Attention"),
        (120, False, "🟡 Needs Attention"),
        (120.1, False, "🔴 Critical"),
    ],
)
def test_metric_status_follows_the_metrics_direction(current, higher, status):
    warning = 80 if higher else 120
    assert platform.metric_status(current, 100, warning, higher) == status


def test_metric_row_trend_and_alerts():
    row = {"current_value": 340, "target_value": 50, "threshold_warning": 150, "trend_is_good": False}
    out = platform.metric(row, 270.0)
    assert out == {
        "health_status": "🔴 Critical",
        "health_status_numeric": 30,
        "trend_30d_change": 70.0,
        "trend_direction": "⬆️ Increasing",
        "alert_status": "🚨 Urgent",  # critical and getting worse (up, for a lower-is-better metric)
    }
    assert platform.metric(row, 400.0)["alert_status"] == "⚠️ Alert"  # critical, but improving
    assert platform.metric(row, None)["trend_30d_change"] is None
    assert platform.metric(row, None)["alert_status"] == "⚠️ Alert"
    healthy = {"current_value": 10, "target_value": 10, "threshold_warning": 5, "trend_is_good": True}
    assert platform.metric(healthy, 10)["trend_direction"] == "➡️ Flat"
    assert platform.metric(healthy, 10)["alert_status"] is None


def test_platform_technical_health_uses_performance_reliability_security():
    metrics = [
        ({"metric_category": "Performance"}, {"health_status_numeric": 100}),
        ({"metric_category": "Security"}, {"health_status_numeric": 30}),
        ({"metric_category": "Adoption"}, {"health_status_numeric": 30}),
    ]
    assert platform.platform_technical_health(metrics) == 65
    assert platform.platform_technical_health(metrics[2:]) is None


# --- Initiatives ---------------------------------------------------------------------


def test_initiative_roi_and_payback():
    out = strategy.initiative(
        {
            "status": "In Progress",
            "target_completion_date": "2027-01-31",
            "investment_amount_usd": 420_000,
            "expected_annual_benefit_usd": 610_000,
        },
        TODAY,
    )
    assert out["expected_payback_months"] == 8.3  # 420,000 / (610,000 / 12) = 8.26
    assert out["three_year_roi_percent"] == 336  # (1,830,000 - 420,000) / 420,000 = 335.7%
    assert out["days_overdue"] == 0 and out["on_time_flag"] is None and out["status_color"] == "🟡"


def test_initiative_zero_denominators_give_null():
    out = strategy.initiative({"investment_amount_usd": 0, "expected_annual_benefit_usd": 0}, TODAY)
    assert out["expected_payback_months"] is None and out["three_year_roi_percent"] is None
    assert out["days_overdue"] is None and out["status_color"] == "🔵"


@pytest.mark.parametrize(
    "target,status,actual,overdue,flag",
    [
        ("2026-10-20", "In Progress", None, 31, "🔴 Severely Delayed"),
        ("2026-10-21", "In Progress", None, 30, "🟡 Delayed"),
        ("2026-11-12", "In Progress", None, 8, "🟡 Delayed"),
        ("2026-11-13", "On Hold", None, 7, None),
        ("2026-09-30", "Completed", "2026-09-22", 0, "🟢 On Time"),
        ("2026-09-30", "Completed", "2026-10-05", 0, "🟠 Completed Late"),
        ("2026-01-01", "Cancelled", None, 0, None),
    ],
)
def test_initiative_overdue_and_flag(target, status, actual, overdue, flag):
    out = strategy.initiative(
        {"target_completion_date": target, "status": status, "actual_completion_date": actual}, TODAY
    )
    assert (out["days_overdue"], out["on_time_flag"]) == (overdue, flag)


# --- RiskRegister --------------------------------------------------------------------


@pytest.mark.parametrize(
    "impact,probability,score,level",
    [
        ("Critical", "Very Likely (>75%)", 25, "Critical"),
        ("Critical", "Likely (50-75%)", 20, "Critical"),
        ("High", "Possible (25-50%)", 12, "High"),
        ("Medium", "Unlikely (<25%)", 6, "Medium"),
        ("Low", "Unlikely (<25%)", 4, "Low"),
        (None, "Likely (50-75%)", None, None),
    ],
)
def test_risk_scoring(impact, probability, score, level):
    out = engagement.risk({"impact": impact, "probability": probability})
    assert (out["risk_score"], out["risk_level"]) == (score, level)


# --- StakeholderOutcomes -------------------------------------------------------------


@pytest.mark.parametrize(
    ("baseline", "current", "target", "improvement"),
    [
        (20, 78, 90, 290.0),  # up, toward a higher target
        (20, 10, 90, -50.0),  # down, away from a higher target
        (48, 12, 4, 75.0),  # down, toward a lower target
        (48, 60, 4, -25.0),  # up, away from a lower target
        (-10, -5, 0, 50.0),  # a negative baseline, toward the target
        (20, 30, None, 50.0),  # no target: a rise is positive
    ],
)
def test_improvement_is_positive_toward_the_target_whichever_way_it_lies(baseline, current, target, improvement):
    out = strategy.outcome({"baseline_value": baseline, "current_value": current, "target_value": target})
    assert out["improvement_percent"] == improvement


@pytest.mark.parametrize(
    ("before", "after", "savings"),
    [(0, 2.5, None), (None, 2.5, None), (4.0, 2.5, 15_000), (2.5, 4.0, -15_000)],  # a real rise stays negative
)
def test_annual_cost_savings_needs_a_cost_before(before, after, savings):
    out = strategy.value_stream(
        {"cost_per_transaction_before_usd": before, "cost_per_transaction_after_usd": after,
         "annual_transaction_volume": 10_000}
    )  # fmt: skip
    assert out["annual_cost_savings_usd"] == savings
    assert out["total_business_value_usd"] == savings


def test_outcome_higher_is_better():
    out = strategy.outcome({"baseline_value": 20, "current_value": 78, "target_value": 90})
    assert out == {"improvement_percent": 290.0, "target_achievement_percent": 83, "status": "On Track"}


def test_outcome_lower_is_better():
    out = strategy.outcome({"baseline_value": 48, "current_value": 12, "target_value": 4})
    # improvement (48 - 12) / 48 = 75%; achievement (12 - 48) / (4 - 48) = 81.8%
    assert out == {"improvement_percent": 75.0, "target_achievement_percent": 82, "status": "On Track"}


@pytest.mark.parametrize(
    "current,status",
    [(100, "Achieved"), (120, "Achieved"), (75, "On Track"), (74, "Needs Attention"), (None, "Not Started")],
)
def test_outcome_status_boundaries(current, status):
    assert strategy.outcome({"baseline_value": 0, "current_value": current, "target_value": 100})["status"] == status


def test_outcome_zero_denominators():
    out = strategy.outcome({"baseline_value": 0, "current_value": 5, "target_value": 0})
    assert out == {"improvement_percent": None, "target_achievement_percent": None, "status": None}


def test_business_value_realization_skips_unstarted_and_holds_each_to_0_100():
    outcomes = [
        {"baseline_value": 0, "current_value": 250, "target_value": 100},  # 250% -> 100
        {"baseline_value": 0, "current_value": -50, "target_value": 100},  # -50% -> 0
        {"baseline_value": 0, "current_value": None, "target_value": 100},  # not started
    ]
    assert strategy.business_value_realization(outcomes) == 50
    assert strategy.business_value_realization(outcomes[2:]) is None


# --- ActivitiesTasks and SuccessPlanTracker ------------------------------------------


def test_task_overdue():
    assert engagement.task({"due_date": "2026-11-14", "status": "In Progress"}, TODAY) == {
        "days_overdue": 6,
        "is_overdue": True,
    }
    assert engagement.task({"due_date": "2026-11-14", "status": "Done"}, TODAY)["is_overdue"] is False
    assert engagement.task({"due_date": "2026-11-20", "status": "Not Started"}, TODAY)["days_overdue"] == 0
    assert engagement.task({"due_date": None}, TODAY) == {"days_overdue": None, "is_overdue": False}


def test_success_plan_milestones():
    plan = {
        "period_end": "2026-12-31",
        "milestones": [
            {"status": "Completed"},
            {"status": "Pending"},
            {"status": "Cancelled"},
            {"status": "Completed"},
        ],
    }
    assert engagement.success_plan(plan, TODAY) == {
        "milestones_total": 3,
        "milestones_completed": 2,
        "milestone_completion_percent": 66.7,
        "days_remaining": 41,
    }
    empty = engagement.success_plan({"period_end": None, "milestones": []}, TODAY)
    assert empty["milestone_completion_percent"] is None and empty["days_remaining"] is None
