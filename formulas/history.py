"""Dated history: the value to compare with for a 30-day trend.

A trend compares today's value with the snapshot nearest to, and not after,
today - 30 days.  With no such snapshot the trend is None.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

TREND_DAYS = 30


class History:
    """Per-key series of (ISO date, value), built once, bisected per lookup."""

    def __init__(self, entries: Iterable[tuple[str, str, float | None]]) -> None:
        series: dict[str, list[tuple[str, float | None]]] = defaultdict(list)
        for key, day, value in entries:
            series[key].append((day, value))
        self._dates: dict[str, list[str]] = {}
        self._values: dict[str, list[float | None]] = {}
        for key, points in series.items():
            points.sort(key=lambda p: p[0])
            self._dates[key] = [d for d, _ in points]
            self._values[key] = [v for _, v in points]

    def at_or_before(self, key: str, day: dt.date) -> float | None:
        dates = self._dates.get(key)
        if not dates:
            return None
        i = bisect.bisect_right(dates, day.isoformat())
        return self._values[key][i - 1] if i else None

    def trend_base(self, key: str, today: dt.date) -> float | None:
        return self.at_or_before(key, today - dt.timedelta(days=TREND_DAYS))


def account_history(rows: Iterable[dict]) -> History:
    return History((r["account"], r["snapshot_date"], r.get("health_score")) for r in rows)


def metric_history(rows: Iterable[dict]) -> History:
    return History((r["metric"], r["value_date"], r.get("value")) for r in rows)
