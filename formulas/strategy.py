"""StrategicObjectives, ValueStreams, Initiatives and StakeholderOutcomes (seed 001's formulas).

Departures from the letter of seed 001, each to keep the spirit:

- Missing inputs or a zero denominator give None, not seed 001's 0 (design §3).
- Objective health indicator: seed 001 lets "On Track" fall through to Pending
  and "Blocked" too; On Track counts as Active and Blocked as Risk here.
- Platform impact score counts each API behind the linked value streams once,
  however many of those streams it supports.
- Outcome improvement follows the outcome's direction: when the target is
  below the baseline (a time or a cost to cut), going down is improvement.  So
  progress toward the target is positive and a move away from it negative, in
  either direction; without a target, a rise is positive.
- Annual cost savings is None when the cost per transaction before is 0 or
  missing (seed 001's formula would report minus the whole new cost).
- An outcome not yet measured (no current value) is "Not Started", which is
  what seed 001's business-value filter (`Status != "Not Started"`) expects.
- Initiative on-time flag: a completed initiative finished after its target
  date is "Completed Late", not "On Time"; cancelled ones are never overdue.
"""

from __future__ import annotations

import datetime as dt

from formulas.common import as_date, clamp, ratio, rounded

# --- StrategicObjectives -------------------------------------------------------------

ALIGNED_STATUSES = frozenset({"On Track", "Achieved"})


def health_indicator(status: str | None) -> str:
    if status in ("At Risk", "Blocked"):
        return "🔴 Risk"
    if status == "Achieved":
        return "🟢 Complete"
    if status in ("In Progress", "On Track"):
        return "🟡 Active"
    return "⚪ Pending"


def impact_score(capability_count: int, api_count: int, business_value_usd: float | None) -> float | None:
    if business_value_usd is None:
        return None
    return rounded(capability_count * api_count * business_value_usd / 1_000_000)


def strategic_alignment(objectives: list[dict]) -> float | None:
    aligned = sum(1 for o in objectives if o.get("status") in ALIGNED_STATUSES)
    share = ratio(aligned, len(objectives))
    return None if share is None else share * 100


# --- ValueStreams --------------------------------------------------------------------


def value_stream(row: dict) -> dict:
    baseline = row.get("cycle_time_baseline_hours")
    current = row.get("cycle_time_current_hours")
    target = row.get("cycle_time_target_hours")
    reduction = None
    if baseline is not None and baseline > 0 and current is not None:
        reduction = (baseline - current) / baseline * 100
    if current is not None and target is not None and current <= target:
        progress = "🟢 Target Met"
    elif reduction is None:
        progress = None
    elif reduction >= 50:
        progress = "🟡 Progressing"
    else:
        progress = "🔴 Needs Improvement"
    before = row.get("cost_per_transaction_before_usd")
    after = row.get("cost_per_transaction_after_usd")
    volume = row.get("annual_transaction_volume")
    # No cost before (0 or missing) means nothing was measured to save against: no figure, rather than
    # a "saving" of minus the whole new cost.  A real rise in cost stays negative.
    savings = None if not before or None in (after, volume) else (before - after) * volume
    revenue = row.get("revenue_impact_usd")
    parts = [p for p in (savings, revenue) if p is not None]
    return {
        "cycle_time_reduction_percent": rounded(reduction),
        "cycle_time_progress_indicator": progress,
        "annual_cost_savings_usd": rounded(savings, 2),
        "total_business_value_usd": rounded(sum(parts), 2) if parts else None,
    }


# --- Initiatives ---------------------------------------------------------------------

STATUS_COLORS = {"Completed": "🟢", "In Progress": "🟡", "On Hold": "🟠", "Cancelled": "⚫"}


def initiative(row: dict, today: dt.date) -> dict:
    status = row.get("status")
    target = as_date(row.get("target_completion_date"))
    actual = as_date(row.get("actual_completion_date"))
    if target is None:
        overdue = None
    elif actual is None and status not in ("Completed", "Cancelled") and today > target:
        overdue = (today - target).days
    else:
        overdue = 0
    if overdue is not None and overdue > 30:
        flag = "🔴 Severely Delayed"
    elif overdue is not None and overdue > 7:
        flag = "🟡 Delayed"
    elif status == "Completed":
        late = actual is not None and target is not None and actual > target
        flag = "🟠 Completed Late" if late else "🟢 On Time"
    else:
        flag = None
    investment = row.get("investment_amount_usd")
    benefit = row.get("expected_annual_benefit_usd")
    payback = ratio(investment, benefit / 12) if benefit is not None and benefit > 0 else None
    roi = None
    if investment is not None and investment > 0 and benefit is not None:
        roi = (benefit * 3 - investment) / investment * 100
    return {
        "status_color": STATUS_COLORS.get(status, "🔵"),
        "days_overdue": overdue,
        "on_time_flag": flag,
        "expected_payback_months": rounded(payback),
        "three_year_roi_percent": rounded(roi, 0),
    }


# --- StakeholderOutcomes -------------------------------------------------------------


def outcome_achievement(row: dict) -> float | None:
    """Unrounded target achievement in percent, or None when it cannot be computed."""
    baseline, current, target = row.get("baseline_value"), row.get("current_value"), row.get("target_value")
    if None in (baseline, current, target):
        return None
    share = ratio(current - baseline, target - baseline)
    return None if share is None else share * 100


def outcome(row: dict) -> dict:
    baseline, current, target = row.get("baseline_value"), row.get("current_value"), row.get("target_value")
    improvement = None
    if baseline is not None and current is not None:
        share = ratio(current - baseline, abs(baseline))
        if share is not None:
            improvement = -share * 100 if target is not None and target < baseline else share * 100
    achievement = outcome_achievement(row)
    if current is None:
        status = "Not Started"
    elif achievement is None:
        status = None
    elif achievement >= 100:
        status = "Achieved"
    elif achievement >= 75:
        status = "On Track"
    else:
        status = "Needs Attention"
    return {
        "improvement_percent": rounded(improvement),
        "target_achievement_percent": rounded(achievement, 0),
        "status": status,
    }


def business_value_realization(outcomes: list[dict]) -> float | None:
    """Mean target achievement of an account's started outcomes, each held to 0-100.

    Holding each outcome to 0-100 before averaging keeps one outcome far past
    its target from hiding another that went backwards.
    """
    values = []
    for o in outcomes:
        if o.get("current_value") is not None:
            achievement = outcome_achievement(o)
            if achievement is not None:
                values.append(clamp(achievement))
    return sum(values) / len(values) if values else None
