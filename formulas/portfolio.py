"""GetPortfolioSummary: a CSM's book of accounts (or everyone's) in figures and in one line.

Decisions where the issue is silent:
- A CSM's portfolio is the accounts whose Customer Success Manager they are (not every account they
  touch as AE or sponsor: that is PeopleTeam's workload).  Without a name, every account.
- Churned and Expired accounts are not in a portfolio (the automations leave them out too).
- At-risk ARR: the accounts whose renewal risk level is Critical or At Risk (as PeopleTeam's
  `at_risk_arr`).  An account without ARR counts as an account and adds nothing to an ARR.
- Average health: of the accounts that have a health score, one decimal; None when none has.
- Health distribution, by the health thresholds the renewal risk uses: 80 and over, 70 to 80, 60
  to 70, under 60, and no data.
- Renewals in 90 and 180 days: renewal dates from today to today + N, both included (a renewal
  already past is not upcoming); the 180-day figure includes the 90-day one.
- csmName is found as the pack finds account names: by full name ignoring case and spacing, or by
  PER id; a person who is no one's CSM has an empty portfolio, not an error.
"""

from __future__ import annotations

from collections.abc import Iterable

from formulas.accounts import AT_RISK_LEVELS, INACTIVE_STATUSES
from formulas.common import mean, rounded
from formulas.names import closest, matching
from formulas.pack import FormulaError
from schemas.values import compact_usd

BANDS = (("80+", 80.0), ("70-80", 70.0), ("60-70", 60.0), ("under 60", float("-inf")))
WINDOWS = (90, 180)


class UnknownPerson(FormulaError):
    def __init__(self, text: str, suggestions: list[str]) -> None:
        hint = f" Did you mean {', '.join(repr(s) for s in suggestions)}?" if suggestions else ""
        super().__init__("csmName", "unknown_person", f"No one in PeopleTeam is named {text.strip()!r}.{hint}")


def find_csm(people: Iterable[dict], text: str) -> dict:
    """The PeopleTeam row named `text` (or with that id); UnknownPerson or, for a shared name, an error
    asking for the id."""
    people = list(people)
    by_id = [p for p in people if p["person_id"] == text.strip().upper()]
    found = by_id or matching(people, "full_name", text)
    if len(found) == 1:
        return found[0]
    if found:
        ids = ", ".join(p["person_id"] for p in found)
        raise FormulaError(
            "csmName", "ambiguous_person", f"{len(found)} people are named {text.strip()!r} ({ids}); give the id."
        )
    raise UnknownPerson(text, closest(people, "full_name", text))


def _band(health: float | None) -> str:
    if health is None:
        return "no data"
    return next(name for name, floor in BANDS if health >= floor)


def portfolio(accounts: Iterable[dict], csm: dict | None) -> dict:
    """The figures of the served AccountMaster rows in the portfolio of `csm` (a PeopleTeam row), or of
    every account."""
    book = [
        a
        for a in accounts
        if a.get("account_status") not in INACTIVE_STATUSES
        and (csm is None or (a.get("customer_success_manager") or {}).get("person_id") == csm["person_id"])
    ]
    at_risk = [a for a in book if a.get("renewal_risk_level") in AT_RISK_LEVELS]
    distribution = dict.fromkeys([name for name, _ in BANDS] + ["no data"], 0)
    for a in book:
        distribution[_band(a.get("health_score"))] += 1

    def renewing(days: int) -> dict:
        due = [a for a in book if a.get("days_to_renewal") is not None and 0 <= a["days_to_renewal"] <= days]
        return {"accounts": len(due), "arr": sum(a.get("arr") or 0 for a in due)}

    return {
        "csm": None if csm is None else {"person_id": csm["person_id"], "full_name": csm["full_name"]},
        "accounts": len(book),
        "total_arr": sum(a.get("arr") or 0 for a in book),
        "at_risk_accounts": len(at_risk),
        "at_risk_arr": sum(a.get("arr") or 0 for a in at_risk),
        "average_health": rounded(mean(a.get("health_score") for a in book)),
        "health_distribution": distribution,
        **{f"renewals_{days}_days": renewing(days) for days in WINDOWS},
    }


def summary_line(figures: dict) -> str:
    """The figures in one line, for a cell."""
    who = figures["csm"]["full_name"] if figures["csm"] else "All accounts"
    n = figures["accounts"]
    health = "n/a" if figures["average_health"] is None else f"{figures['average_health']:.1f}"
    bands = ", ".join(f"{count} {band}" for band, count in figures["health_distribution"].items() if count)
    renewals = "; ".join(
        f"{r['accounts']} renewing in {days} days ({compact_usd(r['arr'])})"
        for days in WINDOWS
        for r in [figures[f"renewals_{days}_days"]]
    )
    return (
        f"{who}: {n} account{'s' if n != 1 else ''} | ARR {compact_usd(figures['total_arr'])} | "
        f"at risk {compact_usd(figures['at_risk_arr'])} ({figures['at_risk_accounts']}) | "
        f"avg health {health} ({bands or 'no accounts'}) | {renewals}"
    )
