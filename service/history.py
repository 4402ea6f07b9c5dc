"""`csm snapshot`: record today's account health and metric values in the history collections.

Idempotent within a day: a second run the same day updates that day's rows
(or leaves them alone when nothing moved) instead of adding new ones.  The
health is computed inside the store's lock from the data being written, so a
concurrent edit cannot slip between the computation and the record.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from schemas import get_table
from service.snapshot import Snapshot, build
from service.store import Store, Transaction


@dataclass
class Recorded:
    day: str
    added_ids: list[str] = field(default_factory=list)
    updated_ids: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def added(self) -> int:
        return len(self.added_ids)

    @property
    def updated(self) -> int:
        return len(self.updated_ids)


def _upsert(tx: Transaction, table: str, match: dict, key: tuple[str, str], values: dict, done: Recorded) -> None:
    row = match.get(key)
    if row is None:
        done.added_ids.append(tx.insert(table, values))
    elif any(row.get(k) != v for k, v in values.items()):
        row_id = row[get_table(table).id_key]
        tx.update(table, row_id, {k: v for k, v in values.items() if row.get(k) != v})
        done.updated_ids.append(row_id)
    else:
        done.unchanged += 1


def record_snapshot(store: Store, today: dt.date, *, source: str = "cli") -> Recorded:
    with store.transaction(source=source) as tx:
        return record_into(tx, today)


def record_into(tx: Transaction, today: dt.date, snap: Snapshot | None = None) -> Recorded:
    """Today's snapshot written in an open transaction (also the `snapshot` automation's body)."""
    done = Recorded(today.isoformat())
    snap = snap or build(tx.data, today)
    health_rows = {(r["account"], r["snapshot_date"]): r for r in tx.rows("AccountHealthHistory")}
    for account in snap.rows("AccountMaster").rows:
        key = (account["account_id"], done.day)
        values = {"account": key[0], "snapshot_date": done.day, "health_score": account["health_score"]}
        _upsert(tx, "AccountHealthHistory", health_rows, key, values, done)
    metric_rows = {(r["metric"], r["value_date"]): r for r in tx.rows("MetricHistory")}
    for metric in snap.rows("PlatformHealthMetrics").rows:
        if metric.get("current_value") is None:
            continue
        key = (metric["metric_id"], done.day)
        values = {"metric": key[0], "value_date": done.day, "value": metric["current_value"]}
        _upsert(tx, "MetricHistory", metric_rows, key, values, done)
    return done
