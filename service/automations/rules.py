"""The rules of `csm automate`, one function each, over one open store Transaction.

Each takes the transaction and a `Context` (today, the served rows of the data being written,
whether alerts will be posted) and returns an `Outcome`: the ids it created, updated and closed,
the alerts it raised, and a line per action for people.  A rule that raises leaves the
transaction, so the store, unchanged.

Decisions where the seeds are loose:
- `snapshot` is `csm snapshot`: today's health and metric values into the history, one row per
  account (metric) and day, updated in place by a second run the same day.
- Accounts Churned or Expired are left out of every account rule; an account without a health
  score (no data) is never "under" a threshold.
- `renewal-risk` (seed 001's Renewal Risk Detector): health under 70 and the renewal 0-179 days
  away (seed 001's `Days_To_Renewal < 180`; a renewal date already past is stale data, not a
  renewal to save).  The task: "Address renewal risk for <account>", type Renewal, priority High,
  due today + 2, owner the account's CSM (none if it has none), source "Renewal Risk Detector".
  At most one *open* (Not Started, In Progress, Waiting) such task per account, whatever its title
  has been edited to; once it is Done or Cancelled and the account is still at risk, the next run
  raises a new one: the risk is still there.  Seed 001's first action (set Renewal_Risk_Level) is
  already the derived column.  Its alert (CSM and AE) is raised with the task, once per task.
- `api-health` (seed 001's API Health Monitor): a Mission-Critical API whose health is Degraded
  or Critical gets a RiskRegister row: category Performance, impact Critical, probability Very
  Likely (it is happening), status Open, source "API Health Monitor", the API's revenue as the
  money at stake, its value streams and objectives as those at risk, the account's solutions
  architect as the mitigation owner.  The monitor counts only its own risks: a person's risk on
  the same API neither stops it nor is ever closed by it.  While one of its risks on the API is
  not Closed (Open, In Progress, Mitigated or Accepted by a person) it files no other.  When every
  API of its risk is Healthy again, or gone from the portfolio, the risk is Closed with the date
  and a note appended to its description.  A risk is raised and closed with an alert each (CSM
  and SA; Urgent for Critical).
- `health-alerts` (the CS program plan): health under 40 is an Urgent alert to the CSM and AE,
  else under 60 a Warning to the CSM (a health of 35 is one alert, not two); a drop of more than
  10 points against the 30-day trend's snapshot (`health_score_trend_30d < -10`, the same number
  Coda shows) a Warning to the CSM.  At most one per account, kind and day (the issue's cap); and
  while a condition holds it is repeated weekly, not daily (`REPEAT_DAYS`): a CSM told on Monday
  that an account is under 60 is not told again on Tuesday, and a channel of the same messages
  every morning would be muted.  A worse state is a new kind (under 60, then under 40), so it is
  said at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from formulas.accounts import INACTIVE_STATUSES
from formulas.engagement import OPEN_TASK_STATUSES
from schemas.values import MAX_LONG_TEXT
from service.automations.alerts import AlertBook, clip, recipients
from service.history import record_into
from service.snapshot import Snapshot
from service.store import Transaction

RENEWAL_DETECTOR, API_MONITOR = "Renewal Risk Detector", "API Health Monitor"
RENEWAL_HEALTH, RENEWAL_DAYS, TASK_DUE_DAYS = 70, 180, 2
LOW_HEALTH, RED_ZONE, DROP_POINTS = 60, 40, 10
REPEAT_DAYS = 7


@dataclass(frozen=True)
class Context:
    today: dt.date
    snap: Snapshot  # the served rows of the data this transaction started from
    delivers: bool  # alerts will be posted (a webhook is configured)

    def alerts(self, tx: Transaction, rule: str) -> AlertBook:
        return AlertBook(tx, rule, self.today, delivers=self.delivers)


@dataclass
class Outcome:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)
    alerts: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # what was done, one line each, for people

    def alert(self, alert_id: str | None) -> None:
        if alert_id is not None:
            self.alerts.append(alert_id)


def _money(value: float | None) -> str:
    return "no ARR recorded" if value is None else f"${value:,.0f}"


def _name(person: dict | None) -> str:
    return person["full_name"] if person else "nobody (no CSM assigned)"


def _active(accounts: list[dict]) -> list[dict]:
    return [
        a for a in accounts if a.get("account_status") not in INACTIVE_STATUSES and a.get("health_score") is not None
    ]


# --- snapshot -------------------------------------------------------------------------------------


def snapshot(tx: Transaction, ctx: Context) -> Outcome:
    done = record_into(tx, ctx.today, ctx.snap)
    out = Outcome(created=done.added_ids, updated=done.updated_ids)
    if done.added or done.updated:
        out.lines.append(f"history for {done.day}: {done.added} added, {done.updated} updated")
    return out


# --- renewal-risk ---------------------------------------------------------------------------------


def renewal_at_risk(account: dict) -> bool:
    days = account.get("days_to_renewal")
    return account["health_score"] < RENEWAL_HEALTH and days is not None and 0 <= days < RENEWAL_DAYS


def renewal_risk(tx: Transaction, ctx: Context) -> Outcome:
    out, book = Outcome(), ctx.alerts(tx, "renewal-risk")
    has_open_task = {
        t["account"]
        for t in tx.rows("ActivitiesTasks")
        if t.get("source") == RENEWAL_DETECTOR and t["status"] in OPEN_TASK_STATUSES
    }
    due = (ctx.today + dt.timedelta(days=TASK_DUE_DAYS)).isoformat()
    for account in _active(ctx.snap.rows("AccountMaster").rows):
        if not renewal_at_risk(account) or account["account_id"] in has_open_task:
            continue
        name, csm = account["account_name"], account.get("customer_success_manager")
        why = (
            f"Health {account['health_score']:g} (under {RENEWAL_HEALTH}) with the renewal on "
            f"{account['renewal_date']}, in {account['days_to_renewal']} days; ARR {_money(account.get('arr'))}."
        )
        task_id = tx.insert(
            "ActivitiesTasks",
            {
                "account": account["account_id"],
                "task_title": clip(f"Address renewal risk for {name}"),
                "owner": csm["person_id"] if csm else None,
                "task_type": "Renewal",
                "priority": "High",
                "status": "Not Started",
                "due_date": due,
                "source": RENEWAL_DETECTOR,
                "description": clip(f"{why} Raised by the Renewal Risk Detector on {ctx.today}.", MAX_LONG_TEXT),
            },
        )
        out.created.append(task_id)
        out.lines.append(f"task {task_id} for {name}: address renewal risk, due {due}, owner {_name(csm)}")
        out.alert(
            book.raise_alert(
                account["account_id"],
                "Renewal Risk",
                "Warning",
                f"Renewal risk: {name}, health {account['health_score']:g}, "
                f"renewal in {account['days_to_renewal']} days",
                f'{why} Task {task_id} "Address renewal risk" is due {due} for {_name(csm)}.',
                recipients(account, "CSM", "AE"),
                subject=task_id,
            )
        )
    return out


# --- api-health -----------------------------------------------------------------------------------


def _state(api: dict) -> str | None:
    """Healthy, Degraded or Critical from the served health status (which carries an emoji)."""
    status = api.get("health_status") or ""
    return next((s for s in ("Healthy", "Degraded", "Critical") if status.endswith(s)), None)


def _figures(api: dict) -> str:
    def shown(key: str, unit: str) -> str:
        value = api.get(key)
        return "n/a" if value is None else f"{value:g}{unit}"

    return (
        f"response time {shown('avg_response_time_ms', ' ms')} against an SLA of {shown('sla_target_ms', ' ms')} "
        f"(compliance {shown('sla_compliance_percent', '%')}), uptime {shown('uptime_percent', '%')}, "
        f"error rate {shown('error_rate_percent', '%')}, revenue through it "
        f"{_money(api.get('revenue_attribution_usd'))} a year"
    )


def _ids(refs: list[dict] | None, key: str) -> list[str]:
    return [r[key] for r in refs or []]


def api_health(tx: Transaction, ctx: Context) -> Outcome:
    out, book = Outcome(), ctx.alerts(tx, "api-health")
    accounts = {a["account_id"]: a for a in ctx.snap.rows("AccountMaster").rows}
    apis = {a["api_id"]: a for a in ctx.snap.rows("APIPortfolio").rows}
    standing = [r for r in tx.rows("RiskRegister") if r.get("source") == API_MONITOR and r["status"] != "Closed"]
    covered = {api_id for r in standing for api_id in r.get("affected_apis") or []}
    for risk in standing:  # recoveries first: a recovered API's risk is closed
        mine = [apis[i] for i in risk.get("affected_apis") or [] if i in apis]
        if any(_state(api) != "Healthy" for api in mine):
            continue
        account = accounts[risk["account"]]
        if mine:
            names = ", ".join(api["api_name"] for api in mine)
            note = f"{names} {'is' if len(mine) == 1 else 'are'} Healthy again: " + "; ".join(map(_figures, mine))
        else:
            names, note = "its API", "its API is no longer in the portfolio"
        text = f"{risk.get('description') or ''}\n\nClosed by the API Health Monitor on {ctx.today}: {note}.".strip()
        tx.update(
            "RiskRegister",
            risk["risk_id"],
            {"status": "Closed", "date_closed": ctx.today.isoformat(), "description": clip(text, MAX_LONG_TEXT)},
        )
        out.closed.append(risk["risk_id"])
        out.lines.append(f"risk {risk['risk_id']} closed: {names} recovered ({account['account_name']})")
        out.alert(
            book.raise_alert(
                account["account_id"],
                "API Recovered",
                "Info",
                f"Recovered: {names} ({account['account_name']}); risk {risk['risk_id']} closed",
                f"{note}.",
                recipients(account, "CSM", "SA"),
                subject=risk["risk_id"],
            )
        )
    for api in apis.values():
        state = _state(api)
        if api.get("business_criticality") != "Mission-Critical" or state not in ("Degraded", "Critical"):
            continue
        if api["api_id"] in covered:
            continue
        account = accounts[api["account"]["account_id"]]
        architect = account.get("solutions_architect")
        details = f"{api['api_name']} is {state} on {ctx.today}: {_figures(api)}."
        risk_id = tx.insert(
            "RiskRegister",
            {
                "account": account["account_id"],
                "risk_category": "Performance",
                "risk_title": clip(f"{api['api_name']} {state.lower()}"),
                "description": clip(f"Filed by the API Health Monitor. {details}", MAX_LONG_TEXT),
                "affected_apis": [api["api_id"]],
                "affected_value_streams": _ids(api.get("linked_value_streams"), "value_stream_id"),
                "linked_strategic_objectives_at_risk": _ids(api.get("linked_strategic_objectives"), "objective_id"),
                "impact": "Critical",
                "probability": "Very Likely (>75%)",
                "potential_business_impact_usd": api.get("revenue_attribution_usd"),
                "mitigation_owner": architect["person_id"] if architect else None,
                "date_identified": ctx.today.isoformat(),
                "status": "Open",
                "source": API_MONITOR,
            },
        )
        covered.add(api["api_id"])
        out.created.append(risk_id)
        out.lines.append(f"risk {risk_id} for {api['api_name']} ({account['account_name']}): {state}")
        out.alert(
            book.raise_alert(
                account["account_id"],
                "API Unhealthy",
                "Urgent" if state == "Critical" else "Warning",
                f"Mission-Critical API {state.lower()}: {api['api_name']} ({account['account_name']})",
                f"{details} Risk {risk_id} filed (impact Critical).",
                recipients(account, "CSM", "SA"),
                subject=api["api_id"],
            )
        )
    return out


# --- health-alerts --------------------------------------------------------------------------------


def health_alerts(tx: Transaction, ctx: Context) -> Outcome:
    out, book = Outcome(), ctx.alerts(tx, "health-alerts")
    since = (ctx.today - dt.timedelta(days=REPEAT_DAYS - 1)).isoformat()
    recent = {
        (a["account"], a["kind"])
        for a in tx.rows("Alerts")
        if a["rule"] == "health-alerts" and since <= a["alert_date"] <= ctx.today.isoformat()
    }
    for account in _active(ctx.snap.rows("AccountMaster").rows):
        name, health, trend = account["account_name"], account["health_score"], account.get("health_score_trend_30d")
        raised = []
        if health < RED_ZONE:
            raised.append(("Health Below 40", "Urgent", f"health {health:g} is in the red zone (under {RED_ZONE})"))
        elif health < LOW_HEALTH:
            raised.append(("Health Below 60", "Warning", f"health {health:g} is under {LOW_HEALTH}"))
        if trend is not None and trend < -DROP_POINTS:
            raised.append(("Health Drop", "Warning", f"health fell {-trend:g} points in 30 days, to {health:g}"))
        for kind, severity, what in raised:
            if (account["account_id"], kind) in recent:
                continue
            people = recipients(account, "CSM", "AE") if severity == "Urgent" else recipients(account, "CSM")
            details = (
                f"{name}: {what}. Renewal {account.get('renewal_date') or 'not set'}, "
                f"ARR {_money(account.get('arr'))}, risk level {account.get('renewal_risk_level') or 'n/a'}."
            )
            alert_id = book.raise_alert(account["account_id"], kind, severity, f"{name}: {what}", details, people)
            if alert_id is not None:
                out.alert(alert_id)
                out.lines.append(f"alert {alert_id} ({severity}) for {name}: {what}")
    return out


RULE_FUNCTIONS: dict[str, Callable[[Transaction, Context], Outcome]] = {
    "snapshot": snapshot,
    "renewal-risk": renewal_risk,
    "api-health": api_health,
    "health-alerts": health_alerts,
}
