"""What each dashboard page shows, computed from one snapshot: plain dicts for the templates.

The figures are the formulas' and views' own (GetPortfolioSummary, GetQBRBrief, the derived
columns), so the page, the pack and the API never disagree.

Decisions:
- The overview is of every active account (Churned and Expired are not in a portfolio).
- At-risk accounts: renewal risk level Critical or At Risk (as the portfolio's at-risk ARR), the
  nearest renewal first.
- Open Critical or High risks: of active accounts, as every other figure on the page.
- CSM workload: everyone who is CSM of an active account (an inactive person too, flagged: their
  accounts still need someone), and any other active person holding overdue tasks (an SE's overdue
  work is the team's too); the largest at-risk ARR first.  The account figures are
  GetPortfolioSummary's for that person's active accounts; overdue tasks are PeopleTeam's column.
- Long lists stop at 50 rows (a portfolio of thousands stays a page), with how many more and the
  view that lists them all: at-risk accounts, the CSM workload, and the accounts, the least healthy
  first.
- Renewal pipeline: twelve calendar months from the current one.
- An account page's QBR brief covers GetQBRBrief's default period.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import Any

from formulas import qbr
from formulas.accounts import AT_RISK_LEVELS, INACTIVE_STATUSES
from formulas.portfolio import portfolio
from schemas import Table, get_table
from schemas.values import compact_usd
from service.dashboard import cells, charts
from views.evaluate import View

PIPELINE_MONTHS = 12
LIST_LIMIT = 50
VIEW_ROW_LIMIT = 500
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


def _renewals(n: int) -> str:
    return f"{n} renewal{'s' if n != 1 else ''}"


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
    months_with = [
        f"{m:%b %Y}: {_renewals(counts[m])}, {compact_usd(sum(sums[m].values()))}" for m in months if counts[m]
    ]
    summary = (
        f"{_renewals(total)} worth {compact_usd(sum(sum(s.values()) for s in sums.values()))} "
        f"from {months[0]:%B %Y} to {months[-1]:%B %Y}: {'; '.join(months_with) or 'none'}. "
        f"{past} renewal date{'s' if past != 1 else ''} already past, {beyond} later."
    )
    return {
        "chart": charts.pipeline(months, stacks, compact_usd, summary),
        "levels": [(lvl, tone(lvl)) for lvl in levels],
    }


def _workload(accounts: list[dict], people: list[dict]) -> list[dict]:
    """One row a person: GetPortfolioSummary's figures for the active accounts they are CSM of, and the
    overdue tasks they own (PeopleTeam's column)."""
    books: dict[str, list[dict]] = defaultdict(list)
    for a in accounts:
        csm = (a.get("customer_success_manager") or {}).get("person_id")
        if csm:
            books[csm].append(a)
    names = Counter(p["full_name"].casefold() for p in people)
    rows = []
    for p in people:
        book = books.get(p["person_id"], [])
        overdue = p.get("overdue_tasks") or 0
        if not book and not (overdue and p.get("active_status") is not False):
            continue
        figures = portfolio(book, None)
        rows.append(
            {
                "person": p,
                "inactive": p.get("active_status") is False,
                # The view's csm filter takes a name; a shared name needs the id.
                "csm_filter": (p["full_name"] if names[p["full_name"].casefold()] == 1 else p["person_id"])
                if book
                else None,
                "overdue_tasks": overdue,
                **figures,
            }
        )
    return sorted(
        rows, key=lambda r: (-r["at_risk_arr"], -r["overdue_tasks"], -r["total_arr"], r["person"]["full_name"])
    )


def _shown(rows: list[dict]) -> tuple[list[dict], int]:
    return rows[:LIST_LIMIT], max(0, len(rows) - LIST_LIMIT)


def overview(snap: Any) -> dict:
    accounts = [a for a in snap.rows("AccountMaster").rows if a.get("account_status") not in INACTIVE_STATUSES]
    active_ids = {a["account_id"] for a in accounts}
    figures = portfolio(accounts, None)
    at_risk = sorted(
        (a for a in accounts if a.get("renewal_risk_level") in AT_RISK_LEVELS),
        key=lambda a: (a.get("days_to_renewal") is None, a.get("days_to_renewal") or 0, a["account_name"].casefold()),
    )
    open_risks = [
        r
        for r in snap.rows("RiskRegister").rows
        if r.get("status") not in qbr.CLOSED_RISK
        and r.get("risk_level") in ("Critical", "High")
        and (r.get("account") or {}).get("account_id") in active_ids
    ]
    bands = [(band, n, BAND_TONES[band]) for band, n in figures["health_distribution"].items()]
    at_risk_shown, at_risk_more = _shown(at_risk)
    by_health = sorted(accounts, key=lambda a: (a.get("health_score") is None, a.get("health_score") or 0))
    accounts_shown, accounts_more = _shown(by_health)
    workload_shown, workload_more = _shown(_workload(accounts, snap.rows("PeopleTeam").rows))
    return {
        "today": snap.today,
        "version": snap.version,
        "figures": figures,
        "open_risks": len(open_risks),
        "health_chart": charts.distribution(bands),
        "pipeline": _renewal_pipeline(accounts, snap.today),
        "at_risk": at_risk_shown,
        "at_risk_more": at_risk_more,
        "workload": workload_shown,
        "workload_more": workload_more,
        "accounts": accounts_shown,
        "accounts_more": accounts_more,
    }


BRIEF_TABLES = (
    "StrategicObjectives",
    "PlatformHealthMetrics",
    "Initiatives",
    "StakeholderOutcomes",
    "ValueStreams",
    "RiskRegister",
    "ActivitiesTasks",
    "EngagementLog",
    "AccountHealthHistory",
)


def _by_account(snap: Any) -> dict[str, dict[str, list[dict]]]:
    """{table: {account id: served rows}} for what an account's page reads, built once per snapshot, so a
    page reads its own account's rows instead of every row of nine tables."""
    index: dict[str, dict[str, list[dict]]] = {}
    for name in BRIEF_TABLES:
        mine: dict[str, list[dict]] = defaultdict(list)
        for row in snap.rows(name).rows:
            account = row.get("account")
            if isinstance(account, dict) and account.get("account_id"):
                mine[account["account_id"]].append(row)
        index[name] = dict(mine)
    return index


def account(snap: Any, account_row: dict) -> dict:
    start, end = qbr.period(None, None, snap.today)
    account_id = account_row["account_id"]
    index = snap.memo("dashboard.by_account", lambda: _by_account(snap))

    def rows(table: str) -> list[dict]:
        return index[table].get(account_id, [])

    facts = qbr.brief(account_row, rows, start, end)
    history = [
        (dt.date.fromisoformat(h["snapshot_date"]), h["health_score"])
        for h in rows("AccountHealthHistory")
        if h.get("snapshot_date") and h.get("health_score") is not None
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
    }


def _cells(table: Table, keys: list[str], row: dict) -> list[cells.Cell]:
    out = [cells.cell(table, k, row.get(k)) for k in keys]
    if table.name == "AccountMaster":  # the account's name links to its page
        out[0] = cells.Cell(out[0].text, row.get("account_id"))
    return out


def view(snap: Any, chosen: View, body: dict | None) -> dict:
    """A view's page: headings, and its groups of cells with their formatting classes, at most
    VIEW_ROW_LIMIT rows in all (`csm view` and the API give every row)."""
    table = chosen.table
    keys = list(dict.fromkeys((table.display_key, *chosen.columns)))
    # Formatting may test a column the view does not show: classes come from the whole served row.
    served = {r[table.id_key]: r for r in snap.rows(table.name).rows} if chosen.formatting and body else {}
    groups, left = [], VIEW_ROW_LIMIT
    for group in (body or {}).get("groups", []):
        rows = group["rows"][:left]
        left -= len(rows)
        groups.append(
            {
                "label": group["group"],
                "count": len(group["rows"]),
                "rows": [
                    {
                        "cells": _cells(table, keys, r),
                        "classes": cells.row_classes(table, served.get(r[table.id_key], r), chosen.formatting),
                    }
                    for r in rows
                ],
            }
        )
    count = body["row_count"] if body else 0
    return {
        "today": snap.today,
        "version": snap.version,
        "headers": [table.field(k).label for k in keys],  # the column names a Coda doc shows
        "groups": groups,
        "row_count": count,
        "hidden": max(0, count - VIEW_ROW_LIMIT),
        "limit": VIEW_ROW_LIMIT,
    }
