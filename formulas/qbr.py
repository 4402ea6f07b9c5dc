"""GetQBRBrief: the facts of seed 001's QBR deck for one account and period, as Markdown and JSON.

Decisions where seed 001 is loose:
- The period defaults to the last 180 days up to today (seed 001's Date_Range_Start default); the
  start may not be after the end.  The period selects the initiatives completed in it; everything
  else is the account's state today (objectives, metrics, outcomes, value streams, risks, tasks).
- Objectives: every objective but Cancelled ones, counted by status and listed with their progress.
- Top metrics: seed 001 ranks by "Business_Impact_Statement", a text; we take the five metrics that
  have one, the least healthy first (Critical, Needs Attention, On Track), then by name.
- Completed initiatives: as CalculatePlatformROI counts them (formulas/roi.py): investment, annual
  benefit (realized, else expected) and each one's 3-year ROI, with the totals.
- Outcomes "with high achievement": target achievement of 75% or more, highest first, at most five.
- Top value streams: three by total business value.
- Risks: open ones (not Mitigated, Accepted or Closed) of level Critical or High, highest score first.
- Next steps: the five open tasks due soonest (overdue ones first), then the latest engagement's own
  next steps, if it recorded any.
- Text from the data is Markdown-escaped and folded onto one line, so a title can never start a
  heading, a list or a link in the brief (in Coda or on the dashboard); the JSON keeps it as stored.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable

from formulas.engagement import OPEN_TASK_STATUSES
from formulas.pack import FormulaError
from formulas.platform import METRIC_STATUS_SCORE
from formulas.roi import completed_in
from schemas.values import DATE_RANGE, compact_usd, parse_date

DEFAULT_DAYS = 180
HIGH_ACHIEVEMENT = 75.0
CLOSED_RISK = ("Mitigated", "Accepted", "Closed")


def period(start_text: str | None, end_text: str | None, today: dt.date) -> tuple[dt.date, dt.date]:
    def date_of(param: str, text: str | None, default: dt.date) -> dt.date:
        if text is None or not text.strip():
            return default
        try:
            return parse_date(text.strip())
        except ValueError:
            low, high = DATE_RANGE
            message = f"{param} must be a date in the form YYYY-MM-DD from {low} to {high}; got {text!r}."
            raise FormulaError(param, "bad_date", message) from None

    end = date_of("endDate", end_text, today)
    start = date_of("startDate", start_text, max(end - dt.timedelta(days=DEFAULT_DAYS), DATE_RANGE[0]))
    if start > end:
        raise FormulaError("startDate", "bad_date", f"startDate {start} is after endDate {end}.")
    return start, end


def _mine(rows: list[dict], account_id: str) -> list[dict]:
    return [r for r in rows if (r.get("account") or {}).get("account_id") == account_id]


def _label(status: str | None) -> str:
    """A served status without its colour emoji: '🔴 Critical' -> 'Critical'."""
    return (status or "").split(" ", 1)[-1] if status and not status[0].isalnum() else status or "n/a"


def brief(account: dict, rows: Callable[[str], list[dict]], start: dt.date, end: dt.date) -> dict:
    """The brief's facts for one account; `rows(table)` gives a table's served rows."""
    account_id = account["account_id"]
    objectives = [o for o in _mine(rows("StrategicObjectives"), account_id) if o.get("status") != "Cancelled"]
    metrics = sorted(
        (m for m in _mine(rows("PlatformHealthMetrics"), account_id) if m.get("business_impact_statement")),
        key=lambda m: (METRIC_STATUS_SCORE.get(m.get("health_status"), 101), m["metric_name"]),
    )[:5]
    initiatives = completed_in(_mine(rows("Initiatives"), account_id), start, end)
    outcomes = sorted(
        (
            o
            for o in _mine(rows("StakeholderOutcomes"), account_id)
            if (o.get("target_achievement_percent") or 0) >= HIGH_ACHIEVEMENT
        ),
        key=lambda o: -o["target_achievement_percent"],
    )[:5]
    streams = sorted(_mine(rows("ValueStreams"), account_id), key=lambda v: -(v.get("total_business_value_usd") or 0))[
        :3
    ]
    risks = sorted(
        (
            r
            for r in _mine(rows("RiskRegister"), account_id)
            if r.get("status") not in CLOSED_RISK and r.get("risk_level") in ("Critical", "High")
        ),
        key=lambda r: (-(r.get("risk_score") or 0), r["risk_id"]),
    )
    tasks = sorted(
        (t for t in _mine(rows("ActivitiesTasks"), account_id) if t.get("status") in OPEN_TASK_STATUSES),
        key=lambda t: (t.get("due_date") or "9999-12-31", t["task_id"]),
    )[:5]
    engagements = sorted(_mine(rows("EngagementLog"), account_id), key=lambda e: e.get("engagement_date") or "")
    latest = engagements[-1] if engagements else None
    return {
        "account": {"account_id": account_id, "account_name": account["account_name"]},
        "from": start.isoformat(),
        "to": end.isoformat(),
        "health_score": account.get("health_score"),
        "renewal_risk_level": account.get("renewal_risk_level"),
        "arr": account.get("arr"),
        "renewal_date": account.get("renewal_date"),
        "days_to_renewal": account.get("days_to_renewal"),
        "csm": (account.get("customer_success_manager") or {}).get("full_name"),
        "objectives_by_status": dict(Counter(o.get("status") or "No Status" for o in objectives).most_common()),
        "objectives": [
            {
                "objective_id": o["objective_id"],
                "name": o["objective_name"],
                "status": o.get("status"),
                "progress_percent": o.get("progress_percent"),
            }
            for o in objectives
        ],  # fmt: skip
        "top_metrics": [
            {
                "metric_id": m["metric_id"],
                "name": m["metric_name"],
                "current_value": m.get("current_value"),
                "target_value": m.get("target_value"),
                "unit": m.get("unit"),
                "health": _label(m.get("health_status")),
                "impact": m["business_impact_statement"],
            }
            for m in metrics
        ],  # fmt: skip
        "completed_initiatives": initiatives,
        "outcomes": [
            {
                "outcome_id": o["outcome_id"],
                "stakeholder": o.get("stakeholder_name"),
                "statement": o.get("outcome_statement"),
                "target_achievement_percent": o["target_achievement_percent"],
                "status": o.get("status"),
            }
            for o in outcomes
        ],  # fmt: skip
        "top_value_streams": [
            {
                "value_stream_id": v["value_stream_id"],
                "name": v["value_stream_name"],
                "total_business_value_usd": v.get("total_business_value_usd"),
            }
            for v in streams
        ],  # fmt: skip
        "open_risks": [
            {
                "risk_id": r["risk_id"],
                "title": r["risk_title"],
                "level": r.get("risk_level"),
                "status": r.get("status"),
                "mitigation": r.get("mitigation_strategy"),
            }
            for r in risks
        ],  # fmt: skip
        "next_steps": [
            {
                "task_id": t["task_id"],
                "title": t["task_title"],
                "owner": (t.get("owner") or {}).get("full_name"),
                "due_date": t.get("due_date"),
                "overdue": bool(t.get("is_overdue")),
            }
            for t in tasks
        ],  # fmt: skip
        "last_engagement_next_steps": (latest or {}).get("next_steps"),
    }


_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_\[\]<>&|~])")
_LINE_START = re.compile(r"^(?:([#+\->=])|(\d+)([.)]))")


def md_text(text: str) -> str:
    """`text` as literal Markdown: on one line, its inline punctuation escaped, and nothing at its start
    that would open a heading, list, quote or setext line when it begins a line or a list item."""
    flat = _MARKDOWN_PUNCTUATION.sub(r"\\\1", " ".join(text.split()))
    return _LINE_START.sub(lambda m: "\\" + m.group(1) if m.group(1) else m.group(2) + "\\" + m.group(3), flat)


def _escaped(value):
    if isinstance(value, str):
        return md_text(value)
    if isinstance(value, dict):
        return {k: _escaped(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_escaped(v) for v in value]
    return value


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:g}%"


def _objective(o: dict) -> str:
    return f"- {o['name']}: {o['status']}, {o['progress_percent'] or 0}%"


def _metric(m: dict) -> str:
    unit = f" {m['unit']}" if m["unit"] else ""
    return f"- {m['name']}: {m['current_value']}{unit} against {m['target_value']} ({m['health']}). {m['impact']}"


def _initiative(i: dict) -> str:
    return (
        f"- {i['name']} ({i['completed']}): investment {compact_usd(i['investment'])}, annual benefit "
        f"{compact_usd(i['annual_benefit'])} ({i['benefit_basis']}), 3-year ROI {_percent(i['three_year_roi_percent'])}"
    )


def _outcome(o: dict) -> str:
    achieved = _percent(o["target_achievement_percent"])
    return f"- {o['stakeholder']}: {o['statement']} ({achieved} of target, {o['status']})"


def _risk(r: dict) -> str:
    return f"- {r['title']} ({r['level']}, {r['status']})" + (f": {r['mitigation']}" if r["mitigation"] else "")


def _step(t: dict) -> str:
    overdue = ", overdue" if t["overdue"] else ""
    return f"- {t['title']} ({t['owner'] or 'unassigned'}, due {t['due_date'] or 'n/a'}{overdue})"


def markdown(facts: dict) -> str:
    """The brief as Markdown, for a Coda canvas or a doc."""
    facts = _escaped(facts)
    health = "n/a" if facts["health_score"] is None else f"{facts['health_score']:.1f} ({facts['renewal_risk_level']})"
    renewal = facts["renewal_date"] or "n/a"
    if facts["days_to_renewal"] is not None:
        renewal += f" ({facts['days_to_renewal']} days)"
    csm = facts["csm"] or "unassigned"
    out = [
        f"# QBR brief: {facts['account']['account_name']} ({facts['from']} to {facts['to']})",
        "",
        f"Health {health} · ARR {compact_usd(facts['arr'])} · renewal {renewal} · CSM {csm}",
        "",
    ]

    def section(title: str, lines: list[str], empty: str) -> None:
        out.extend([f"## {title}", *(lines or [f"- {empty}"]), ""])

    counts = ", ".join(f"{n} {status}" for status, n in facts["objectives_by_status"].items())
    section(f"Objectives ({counts})" if counts else "Objectives", list(map(_objective, facts["objectives"])), "none")
    section("Top metrics", list(map(_metric, facts["top_metrics"])), "none with a business impact recorded")
    done = facts["completed_initiatives"]
    lines = list(map(_initiative, done))
    if done:
        total, benefit = sum(i["investment"] for i in done), sum(i["annual_benefit"] for i in done)
        lines.append(f"- Total: investment {compact_usd(total)}, annual benefit {compact_usd(benefit)}")
    section("Initiatives completed in the period", lines, "none completed in the period")
    section("Outcomes", list(map(_outcome, facts["outcomes"])), f"none at {HIGH_ACHIEVEMENT:g}% of target or more yet")
    streams = [
        f"- {v['name']}: {compact_usd(v['total_business_value_usd'])} a year" for v in facts["top_value_streams"]
    ]
    section("Top value streams", streams, "none recorded")
    section("Open Critical and High risks", list(map(_risk, facts["open_risks"])), "none")
    steps = list(map(_step, facts["next_steps"]))
    if facts["last_engagement_next_steps"]:
        steps.append(f"- From the last engagement: {' '.join(facts['last_engagement_next_steps'].split())}")
    section("Next steps", steps, "no open tasks")
    return "\n".join(out).rstrip() + "\n"
