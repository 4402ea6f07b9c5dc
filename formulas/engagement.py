"""RiskRegister, ActivitiesTasks and SuccessPlanTracker."""

from __future__ import annotations

import datetime as dt

from formulas.common import as_date, ratio, rounded
from schemas import get_table

IMPACT_SCORES = {"Critical": 5, "High": 4, "Medium": 3, "Low": 2}
PROBABILITY_SCORES = {"Very Likely (>75%)": 5, "Likely (50-75%)": 4, "Possible (25-50%)": 3, "Unlikely (<25%)": 2}
OPEN_RISK_STATUSES = frozenset({"Open", "In Progress"})


def risk_level(score: int | None) -> str | None:
    if score is None:
        return None
    if score >= 20:
        return "Critical"
    if score >= 12:
        return "High"
    if score >= 6:
        return "Medium"
    return "Low"


def risk(row: dict) -> dict:
    impact = IMPACT_SCORES.get(row.get("impact"))
    probability = PROBABILITY_SCORES.get(row.get("probability"))
    score = impact * probability if impact and probability else None
    return {
        "impact_score": impact,
        "probability_score": probability,
        "risk_score": score,
        "risk_level": risk_level(score),
    }


CLOSED_TASK_STATUSES = frozenset({"Done", "Cancelled"})
#: The task statuses that are open: every other option of ActivitiesTasks.status, in its order.
OPEN_TASK_STATUSES = tuple(
    s for s in get_table("ActivitiesTasks").field("status").options if s not in CLOSED_TASK_STATUSES
)


def task(row: dict, today: dt.date) -> dict:
    due = as_date(row.get("due_date"))
    if due is None:
        return {"days_overdue": None, "is_overdue": False}
    overdue = (today - due).days if row.get("status") not in CLOSED_TASK_STATUSES and today > due else 0
    return {"days_overdue": overdue, "is_overdue": overdue > 0}


def success_plan(row: dict, today: dt.date) -> dict:
    milestones = [m for m in row.get("milestones") or () if m.get("status") != "Cancelled"]
    done = sum(1 for m in milestones if m.get("status") == "Completed")
    share = ratio(done, len(milestones))
    end = as_date(row.get("period_end"))
    return {
        "milestones_total": len(milestones),
        "milestones_completed": done,
        "milestone_completion_percent": None if share is None else rounded(share * 100),
        "days_remaining": None if end is None else (end - today).days,
    }
