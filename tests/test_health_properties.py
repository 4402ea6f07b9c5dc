"""Property-based: for any inputs, health and its components are within 0-100 or null."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from formulas import derive_all
from schemas import get_table

TODAY = dt.date(2026, 11, 20)
COMPONENTS = (
    "platform_technical_health",
    "business_value_realization",
    "stakeholder_engagement",
    "strategic_alignment",
)

finite = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12)
maybe = lambda s: st.none() | s  # noqa: E731
days = st.integers(min_value=-400, max_value=400).map(lambda d: (TODAY - dt.timedelta(days=d)).isoformat())


def options(table, key):
    return st.sampled_from(get_table(table).field(key).options)


metric = st.fixed_dictionaries(
    {
        "metric_category": options("PlatformHealthMetrics", "metric_category"),
        "current_value": finite,
        "target_value": finite,
        "threshold_warning": finite,
        "trend_is_good": maybe(st.booleans()),
    }
)
outcome = st.fixed_dictionaries(
    {"baseline_value": maybe(finite), "current_value": maybe(finite), "target_value": maybe(finite)}
)
engagement = st.fixed_dictionaries(
    {"engagement_date": days, "relationship_depth_score": maybe(st.integers(min_value=1, max_value=10))}
)
objective = st.fixed_dictionaries({"status": maybe(options("StrategicObjectives", "status"))})


def with_ids(prefix, key, rows):
    return [{key: f"{prefix}-{i + 1:05d}", "account": "ACC-00001", **row} for i, row in enumerate(rows)]


@settings(max_examples=300, deadline=None)
@given(
    metrics=st.lists(metric, max_size=6),
    outcomes=st.lists(outcome, max_size=6),
    engagements=st.lists(engagement, max_size=6),
    objectives=st.lists(objective, max_size=6),
    history=st.lists(st.tuples(days, maybe(st.floats(min_value=0, max_value=100))), max_size=4),
    renewal=maybe(days),
)
def test_health_and_components_stay_within_0_100_or_null(metrics, outcomes, engagements, objectives, history, renewal):
    tables = {
        "AccountMaster": [{"account_id": "ACC-00001", "account_name": "Any", "renewal_date": renewal}],
        "PlatformHealthMetrics": with_ids("MET", "metric_id", metrics),
        "StakeholderOutcomes": with_ids("OUT", "outcome_id", outcomes),
        "EngagementLog": with_ids("ENG", "engagement_id", engagements),
        "StrategicObjectives": with_ids("OBJ", "objective_id", objectives),
        "AccountHealthHistory": [
            {"snapshot_id": f"AHH-{i:05d}", "account": "ACC-00001", "snapshot_date": d, "health_score": v}
            for i, (d, v) in enumerate(history, 1)
        ],
    }
    row = derive_all(tables, TODAY)["AccountMaster"]["ACC-00001"]
    for key in (*COMPONENTS, "health_score"):
        assert row[key] is None or 0 <= row[key] <= 100, (key, row[key])
    assert (row["health_score"] is None) == all(row[k] is None for k in COMPONENTS)
    assert row["renewal_risk_level"] in get_table("AccountMaster").field("renewal_risk_level").options
    if row["health_score_trend_30d"] is not None:
        assert -100 <= row["health_score_trend_30d"] <= 100
