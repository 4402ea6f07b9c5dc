"""The dashboard's charts as geometry: numbers in, shapes in a fixed viewBox out.

The templates (`templates/dashboard/charts.html`) draw these shapes as inline SVG; nothing here
writes markup.  Every chart scales to its container's width (viewBox, no fixed size), so it reads on
a phone as on a laptop, and carries a plain-text summary for screen readers.

Decisions:
- Health distribution: one horizontal bar per band, longest = the largest band; a band with no
  accounts is still listed (a zero is an answer).
- Renewal pipeline: one column per month from this month on, stacked by renewal risk level in the
  catalog's order (Critical at the bottom, where the eye lands first); the height is ARR.  Accounts
  whose renewal is past or beyond the window are counted in the summary, not drawn.
- Health trend: health scores against dates on a linear time axis, with guide lines at the health
  thresholds 60, 70 and 80.  The scale runs to 100 from 50, or from lower tens when a score is
  under 55, so the guides are always in view and a fall is not flattened by empty space.  Today's
  live score ends the line when the last snapshot is older (the snapshot is taken once a day).
  One point is drawn as a dot; none gives no chart.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

WIDTH = 640
GUIDES = (60, 70, 80)


@dataclass(frozen=True)
class Bar:
    label: str
    text: str  # the value as shown beside the bar
    x: float
    y: float
    width: float
    height: float
    tone: str  # a CSS class suffix: critical, at-risk, attention, healthy, none


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    summary: str
    bars: list[Bar] = field(default_factory=list)
    labels: list[tuple[float, float, str, str]] = field(default_factory=list)  # x, y, text, anchor
    lines: list[tuple[float, float, float, float, str]] = field(default_factory=list)  # x1, y1, x2, y2, class
    points: list[tuple[float, float, str]] = field(default_factory=list)  # x, y, title
    polyline: str = ""


def nice_step(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 x 10^k (k a whole number, negative too) that is at least `value` > 0."""
    magnitude = 10 ** math.floor(math.log10(value))
    return next(step * magnitude for step in (1, 2, 2.5, 5, 10) if step * magnitude >= value * (1 - 1e-12))


def distribution(counts: list[tuple[str, int, str]]) -> Chart:
    """Horizontal bars: (band label, accounts, tone) each."""
    row, gap, left, right = 30, 10, 132, 56
    height = len(counts) * (row + gap) + gap
    largest = max((n for _, n, _ in counts), default=0) or 1
    span = WIDTH - left - right
    bars = []
    for i, (label, n, tone) in enumerate(counts):
        y = gap + i * (row + gap)
        bars.append(Bar(label, str(n), left, y, span * n / largest, row, tone))
    summary = "; ".join(f"{label}: {n} account{'s' if n != 1 else ''}" for label, n, _ in counts)
    return Chart(WIDTH, height, f"Accounts by health band. {summary}.", bars=bars)


def pipeline(months: list[dt.date], stacks: dict[dt.date, list[tuple[str, float, str]]], money, summary: str) -> Chart:
    """Stacked columns: for each month, (risk level, ARR, tone) from the bottom up; `money` formats ARR."""
    top, bottom, left, right = 16, 56, 80, 8
    height = 260
    plot = height - top - bottom
    totals = {m: sum(v for _, v, _ in stacks.get(m, ())) for m in months}
    largest = max(totals.values(), default=0)
    # Four grid steps of a round size, so that every label is exactly its line's value.
    step = nice_step(largest / 4) if largest > 0 else 0
    ceiling = 4 * step or 1
    slot = (WIDTH - left - right) / max(len(months), 1)
    width = slot * 0.7
    bars, labels, lines = [], [], []
    for i in range(5 if step else 1):  # horizontal grid: 0, then each step up to the ceiling
        y = top + plot - plot * i / 4
        lines.append((left, y, WIDTH - right, y, "grid"))
        labels.append((left - 6, y + 4, money(i * step) if i else "0", "end"))
    for i, month in enumerate(months):
        x = left + i * slot + (slot - width) / 2
        base = top + plot
        for level, value, tone in stacks.get(month, ()):
            h = plot * value / ceiling
            base -= h
            bars.append(Bar(f"{month:%b %Y} {level}", money(value), x, base, width, h, tone))
        labels.append((x + width / 2, height - bottom + 22, f"{month:%b}", "middle"))
        if i == 0 or month.month == 1:
            labels.append((x + width / 2, height - bottom + 46, f"{month:%Y}", "middle"))
    return Chart(WIDTH, height, summary, bars=bars, labels=labels, lines=lines)


def trend(
    points: list[tuple[dt.date, float]], account_name: str, now: tuple[dt.date, float] | None = None
) -> Chart | None:
    """A line of health scores over time (plus today's `now`, if later than the last), or None without any."""
    points = sorted(points)
    if now is not None and (not points or now[0] > points[-1][0]):
        points.append(now)
    if not points:
        return None
    top, bottom, left, right = 14, 44, 52, 14
    height = 260
    plot = height - top - bottom
    floor = min(50, 10 * int((min(s for _, s in points) - 5) // 10))
    floor = max(floor, 0)
    first, last = points[0][0], points[-1][0]
    days = max((last - first).days, 1)

    def x_of(day: dt.date) -> float:
        if first == last:
            return left + (WIDTH - left - right) / 2
        return left + (WIDTH - left - right) * (day - first).days / days

    def y_of(score: float) -> float:
        return top + plot - plot * (max(float(floor), min(100.0, score)) - floor) / (100 - floor)

    lines = [(left, y_of(g), WIDTH - right, y_of(g), f"guide guide-{g}") for g in GUIDES]
    lines += [(left, y_of(floor), WIDTH - right, y_of(floor), "axis")]
    labels = [(left - 8, y_of(v) + 5, str(v), "end") for v in range(floor, 101, 10)]
    labels.append((left, height - 10, first.isoformat(), "start"))
    if last != first:
        labels.append((WIDTH - right, height - 10, last.isoformat(), "end"))
    drawn = [
        (x_of(d), y_of(s), f"{d.isoformat()}{' (now)' if now is not None and (d, s) == now else ''}: {s:g}")
        for d, s in points
    ]
    polyline = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in drawn)
    low = min(points, key=lambda p: (p[1], p[0]))
    summary = (
        f"Health of {account_name} from {first.isoformat()} ({points[0][1]:g}) to {last.isoformat()} "
        f"({points[-1][1]:g}), {len(points)} reading{'s' if len(points) != 1 else ''}; "
        f"lowest {low[1]:g} on {low[0].isoformat()}."
    )
    return Chart(WIDTH, height, summary, labels=labels, lines=lines, points=drawn, polyline=polyline)
