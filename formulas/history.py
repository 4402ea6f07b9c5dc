"""Dated history: the value to compare with for a 30-day trend.

A trend compares today's value with the snapshot nearest to, and not after,
today - 30 days.  With no such snapshot the trend is None.  Only that one value
per key is ever needed, so it is picked in a single pass over the history, with
no per-key sorting.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

TREND_DAYS = 30


class History:
    """For each key, the value at the latest date not after a cutoff (today - 30 days)."""

    def __init__(self, entries: Iterable[tuple[str, str, float | None]], today: dt.date) -> None:
        cutoff = (today - dt.timedelta(days=TREND_DAYS)).isoformat()
        best: dict[str, tuple[str, float | None]] = {}
        for key, day, value in entries:
            if day <= cutoff:
                current = best.get(key)
                if current is None or day >= current[0]:  # on a tie, the later row wins
                    best[key] = (day, value)
        self._base = {key: value for key, (_, value) in best.items()}

    def trend_base(self, key: str) -> float | None:
        return self._base.get(key)


def account_history(rows: Iterable[dict], today: dt.date) -> History:
    return History(((r["account"], r["snapshot_date"], r.get("health_score")) for r in rows), today)


def metric_history(rows: Iterable[dict], today: dt.date) -> History:
    return History(((r["metric"], r["value_date"], r.get("value")) for r in rows), today)
