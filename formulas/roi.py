"""CalculatePlatformROI: what an account's completed initiatives cost and return (seed 001's
"Calculate Platform ROI"), as figures and one line.

Decisions where seed 001 is loose:
- The period (Last 6M, Last 12M, Last 3Y, All Time) counts back from today: 6 or 12 calendar months,
  3 years; an initiative is in it when it is Completed and its actual completion date falls from the
  period's first day to today.  In-progress initiatives are left out (seed 001's toggle defaults to
  false, and our initiatives carry no progress percent to pro-rate them by).
- Investment: the initiatives' `investment_amount_usd` (what the vendor side reports; the customer's
  own investment is a separate column and not added).
- Annual benefit: each initiative's realized annual benefit, or its expected one while none is
  realized ("realized + expected" in seed 001, without counting one twice).
- Simple ROI = (annual benefit - investment) / investment, the first year's return, in percent;
  3-year ROI = (3 x annual benefit - investment) / investment (the Initiatives column's formula);
  payback = investment / (annual benefit / 12) months; NPV at 10% = -investment + the annual benefit
  at the end of each of 3 years, discounted at 10% a year.
- No investment: the ROIs are None (a return on nothing is not a number); no benefit: payback None.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from formulas.common import as_date, rounded
from formulas.names import normalise
from formulas.pack import FormulaError
from schemas.pack_formulas import TIME_PERIODS
from schemas.values import compact_usd

DISCOUNT_RATE, YEARS = 0.10, 3


def _months_back(today: dt.date, months: int) -> dt.date:
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    month += 1
    for day in (today.day, 30, 29, 28):  # the same day of the month, or the month's last
        try:
            return dt.date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def time_period(text: str | None) -> str:
    """The period named by `text`, ignoring case and spacing."""
    choices = ", ".join(TIME_PERIODS)
    if text is None or not text.strip():
        raise FormulaError("timePeriod", "missing_parameter", f"timePeriod is required: one of {choices}.")
    found = [p for p in TIME_PERIODS if normalise(p) == normalise(text)]
    if not found:
        raise FormulaError("timePeriod", "bad_time_period", f"timePeriod must be one of {choices}; got {text!r}.")
    return found[0]


def period_start(period: str, today: dt.date) -> dt.date | None:
    """The period's first day; None for All Time."""
    months = dict(zip(TIME_PERIODS, (6, 12, 36, None), strict=True))[period]
    return None if months is None else _months_back(today, months)


def _three_year_roi(investment: float, benefit: float) -> float | None:
    return rounded((benefit * YEARS - investment) / investment * 100, 0) if investment else None


def completed_in(initiatives: Iterable[dict], start: dt.date | None, end: dt.date) -> list[dict]:
    """The initiatives Completed from `start` (None: ever) to `end`, each with its investment, annual
    benefit (realized, else expected) and 3-year ROI on them."""
    done = []
    for row in initiatives:
        finished = as_date(row.get("actual_completion_date"))
        if row.get("status") != "Completed" or finished is None or finished > end:
            continue
        if start is not None and finished < start:
            continue
        investment = row.get("investment_amount_usd") or 0
        realized = row.get("realized_annual_benefit_usd")
        benefit = realized if realized is not None else row.get("expected_annual_benefit_usd") or 0
        done.append(
            {
                "initiative_id": row["initiative_id"],
                "name": row.get("initiative_name"),
                "completed": finished.isoformat(),
                "investment": investment,
                "annual_benefit": benefit,
                "benefit_basis": "realized" if realized is not None else "expected",
                "three_year_roi_percent": _three_year_roi(investment, benefit),
            }
        )
    return done


def roi(account: dict, initiatives: Iterable[dict], period_text: str | None, today: dt.date) -> dict:
    """The figures for one account (a served AccountMaster row) and its initiatives (any account's:
    filtered here)."""
    period = time_period(period_text)
    start = period_start(period, today)

    def account_of(row: dict) -> str | None:
        ref = row.get("account")
        return ref.get("account_id") if isinstance(ref, dict) else ref

    done = completed_in((r for r in initiatives if account_of(r) == account["account_id"]), start, today)
    investment = sum(i["investment"] for i in done)
    benefit = sum(i["annual_benefit"] for i in done)
    npv = -investment + sum(benefit / (1 + DISCOUNT_RATE) ** year for year in range(1, YEARS + 1))
    return {
        "account": {"account_id": account["account_id"], "account_name": account["account_name"]},
        "time_period": period,
        "from": start.isoformat() if start else None,
        "to": today.isoformat(),
        "initiatives": [i["initiative_id"] for i in done],
        "investment": investment,
        "annual_benefit": benefit,
        "simple_roi_percent": rounded((benefit - investment) / investment * 100, 0) if investment else None,
        "payback_months": rounded(investment / (benefit / 12), 1) if benefit > 0 else None,
        "three_year_roi_percent": _three_year_roi(investment, benefit),
        "npv_at_10_percent": round(npv) if done else 0,
    }


def roi_line(figures: dict) -> str:
    n = len(figures["initiatives"])

    def pct(key: str) -> str:
        return "n/a" if figures[key] is None else f"{figures[key]:g}%"

    payback = "n/a" if figures["payback_months"] is None else f"{figures['payback_months']:g} months"
    return (
        f"{figures['account']['account_name']}, {figures['time_period']}: {n} completed initiative"
        f"{'s' if n != 1 else ''} | investment {compact_usd(figures['investment'])} | annual benefit "
        f"{compact_usd(figures['annual_benefit'])} | simple ROI {pct('simple_roi_percent')} | payback {payback} | "
        f"3-year ROI {pct('three_year_roi_percent')} | NPV at 10% {compact_usd(figures['npv_at_10_percent'])}"
    )
