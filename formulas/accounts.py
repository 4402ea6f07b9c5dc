"""AccountMaster's health, renewal and engagement columns, and PeopleTeam's rollups.

Health (design §3): the weighted mean of the components that have inputs --
platform technical health 0.35, business value realization 0.30, stakeholder
engagement 0.20, strategic alignment 0.15 -- with the weights of missing
components left out and the rest renormalised (sum(w*s) / sum(w)).  Each
component is held to 0-100; with no component at all the score is None.

PeopleTeam's workload columns roll up the accounts a person is assigned to in any of the four team
roles (CSM, AE, solutions architect, executive sponsor: `accounts_assigned`), so an account counts
for each of its people:
- at-risk accounts and ARR: renewal risk level Critical or At Risk (an account without ARR counts,
  adding nothing to the ARR), of accounts not Churned or Expired (as GetPortfolioSummary counts);
- renewals in the next 90 days: the renewal date from today to today + 90, both included (one
  already past is not upcoming), again of accounts not Churned or Expired;
- overdue tasks: the tasks the person *owns* (ActivitiesTasks.owner), open and past their due date,
  whatever account they are for.
"""

from __future__ import annotations

import datetime as dt

from formulas.common import as_date, clamp, mean, rounded

WEIGHTS = {
    "platform_technical_health": 0.35,
    "business_value_realization": 0.30,
    "stakeholder_engagement": 0.20,
    "strategic_alignment": 0.15,
}
ENGAGEMENT_WINDOW_DAYS = 90
CADENCE_DAYS = {"Signature Success": 14, "Premier Success": 30}
DEFAULT_CADENCE_DAYS = 60
DUE_SOON_DAYS = 7
AT_RISK_LEVELS = ("Critical", "At Risk")
INACTIVE_STATUSES = ("Churned", "Expired")
RENEWAL_WINDOW_DAYS = 90


def health_score(components: dict[str, float | None]) -> float | None:
    weighted = [(WEIGHTS[k], clamp(v)) for k, v in components.items() if v is not None]
    total = sum(w for w, _ in weighted)
    if not weighted:
        return None
    return sum(w * s for w, s in weighted) / total


def stakeholder_engagement(engagements: list[dict], today: dt.date) -> float | None:
    """Mean relationship depth (1-10) of the last 90 days' engagements, times 10."""
    start = (today - dt.timedelta(days=ENGAGEMENT_WINDOW_DAYS)).isoformat()
    end = today.isoformat()
    depth = mean(
        e.get("relationship_depth_score") for e in engagements if start <= (e.get("engagement_date") or "") <= end
    )
    return None if depth is None else depth * 10


def renewal_risk(health: float | None, days_to_renewal: int | None) -> str:
    if health is None:
        return "No Data"
    days = days_to_renewal if days_to_renewal is not None else 10**9
    if health < 60 and days < 180:
        return "Critical"
    if health < 70 and days < 365:
        return "At Risk"
    if health < 80:
        return "Attention Needed"
    return "Healthy"


def change_flag(trend: float | None) -> str | None:
    if trend is None:
        return None
    if trend < -5:
        return "🔴 Declining"
    if trend > 5:
        return "🟢 Improving"
    return "→ Stable"


def cadence_status(next_due: dt.date | None, today: dt.date) -> str:
    if next_due is None:
        return "No History"
    if next_due < today:
        return "Overdue"
    if (next_due - today).days <= DUE_SOON_DAYS:
        return "Due Soon"
    return "On Track"


def engagement_columns(account: dict, engagements: list[dict], today: dt.date) -> dict:
    """Last engagement (logged dates up to today), cadence by contract type, next due, status."""
    past = [
        e["engagement_date"] for e in engagements if e.get("engagement_date") and e["engagement_date"] <= str(today)
    ]
    last = as_date(max(past)) if past else None
    cadence = CADENCE_DAYS.get(account.get("contract_type"), DEFAULT_CADENCE_DAYS)
    next_due = last + dt.timedelta(days=cadence) if last else None
    return {
        "last_engagement_date": last.isoformat() if last else None,
        "engagement_cadence_days": cadence,
        "next_engagement_due": next_due.isoformat() if next_due else None,
        "engagement_cadence_status": cadence_status(next_due, today),
    }


def account(
    row: dict,
    components: dict[str, float | None],
    health_30_days_ago: float | None,
    engagements: list[dict],
    today: dt.date,
) -> dict:
    renewal = as_date(row.get("renewal_date"))
    days = (renewal - today).days if renewal else None
    health = health_score(components)
    shown = rounded(health)
    trend = None if shown is None or health_30_days_ago is None else rounded(shown - health_30_days_ago)
    return {
        "days_to_renewal": days,
        **{k: rounded(clamp(v)) for k, v in components.items()},
        "health_score": shown,
        "health_score_trend_30d": trend,
        "health_score_change_flag": change_flag(trend),
        "renewal_risk_level": renewal_risk(shown, days),
        **engagement_columns(row, engagements, today),
    }


def person(accounts: list[tuple[dict, dict]], overdue_tasks: int) -> dict:
    """Rollups over the (stored row, derived values) of the accounts a person covers, and the number
    of overdue tasks they own."""
    arr = [a.get("arr") for a, _ in accounts if a.get("arr") is not None]
    active = [(a, d) for a, d in accounts if a.get("account_status") not in INACTIVE_STATUSES]
    at_risk = [a for a, d in active if d.get("renewal_risk_level") in AT_RISK_LEVELS]
    return {
        "account_count": len(accounts),
        "total_arr_managed": sum(arr) if arr else 0,
        "avg_health_score": rounded(mean(d.get("health_score") for _, d in accounts)),
        "at_risk_accounts": len(at_risk),
        "at_risk_arr": sum(a.get("arr") or 0 for a in at_risk),
        "overdue_tasks": overdue_tasks,
        "renewals_next_90_days": sum(
            1
            for _, d in active
            if d.get("days_to_renewal") is not None and 0 <= d["days_to_renewal"] <= RENEWAL_WINDOW_DAYS
        ),
    }
