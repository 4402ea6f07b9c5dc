"""The write benchmark's edits are valid and never conflict; its driver and breakdown measure real writes."""

from __future__ import annotations

import datetime as dt
import os

import pytest
import requests

from bench import portfolio, writes
from bench.report import write_section
from schemas import get_table
from service import create_app
from service.store import Store
from tests.conftest import TODAY, TOKEN, authed
from tests.helpers import free_port, start_service, stop_service, wait_ready

TASKS = get_table("ActivitiesTasks")
BATCH_URL = "/v1/tables/ActivitiesTasks/rows/batch"


@pytest.fixture
def bench_store(tmp_path):
    return portfolio.write(8, tmp_path / "csm.json")  # 24 tasks


@pytest.fixture
def bench_client(bench_store):
    return authed(create_app({"CSM_DATA": str(bench_store), "CSM_TODAY": TODAY, "CSM_API_TOKENS": TOKEN}))


def served_tasks(client) -> list[dict]:
    return client.get("/v1/tables/ActivitiesTasks/rows?limit=1000").json["rows"]


def post(client, edits: writes.TaskEdits, ids: list[str]) -> list[dict]:
    updates = edits.updates(ids)
    response = client.post(BATCH_URL, json={"updates": updates})
    edits.accept(updates, response.status_code, response.json)
    return updates


def test_each_edit_changes_every_field_to_a_valid_value_with_previous_as_served(bench_client):
    rows = served_tasks(bench_client)
    edits = writes.TaskEdits(rows)
    assert len(edits.ids) == 24
    window = {(dt.date(2026, 11, 20) + dt.timedelta(days=d)).isoformat() for d in range(-20, 40)}
    for update, row in zip(edits.updates(edits.ids), rows, strict=True):
        assert update["id"] == row["task_id"]
        assert update["previous"] == {key: row[key] for key in writes.FIELDS}
        changes = update["changes"]
        assert changes["status"] in TASKS.field("status").options
        assert changes["priority"] in TASKS.field("priority").options
        assert changes["due_date"] in window
        assert all(changes[key] != row[key] for key in writes.FIELDS)  # a real change, never a no-op


def test_repeated_batches_all_commit_and_the_service_keeps_the_values(bench_client, bench_store):
    edits = writes.TaskEdits(served_tasks(bench_client))
    store = Store(bench_store)
    version = store.read()[0]["_meta"]["1"]["version"]
    statuses = set()
    for _ in range(6):  # past the end of the status cycle (5 options): every batch still commits
        updates = post(bench_client, edits, edits.ids[:10])
        statuses.add(updates[0]["changes"]["status"])
    assert statuses == set(TASKS.field("status").options)
    assert store.read()[0]["_meta"]["1"]["version"] == version + 6
    for row in served_tasks(bench_client):
        assert {key: row[key] for key in writes.FIELDS} == edits.seen[row["task_id"]]


def test_a_stale_previous_is_a_conflict_and_accept_refuses_it(bench_client):
    rows = served_tasks(bench_client)
    fresh, stale = writes.TaskEdits(rows), writes.TaskEdits(rows)
    post(bench_client, fresh, fresh.ids[:2])
    updates = stale.updates(fresh.ids[:2])
    response = bench_client.post(BATCH_URL, json={"updates": updates})
    assert response.status_code == 200 and response.json["results"][0]["code"] == "conflict"
    with pytest.raises(writes.EditFailed, match="conflict"):
        stale.accept(updates, response.status_code, response.json)
    with pytest.raises(writes.EditFailed, match="HTTP 401"):
        stale.accept(updates, 401, {"ok": False, "status": 401})


def test_lanes_are_disjoint_cover_every_row_and_hold_a_batch(bench_client):
    edits = writes.TaskEdits(served_tasks(bench_client))
    lanes = edits.lanes(4, 6)
    assert sorted(i for lane in lanes for i in lane) == sorted(edits.ids)
    assert all(len(lane) >= 6 for lane in lanes)
    with pytest.raises(ValueError):
        edits.lanes(4, 7)


def test_breakdown_times_every_stage_and_restores_the_store(bench_store):
    read, write = Store.read, Store._write
    figures = writes.breakdown(bench_store, repeat=3)
    assert set(figures) == {*writes.STAGES, "total"}
    assert all(figures[key] > 0 for key in ("parse", "dumps", "write", "snapshot", "change_log"))
    assert figures["total"] >= figures["parse"] + figures["snapshot"]
    assert (Store.read, Store._write) == (read, write)
    assert Store(bench_store).read()[0]["_meta"]["1"]["version"] == 0  # it edited a copy


def test_drive_measures_committed_edits_against_the_served_service(bench_store, tmp_path):
    port = free_port()
    env = {**os.environ, "CSM_DATA": str(bench_store), "CSM_TODAY": TODAY, "CSM_API_TOKENS": TOKEN}
    proc = start_service(["serve", "--port", str(port), "--workers", "2"], env, tmp_path)
    base = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {TOKEN}"}
    try:
        wait_ready(f"{base}/health", proc, timeout=60)
        rows = requests.get(f"{base}/v1/tables/ActivitiesTasks/rows?limit=1000", headers=headers, timeout=30)
        edits = writes.TaskEdits(rows.json()["rows"])
        result = writes.drive(base, headers, edits, clients=2, batch=3, seconds=1)
    finally:
        stop_service(proc)
    assert result["requests"] >= 2 and result["edits_per_s"] == pytest.approx(result["rps"] * 3)
    assert result["rps"] == pytest.approx(result["requests"] / result["seconds"])
    assert 0 < result["p50_ms"] <= result["p99_ms"]
    version = Store(bench_store).read()[0]["_meta"]["1"]["version"]
    assert version == result["requests"]  # one commit a request, none refused


def test_the_report_section_gives_the_ratios():
    runs = [
        {"clients": c, "batch": b, "requests": 10, "seconds": 10.0, "rps": rps, "edits_per_s": rps * b,
         "p50_ms": 300.0, "p99_ms": 600.0}
        for c, b, rps in [(1, 1, 3.0), (4, 1, 1.5), (1, 100, 1.5), (4, 100, 3.0)]
    ]  # fmt: skip
    lines = write_section(1000, {"writes": runs, "edit_ms": 150.0, "edit100_ms": 300.0, "build_ms": 200.0})
    text = "\n".join(lines)
    assert "| 1 | 100 | 1.50 | 150 | 300 | 600 | 10 | 10.0 |" in text
    assert "50× (1 client), 200× (4 clients)" in text
    assert "0.50× at batch 1, 2.00× at batch 100" in text
