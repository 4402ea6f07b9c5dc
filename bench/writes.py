"""Edits per second through `POST /v1/tables/<T>/rows/batch` (issue 11's benchmark point).

`TaskEdits` makes batches of real, non-conflicting edits to ActivitiesTasks rows: each edit
moves a task's status, priority and due date one step along a cycle of valid values, with
`previous` holding what the service last served for those fields, so the check on `previous`
passes and every edit changes the row (an edit that changes nothing would commit nothing and
measure nothing).  Each client owns a disjoint lane of rows, so concurrent clients never
conflict with each other; every answer is checked (200, every result ok, the row served back
with the new values) and anything else stops the benchmark: a figure made of 409s is worthless.

`drive` runs N such clients against a live service for a while and returns requests/s,
edits/s (requests/s x batch size) and the latency percentiles.

`breakdown` times the stages of one batch-of-1 request in-process; `python -m bench.writes [store]`
prints them and a cProfile of one such request, on a copy of the benchmark's 1,000-account store.
"""

from __future__ import annotations

import cProfile
import datetime as dt
import functools
import importlib
import logging
import os
import pstats
import shutil
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from schemas import get_table

TABLE = "ActivitiesTasks"
FIELDS = ("status", "priority", "due_date")
TODAY = dt.date(2026, 11, 20)
DUE_WINDOW = 60  # due dates cycle through TODAY - 20 ... TODAY + 39


class EditFailed(AssertionError):
    """The service answered an edit with anything but success and the new values."""


def _next_option(options: tuple[str, ...], value: str | None) -> str:
    return options[(options.index(value) + 1) % len(options)] if value in options else options[0]


def _next_due(value: str | None) -> str:
    start = TODAY - dt.timedelta(days=20)
    offset = (dt.date.fromisoformat(value) - start).days if value else -1
    return (start + dt.timedelta(days=(offset + 1) % DUE_WINDOW)).isoformat()


class TaskEdits:
    """Edits to tasks as the service served them; `accept` records what it serves back."""

    def __init__(self, rows: list[dict]) -> None:
        table = get_table(TABLE)
        self.id_key = table.id_key
        self.options = {key: table.field(key).options for key in ("status", "priority")}
        self.seen = {row[self.id_key]: {key: row.get(key) for key in FIELDS} for row in rows}
        self.ids = list(self.seen)

    def lanes(self, clients: int, size: int) -> list[list[str]]:
        """Disjoint sets of row ids, one per client, each at least `size` rows (one batch)."""
        lanes = [self.ids[c::clients] for c in range(clients)]
        if min(len(lane) for lane in lanes) < size:
            raise ValueError(f"{len(self.ids)} rows do not make {clients} lanes of {size}")
        return lanes

    def changes(self, row_id: str) -> dict:
        seen = self.seen[row_id]
        return {
            "status": _next_option(self.options["status"], seen["status"]),
            "priority": _next_option(self.options["priority"], seen["priority"]),
            "due_date": _next_due(seen["due_date"]),
        }

    def updates(self, row_ids: list[str]) -> list[dict]:
        return [{"id": i, "previous": dict(self.seen[i]), "changes": self.changes(i)} for i in row_ids]

    def accept(self, updates: list[dict], status: int, body: object) -> None:
        """Check the answer to `updates` and remember the values served back; EditFailed if any failed."""
        results = body.get("results") if isinstance(body, dict) else None
        if status != 200 or not isinstance(results, list) or len(results) != len(updates):
            raise EditFailed(f"batch of {len(updates)}: HTTP {status}: {str(body)[:500]}")
        for update, result in zip(updates, results, strict=True):
            row = result.get("row") if result.get("ok") is True else None
            if row is None or row.get(self.id_key) != update["id"]:
                raise EditFailed(f"{update['id']}: {result}")
            got = {key: row.get(key) for key in FIELDS}
            if got != update["changes"]:
                raise EditFailed(f"{update['id']}: asked for {update['changes']}, served {got}")
            self.seen[update["id"]] = got


def _percentile(values: list[float], p: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def drive(base: str, headers: dict, edits: TaskEdits, clients: int, batch: int, seconds: float) -> dict:
    """`clients` threads, each posting batches of `batch` edits back to back for `seconds`."""
    url = f"{base}/v1/tables/{TABLE}/rows/batch"
    lanes = edits.lanes(clients, batch)
    latencies: list[float] = []
    lock = threading.Lock()
    go = threading.Barrier(clients + 1)

    def client(lane: list[str]) -> None:
        session = requests.Session()
        session.headers.update(headers)
        cursor = 0
        go.wait()
        while time.perf_counter() < deadline:
            ids = [lane[(cursor + i) % len(lane)] for i in range(batch)]
            cursor += batch
            updates = edits.updates(ids)
            start = time.perf_counter()
            response = session.post(url, json={"updates": updates}, timeout=60)
            took = time.perf_counter() - start
            edits.accept(updates, response.status_code, response.json())
            with lock:
                latencies.append(took)

    with ThreadPoolExecutor(clients) as pool:
        futures = [pool.submit(client, lane) for lane in lanes]
        deadline = time.perf_counter() + seconds
        go.wait()
        start = time.perf_counter()
        for future in futures:
            future.result()  # re-raises EditFailed
        elapsed = time.perf_counter() - start
    rps = len(latencies) / elapsed
    return {
        "clients": clients,
        "batch": batch,
        "requests": len(latencies),
        "seconds": elapsed,
        "rps": rps,
        "edits_per_s": rps * batch,
        "p50_ms": _percentile(latencies, 50) * 1000,
        "p99_ms": _percentile(latencies, 99) * 1000,
    }


STAGES = {
    "parse": "read and parse the store file (Store.read)",
    "change_log": "append to the change log, fsynced (ChangeLog.append)",
    "dumps": "serialise the store (dumps)",
    "write": "write the temp file, fsync, rename, fsync the folder (Store._write less dumps)",
    "snapshot": "rebuild the snapshot the answer is served from (SnapshotCache.adopt)",
    "rest": "everything else: Flask, the update and its checks, the answer's JSON",
}


def breakdown(path: str | os.PathLike, repeat: int = 7, *, cprofile: bool = False) -> dict:
    """Where one batch-of-1 request's time goes, in-process (Flask test client, no HTTP) on a copy of
    the store at `path`: the median over `repeat` requests of each stage in STAGES, in ms, and of the
    whole request (`total`).  With `cprofile`, also print a cProfile of one more request."""
    from service import create_app
    from service.changelog import ChangeLog
    from service.snapshot import SnapshotCache
    from service.store import Store

    store_module = importlib.import_module("service.store")  # `dumps` as Store._write finds it

    spent: dict[str, float] = {}

    def timed(owner, name: str, stage: str) -> None:
        inner = getattr(owner, name)

        @functools.wraps(inner)
        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                spent[stage] = spent.get(stage, 0.0) + time.perf_counter() - start

        patches.append((owner, name, inner))
        setattr(owner, name, wrapper)

    patches: list[tuple] = []
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "csm.json"
        shutil.copyfile(path, db)
        app = create_app({"CSM_DATA": str(db), "CSM_TODAY": TODAY.isoformat(), "CSM_API_TOKENS": "bench"})
        client = app.test_client()
        client.environ_base["HTTP_AUTHORIZATION"] = "Bearer bench"
        edits = TaskEdits(client.get(f"/v1/tables/{TABLE}/rows?limit={repeat + 2}").json["rows"])
        logging.disable(logging.INFO)  # the request log line per request

        def request(row_id: str) -> None:
            updates = edits.updates([row_id])
            response = client.post(f"/v1/tables/{TABLE}/rows/batch", json={"updates": updates})
            edits.accept(updates, response.status_code, response.json)

        try:
            request(edits.ids[-1])  # warm-up
            timed(Store, "read", "parse")
            timed(ChangeLog, "append", "change_log")
            timed(store_module, "dumps", "dumps")
            timed(Store, "_write", "write")
            timed(SnapshotCache, "adopt", "snapshot")
            samples = []
            for row_id in edits.ids[:repeat]:
                spent.clear()
                start = time.perf_counter()
                request(row_id)
                total = time.perf_counter() - start
                sample = {**spent, "total": total}
                sample["write"] -= sample["dumps"]
                sample["rest"] = total - sum(sample.get(k, 0.0) for k in STAGES if k != "rest")
                samples.append(sample)
            if cprofile:
                profiler = cProfile.Profile()
                profiler.runcall(request, edits.ids[repeat])
                pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
        finally:
            for owner, name, inner in reversed(patches):
                setattr(owner, name, inner)
            logging.disable(logging.NOTSET)
    return {key: statistics.median(s[key] for s in samples) * 1000 for key in (*STAGES, "total")}


if __name__ == "__main__":
    figures = breakdown(sys.argv[1] if len(sys.argv) > 1 else "bench/.cache/portfolio-1000.json", cprofile=True)
    for key, ms in figures.items():
        print(f"{ms:7.1f} ms  {STAGES.get(key, 'the whole request')}")
