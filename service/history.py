"""`csm snapshot`: record today's account health and metric values in the history collections.

Idempotent within a day: a second run the same day updates that day's rows
(or leaves them alone when nothing moved) instead of adding new ones.  The
health is computed inside the store's lock from the data being written, so a
concurrent edit cannot slip between the computation and the record.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from schemas import get_table
from service.snapshot import build
from service.store import Store


@dataclass(frozen=True)
class Recorded:
    day: str
    added: int
    updated: int
    unchanged: int


def _upsert(tx, table: str, match: dict[tuple[str, str], dict], key: tuple[str, str], values: dict, counts: dict):
    row = match.get(key)
    if row is None:
        tx.insert(table, values)
        counts["added"] += 1
    elif any(row.get(k) != v for k, v in values.items()):
        tx.update(table, row[get_table(table).id_key], {k: v for k, v in values.items() if row.get(k) != v})
        counts["updated"] += 1
    else:
        counts["unchanged"] += 1


def record_snapshot(store: Store, today: dt.date) -> Recorded:
    day = today.isoformat()
    counts = {"added": 0, "updated": 0, "unchanged": 0}
    with store.transaction() as tx:
        snap = build(tx.data, today)
        health_rows = {(r["account"], r["snapshot_date"]): r for r in tx.rows("AccountHealthHistory")}
        for account in snap.rows("AccountMaster").rows:
            key = (account["account_id"], day)
            values = {"account": key[0], "snapshot_date": day, "health_score": account["health_score"]}
            _upsert(tx, "AccountHealthHistory", health_rows, key, values, counts)
        metric_rows = {(r["metric"], r["value_date"]): r for r in tx.rows("MetricHistory")}
        for metric in snap.rows("PlatformHealthMetrics").rows:
            if metric.get("current_value") is None:
                continue
            key = (metric["metric_id"], day)
            values = {"metric": key[0], "value_date": day, "value": metric["current_value"]}
            _upsert(tx, "MetricHistory", metric_rows, key, values, counts)
    return Recorded(day, **counts)
