"""What each dashboard page shows, computed from one snapshot: plain dicts for the templates.

The figures are the formulas' and views' own (GetPortfolioSummary, GetQBRBrief, the derived
columns), so the page, the pack and the API never disagree.

Decisions:
- The overview is of every active account (Churned and Expired are not in a portfolio).
- At-risk accounts: renewal risk level Critical or At Risk (as the portfolio's at-risk ARR), the
  nearest renewal first.
- CSM workload: every active CSM who has accounts, and anyone else holding overdue tasks (an SE's
  overdue work is the team's workload too), the largest at-risk ARR first.  The figures are
  PeopleTeam's derived columns.
- Renewal pipeline: twelve calendar months from the current one.
- An account page's QBR brief covers GetQBRBrief's default period.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from formulas import qbr
from formulas.accounts import AT_RISK_LEVELS, INACTIVE_STATUSES
from formulas.pack import compact_usd
from formulas.portfolio import portfolio
from schemas import get_table
from service.dashboard import charts

PIPELINE_MONTHS = 12
TONES = {"Critical": "critical", "At Risk": "at-risk", "Attention Needed": "attention", "Healthy": "healthy"}
BAND_TONES = {"80+": "healthy", "70-80": "attention", "60-70": "at-risk", "under 60": "critical", "no data": "none"}


def risk_levels() -> tuple[str, ...]:
    return tuple(get_table("AccountMaster").field("renewal_risk_level").options)


def tone(level: str | None) -> str:
    return TONES.get(level or "", "none")


def _months(today: dt.date, count: int) -> list[dt.date]:
    out, year, month = [], today.year, today.month
    for _ in range(count):
        out.append(dt.date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _renewal_pipeline(accounts: list[dict], today: dt.date) -> dict:
    months = _months(today, PIPELINE_MONTHS)
    window_end = months[-1].replace(day=28) + dt.timedelta(days=4)
    window_end = window_end - dt.timedelta(days=window_end.day)  # the last day of the last month
    levels = risk_levels()
    sums: dict[dt.date, dict[str, float]] = {m: dict.fromkeys(levels, 0.0) for m in months}
    counts = dict.fromkeys(months, 0)
    past = beyond = 0
    for a in accounts:
        if not a.get("renewal_date"):
            continue
        day = dt.date.fromisoformat(a["renewal_date"])
        if day < today:
            past += 1
            continue
        if day > window_end:
            beyond += 1
            continue
        month = day.replace(day=1)
        sums[month][a.get("renewal_risk_level") or levels[-1]] += a.get("arr") or 0
        counts[month] += 1
    stacks = {m: [(lvl, v, tone(lvl)) for lvl, v in sums[m].items() if v] for m in months}
    total = sum(counts.values())
    summary = (
        f"{total} renewal{'s' if total != 1 else ''} worth {compact_usd(sum(sum(s.values()) for s in sums.values()))} "
        f"from {months[0]:%B %Y} to {months[-1]:%B %Y}: "
        + (
            "; ".join(f"{m:%b %Y} {counts[m]} ({compact_usd(sum(sums[m].values()))})" for m in months if counts[m])
            or "none"
        )  # fmt: skip
        + f". {past} renewal date{'s' if past != 1 else ''} already past, {beyond} later."
    )
    rows = [
        {"month": m, "accounts": counts[m], "arr": sum(sums[m].values()), "by_level": sums[m]}
        for m in months
        if counts[m]
    ]
    return {
        "chart": charts.pipeline(months, stacks, compact_usd, summary),
        "rows": rows,
        "past": past,
        "beyond": beyond,
        "levels": [(lvl, tone(lvl)) for lvl in levels],
    }


def _workload(people: list[dict]) -> list[dict]:
    busy = [
        p
        for p in people
        if p.get("active_status") is not False
        and ((p.get("role") == "CSM" and p.get("account_count")) or p.get("overdue_tasks"))
    ]
    return sorted(busy, key=lambda p: (-(p.get("at_risk_arr") or 0), -(p.get("overdue_tasks") or 0), p["full_name"]))


def overview(snap: Any) -> dict:
    accounts = [a for a in snap.rows("AccountMaster").rows if a.get("account_status") not in INACTIVE_STATUSES]
    figures = portfolio(accounts, None)
    at_risk = sorted(
        (a for a in accounts if a.get("renewal_risk_level") in AT_RISK_LEVELS),
        key=lambda a: (a.get("days_to_renewal") is None, a.get("days_to_renewal") or 0, a["account_name"].casefold()),
    )
    open_risks = [
        r
        for r in snap.rows("RiskRegister").rows
        if r.get("status") not in qbr.CLOSED_RISK and r.get("risk_level") in ("Critical", "High")
    ]
    bands = [(band, n, BAND_TONES[band]) for band, n in figures["health_distribution"].items()]
    return {
        "today": snap.today,
        "version": snap.version,
        "figures": figures,
        "open_risks": len(open_risks),
        "health_chart": charts.distribution(bands),
        "pipeline": _renewal_pipeline(accounts, snap.today),
        "at_risk": at_risk,
        "workload": _workload(snap.rows("PeopleTeam").rows),
        "accounts": sorted(accounts, key=lambda a: a["account_name"].casefold()),
    }


def account(snap: Any, account_row: dict) -> dict:
    start, end = qbr.period(None, None, snap.today)
    facts = qbr.brief(account_row, lambda table: snap.rows(table).rows, start, end)
    account_id = account_row["account_id"]
    history = [
        (dt.date.fromisoformat(h["snapshot_date"]), h["health_score"])
        for h in snap.rows("AccountHealthHistory").rows
        if (h.get("account") or {}).get("account_id") == account_id
        and h.get("snapshot_date")
        and h.get("health_score") is not None
    ]
    score = account_row.get("health_score")
    now = (snap.today, score) if score is not None else None
    return {
        "today": snap.today,
        "version": snap.version,
        "account": account_row,
        "tone": tone(account_row.get("renewal_risk_level")),
        "brief_markdown": qbr.markdown(facts),
        "trend_chart": charts.trend(history, account_row["account_name"], now),
        "history_points": len(history),
    }
