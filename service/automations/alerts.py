"""Alert rows: what a rule raises, recorded in the same transaction as the rule's changes.

An alert is raised at most once per account, kind, subject (an API id, a task id, or none) and
day, so a second run the same day raises nothing.  It starts `Pending` when a webhook is
configured (the run then posts it, `service.automations.notify`) and `Not Sent` when none is:
it is recorded only, and never posted later (a month-old alert is noise, not news).
"""

from __future__ import annotations

import datetime as dt

from schemas.values import MAX_LONG_TEXT, MAX_TEXT
from service.store import Transaction

TABLE = "Alerts"
#: Deliveries a run still tries.
UNDELIVERED = ("Pending", "Failed")
#: A Pending or Failed alert is retried by the runs of this many days after it was raised, then Expired.
RETRY_DAYS = 3


def clip(text: str, limit: int = MAX_TEXT) -> str:
    """Text within a column's length (an account name may be long): cut with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def recipients(account: dict, *roles: str) -> list[str]:
    """PeopleTeam ids of the account's people in those roles (CSM, AE, SA), in that order, once each."""
    keys = {"CSM": "customer_success_manager", "AE": "account_executive", "SA": "solutions_architect"}
    found: list[str] = []
    for role in roles:
        person = account.get(keys[role])
        if person and person.get("person_id") and person["person_id"] not in found:
            found.append(person["person_id"])
    return found


class AlertBook:
    """The alerts of one transaction: raise new ones, skipping any already raised that day."""

    def __init__(self, tx: Transaction, rule: str, today: dt.date, *, delivers: bool) -> None:
        self._tx, self._rule, self._day, self._delivers = tx, rule, today.isoformat(), delivers
        self._raised = {
            (a["account"], a["kind"], a.get("subject") or "", a["alert_date"])
            for a in tx.rows(TABLE)
            if a["alert_date"] == self._day
        }

    def raise_alert(
        self,
        account_id: str,
        kind: str,
        severity: str,
        headline: str,
        details: str,
        people: list[str],
        subject: str | None = None,
    ) -> str | None:
        """The new alert's id, or None when this account, kind and subject already had one today."""
        key = (account_id, kind, subject or "", self._day)
        if key in self._raised:
            return None
        self._raised.add(key)
        return self._tx.insert(
            TABLE,
            {
                "account": account_id,
                "rule": self._rule,
                "kind": kind,
                "severity": severity,
                "alert_date": self._day,
                "subject": clip(subject) if subject else None,
                "headline": clip(headline),
                "details": clip(details, MAX_LONG_TEXT),
                "recipients": people,
                "delivery": "Pending" if self._delivers else "Not Sent",
                "attempts": 0,
            },
        )


def undelivered(rows: list[dict], rule: str) -> list[dict]:
    """The rule's alerts a run still owes Slack, oldest first."""
    return sorted(
        (a for a in rows if a["rule"] == rule and a["delivery"] in UNDELIVERED),
        key=lambda a: (a["alert_date"], a["alert_id"]),
    )


def expired(alert: dict, today: dt.date) -> bool:
    return dt.date.fromisoformat(alert["alert_date"]) < today - dt.timedelta(days=RETRY_DAYS)
