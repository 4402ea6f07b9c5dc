"""Small numeric and date helpers shared by the formula modules.

Design §3: every division is guarded -- a zero or missing denominator gives
None, never 0 and never an exception; components are clamped to 0-100.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or denominator is None or denominator == 0:
        return None
    result = numerator / denominator
    return result if math.isfinite(result) else None  # 1 / 1e-308 overflows: not a usable figure


def mean(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def clamp(value: float | None, low: float = 0.0, high: float = 100.0) -> float | None:
    return None if value is None else min(high, max(low, value))


def rounded(value: float | None, places: int = 1) -> float | int | None:
    """Round half away from zero (as a spreadsheet does), `places` decimals; 0 places gives an int."""
    if value is None or not math.isfinite(value):
        return None
    if abs(value) >= 1e15:  # nothing left to round at this size (and no int(inf) from scaling it)
        return (int(value) if abs(value) < 2**63 else None) if places == 0 else float(value)
    factor = 10**places
    scaled = abs(value) * factor + 0.5 + 1e-9  # the epsilon absorbs binary error (1.005 -> 1.01)
    result = (int(scaled) / factor) * (1 if value >= 0 else -1)
    if places == 0:
        return int(result)
    return result + 0.0  # normalise -0.0


def as_date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None
