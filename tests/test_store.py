"""The store's single write path: atomic, locked, visible to a running app, nothing lost."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import orjson
import pytest

from service.store import Store, StoreError

WRITER = textwrap.dedent(
    """
    import sys
    from service.store import Store
    path, tag, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    store = Store(path)
    for i in range(count):
        with store.transaction() as tx:
            tx.insert("ActivitiesTasks", {"account": "ACC-00001", "task_title": f"{tag} task {i}"})
    print("done", tag)
    """
)


def run_writer(path, tag, count):
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), tag, str(count)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def test_a_write_by_another_process_shows_in_the_running_app(client, store_path):
    assert client.get("/v1/tables/AccountMaster/rows/ACC-00002").json["row"]["arr"] == 850_000
    before = client.get("/health").json["data_version"]
    script = (
        "import sys; from service.store import Store\n"
        "with Store(sys.argv[1]).transaction() as tx: tx.update('AccountMaster', 'ACC-00002', {'arr': 910000})"
    )
    subprocess.run([sys.executable, "-c", script, str(store_path)], check=True)
    assert client.get("/v1/tables/AccountMaster/rows/ACC-00002").json["row"]["arr"] == 910_000
    assert client.get("/health").json["data_version"] == before + 1


def test_two_processes_writing_at_once_lose_nothing(store_path, store):
    before = len(store.read()[0]["ActivitiesTasks"])
    writers = [run_writer(store_path, tag, 40) for tag in ("left", "right")]
    for w in writers:
        out, err = w.communicate(timeout=120)
        assert w.returncode == 0, err.decode()
    data = orjson.loads(store_path.read_bytes())
    titles = [row["task_title"] for row in data["ActivitiesTasks"].values()]
    assert len(titles) == before + 80
    for tag in ("left", "right"):
        assert {f"{tag} task {i}" for i in range(40)} <= set(titles)
    ids = [row["task_id"] for row in data["ActivitiesTasks"].values()]
    assert len(set(ids)) == len(ids)


def test_a_failed_transaction_writes_nothing(store, store_path):
    before = store_path.read_bytes()
    with pytest.raises(RuntimeError), store.transaction() as tx:
        tx.update("AccountMaster", "ACC-00001", {"arr": 1})
        raise RuntimeError("crash mid-way")
    assert store_path.read_bytes() == before


def test_a_transaction_that_changes_nothing_does_not_rewrite(store, store_path):
    before = store_path.stat().st_mtime_ns
    with store.transaction() as tx:
        tx.update("AccountMaster", "ACC-00001", {"arr": 1_200_000})
    assert store_path.stat().st_mtime_ns == before


def test_a_store_is_created_from_the_seed_on_first_use(tmp_path):
    from seed import initial_data

    path = tmp_path / "new" / "csm.json"
    data, _ = Store(path, initial=initial_data).read()
    assert len(data["AccountMaster"]) == 4 and len(data["ViewTemplates"]) == 5


def test_a_missing_or_broken_store_is_a_clear_error(tmp_path):
    with pytest.raises(StoreError, match="no store at"):
        Store(tmp_path / "absent.json").read()
    broken = tmp_path / "broken.json"
    broken.write_text('{"AccountMaster": {')
    with pytest.raises(StoreError, match="is not valid JSON"):
        Store(broken).read()
    foreign = tmp_path / "foreign.json"
    foreign.write_text('{"_default": {}}')
    with pytest.raises(StoreError, match="not a usable CSM Cockpit store: no _meta table"):
        Store(foreign).read()


def test_a_sync_that_spans_a_write_fails_clearly_not_silently(client, store):
    first = client.get("/v1/tables/EngagementLog/rows?limit=5").json
    with store.transaction() as tx:
        tx.update("EngagementLog", "ENG-00001", {"notes": "edited during the sync"})
    response = client.get(f"/v1/tables/EngagementLog/rows?limit=5&continuation={first['continuation']}")
    assert response.status_code == 409
    assert response.json["code"] == "data_changed"


def test_the_mtime_moves_forward_even_for_writes_within_one_tick(store, store_path):
    seen = set()
    for i in range(20):
        with store.transaction() as tx:
            tx.update("AccountMaster", "ACC-00001", {"arr": 1_000_000 + i})
        seen.add(store_path.stat().st_mtime_ns)
    assert len(seen) == 20
