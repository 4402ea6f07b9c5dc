"""The automation log: one `AutomationRuns` row per run, each rule's outcome in it.

Kept to the newest `KEEP_RUNS` runs (a daily run keeps almost three years); the change log keeps
the rows each rule changed, under the source `automation:<rule>`.  Recording a run also forgets
alerts raised more than `KEEP_ALERT_DAYS` days before it (they are in the change log until its
own retention drops them).  Dry runs write nothing, so
they are not in it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable
from typing import TYPE_CHECKING

from service.store import Store
from service.storeformat import now_utc

if TYPE_CHECKING:
    from service.automations.runner import RunReport

TABLE = "AutomationRuns"
KEEP_RUNS = 1000
KEEP_ALERT_DAYS = 365
LISTED_IDS = 100


def _number(run: dict) -> int:
    return int(run["run_id"].rsplit("-", 1)[1])


def run_row(report: RunReport) -> dict:
    return {
        "run_date": report.run_date.isoformat(),
        "started_at": report.started_at,
        "finished_at": report.finished_at,
        "duration_ms": report.duration_ms,
        "ok": report.ok,
        "rules": [
            {
                "rule": r.rule,
                "status": r.status,
                "duration_ms": r.duration_ms,
                "created": len(r.outcome.created),
                "updated": len(r.outcome.updated),
                "closed": len(r.outcome.closed),
                "alerts": len(r.outcome.alerts),
                "sent": r.sent,
                "failed": r.failed,
                "rows": (r.outcome.created + r.outcome.updated + r.outcome.closed + r.outcome.alerts)[:LISTED_IDS],
                "errors": r.errors,
                "summary": r.summary,
            }
            for r in report.rules
        ],
    }


def record(store: Store, report: RunReport, clock: Callable[[], str] = now_utc) -> str:
    """Log the run (and forget the oldest beyond KEEP_RUNS); the run's id."""
    with store.transaction(clock, source="automation") as tx:
        run_id = tx.insert(TABLE, run_row(report))
        runs = tx.rows(TABLE)
        if len(runs) > KEEP_RUNS:
            oldest = sorted(runs, key=_number)[: len(runs) - KEEP_RUNS]
            tx.remove_unchecked(TABLE, [r["run_id"] for r in oldest])
        cutoff = (report.run_date - dt.timedelta(days=KEEP_ALERT_DAYS)).isoformat()
        old = [a["alert_id"] for a in tx.rows("Alerts") if a["alert_date"] < cutoff]
        if old:
            tx.remove_unchecked("Alerts", old)
    return run_id


def recent(rows: Iterable[dict], *, limit: int, rules: Collection[str] = ()) -> list[dict]:
    """The newest runs first; with `rules`, only runs that ran one of them."""
    chosen = [r for r in rows if not rules or any(x.get("rule") in rules for x in r.get("rules") or ())]
    chosen.sort(key=_number, reverse=True)
    return chosen[:limit]
