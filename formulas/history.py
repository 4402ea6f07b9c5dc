"""Dated history: the value to compare with for a 30-day trend.

A trend compares today's value with the snapshot taken nearest to 30 days ago, within a week either
side (23 to 37 days ago, both included); on a tie the older snapshot is used (it spans at least 30
days).  With no snapshot in that window the trend is None: a ten-month-old snapshot says nothing about
the last 30 days, and a week-old one too little.  Only that one value per key is ever needed, so it is
picked in a single pass over the history, with no per-key sorting.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

TREND_DAYS = 30
TREND_SLACK_DAYS = 7


class History:
    """For each key, the value of the snapshot nearest to today - 30 days, within a week of it."""

    def __init__(self, entries: Iterable[tuple[str, str, float | None]], today: dt.date) -> None:
        aim = today - dt.timedelta(days=TREND_DAYS)
        earliest = (aim - dt.timedelta(days=TREND_SLACK_DAYS)).isoformat()
        latest = (aim + dt.timedelta(days=TREND_SLACK_DAYS)).isoformat()
        best: dict[str, tuple[tuple[int, str], float | None]] = {}
        for key, day, value in entries:
            if not (earliest <= day <= latest):
                continue
            # Nearest to the aim first; between two as near, the older; on the same day, the later row.
            distance = abs((dt.date.fromisoformat(day[:10]) - aim).days)
            rank = (distance, day)
            current = best.get(key)
            if current is None or rank[0] < current[0][0] or (rank[0] == current[0][0] and day <= current[0][1]):
                best[key] = (rank, value)
        self._base = {key: value for key, (_, value) in best.items()}

    def trend_base(self, key: str) -> float | None:
        return self._base.get(key)


def account_history(rows: Iterable[dict], today: dt.date) -> History:
    return History(((r["account"], r["snapshot_date"], r.get("health_score")) for r in rows), today)


def metric_history(rows: Iterable[dict], today: dt.date) -> History:
    return History(((r["metric"], r["value_date"], r.get("value")) for r in rows), today)
