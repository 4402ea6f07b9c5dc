"""PlatformCapabilities, APIPortfolio and PlatformHealthMetrics (seed 001's formulas).

Where seed 001 is ambiguous or self-contradictory, the rule chosen is written
beside the code:

- Metric direction.  Seed 001's health status assumes a higher value is better
  (`Current >= Target * 0.95`), which marks a latency metric that beats its
  target as Critical.  Its `Trend_Is_Good` column ("whether increasing value is
  desirable") gives the direction, so we use it: for a lower-is-better metric
  the comparisons mirror (`current <= target * 1.05` is On Track,
  `current <= warning` Needs Attention).
- Metric alert.  Seed 001 raises Urgent for a Critical metric that is
  decreasing while increasing is *not* desirable -- i.e. improving.  We raise
  Urgent when a Critical metric is moving the wrong way.
- API business criticality (seed 001 only says "multi-criteria"):
  Mission-Critical: in production and (revenue attributed >= $1M, or >= 1M
  calls a month from >= 5 consuming applications).  High: in production and
  (revenue >= $250K, or >= 100K calls a month, or >= 3 consuming applications).
  Medium: any other production API, or a non-production one already used by
  >= 2 applications.  Low: the rest.
"""

from __future__ import annotations

from formulas.common import mean, rounded

# --- PlatformCapabilities ----------------------------------------------------------


def maturity_number(level: str | None) -> int | None:
    """`3-Defined` -> 3."""
    if not level:
        return None
    head = level.split("-", 1)[0]
    return int(head) if head.isdigit() else None


def gap_status(gap: int | None) -> str | None:
    if gap is None:
        return None
    if gap >= 3:
        return "🔴 Critical Gap"
    if gap == 2:
        return "🟡 Moderate Gap"
    if gap == 1:
        return "🟢 Small Gap"
    return "✅ At Target"


def capability(row: dict) -> dict:
    current = maturity_number(row.get("current_maturity"))
    target = maturity_number(row.get("target_maturity"))
    gap = None if current is None or target is None else target - current
    return {
        "current_maturity_numeric": current,
        "target_maturity_numeric": target,
        "maturity_gap": gap,
        "gap_status": gap_status(gap),
    }


# --- APIPortfolio --------------------------------------------------------------------


def sla_compliance(avg_ms: float | None, target_ms: float | None) -> float | None:
    if avg_ms is None or target_ms is None or target_ms <= 0:
        return None
    if avg_ms <= target_ms:
        return 100.0
    return max(0.0, 100 - (avg_ms - target_ms) / target_ms * 100)


def api_health(uptime: float | None, error_rate: float | None, sla: float | None) -> str | None:
    if uptime is None and error_rate is None and sla is None:
        return None
    if (uptime is not None and uptime < 99.5) or (error_rate is not None and error_rate > 1):
        return "🔴 Critical"
    if sla is not None and sla < 95:
        return "🟡 Degraded"
    return "🟢 Healthy"


def business_criticality(row: dict) -> str:
    production = row.get("environment") == "Production"
    revenue = row.get("revenue_attribution_usd") or 0
    monthly = row.get("monthly_transactions") or 0
    consumers = row.get("consuming_applications") or 0
    if production and (revenue >= 1_000_000 or (monthly >= 1_000_000 and consumers >= 5)):
        return "Mission-Critical"
    if production and (revenue >= 250_000 or monthly >= 100_000 or consumers >= 3):
        return "High"
    if production or consumers >= 2:
        return "Medium"
    return "Low"


def api(row: dict) -> dict:
    monthly = row.get("monthly_transactions")
    consumers = row.get("consuming_applications")
    sla = sla_compliance(row.get("avg_response_time_ms"), row.get("sla_target_ms"))
    value = None
    if monthly is not None and consumers is not None and sla is not None:
        value = monthly / 1000 * consumers * sla / 100
    return {
        "annual_transaction_volume": None if monthly is None else monthly * 12,
        "sla_compliance_percent": rounded(sla),
        "business_value_score": rounded(value),
        "health_status": api_health(row.get("uptime_percent"), row.get("error_rate_percent"), sla),
        "business_criticality": business_criticality(row),
    }


# --- PlatformHealthMetrics -----------------------------------------------------------

METRIC_STATUS_SCORE = {"🟢 On Track": 100, "🟡 Needs Attention": 70, "🔴 Critical": 30}


def metric_status(
    current: float | None, target: float | None, warning: float | None, higher_is_better: bool
) -> str | None:
    if current is None or target is None or warning is None:
        return None
    if higher_is_better:
        if current >= target * 0.95:
            return "🟢 On Track"
        return "🟡 Needs Attention" if current >= warning else "🔴 Critical"
    if current <= target * 1.05:
        return "🟢 On Track"
    return "🟡 Needs Attention" if current <= warning else "🔴 Critical"


def trend_direction(change: float | None) -> str | None:
    if change is None:
        return None
    if change > 0:
        return "⬆️ Increasing"
    if change < 0:
        return "⬇️ Decreasing"
    return "➡️ Flat"


def alert_status(status: str | None, change: float | None, higher_is_better: bool) -> str | None:
    if status != "🔴 Critical":
        return None
    worsening = change is not None and (change < 0 if higher_is_better else change > 0)
    return "🚨 Urgent" if worsening else "⚠️ Alert"


def metric(row: dict, value_30_days_ago: float | None) -> dict:
    higher_is_better = row.get("trend_is_good") is not False
    current = row.get("current_value")
    status = metric_status(current, row.get("target_value"), row.get("threshold_warning"), higher_is_better)
    change = None
    if current is not None and value_30_days_ago is not None:
        change = rounded(current - value_30_days_ago, 2)
    return {
        "health_status": status,
        "health_status_numeric": METRIC_STATUS_SCORE.get(status),
        "trend_30d_change": change,
        "trend_direction": trend_direction(change),
        "alert_status": alert_status(status, change, higher_is_better),
    }


TECHNICAL_CATEGORIES = frozenset({"Performance", "Reliability", "Security"})


def platform_technical_health(metrics: list[tuple[dict, dict]]) -> float | None:
    """Mean numeric status of an account's Performance, Reliability and Security metrics."""
    return mean(d["health_status_numeric"] for row, d in metrics if row.get("metric_category") in TECHNICAL_CATEGORIES)
