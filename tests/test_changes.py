"""The change log: what each commit records, crash safety, retention, `csm log` and `GET /v1/changes`."""

from __future__ import annotations

import json
import os

import pytest

from service import create_app
from service.changelog import ChangeLog, ChangeLogReader, Retention
from service.store import Store, StoreError
from tests.conftest import TODAY, authed


def records(store):
    return store.changes.records()


def test_each_write_records_source_table_id_and_old_and_new(store):
    with store.transaction(source="api:coda") as tx:
        tx.update("ActivitiesTasks", "TSK-00001", {"status": "Done"})
        new_id = tx.insert("PeopleTeam", {"full_name": "Ola Nordmann", "email": "ola@x.example", "role": "CSM"})
    with store.transaction() as tx:
        tx.delete("ActivitiesTasks", "TSK-00002")
    update, insert, delete = records(store)
    assert update["source"] == "api:coda" and update["table"] == "ActivitiesTasks" and update["id"] == "TSK-00001"
    assert update["op"] == "update" and update["changes"] == {"status": ["In Progress", "Done"]}
    assert update["account"] == "ACC-00001" and update["at"].endswith("Z")
    assert insert["op"] == "insert" and insert["id"] == new_id and insert["account"] is None
    assert insert["changes"]["full_name"] == [None, "Ola Nordmann"] and "person_id" not in insert["changes"]
    assert delete["source"] == "cli" and delete["op"] == "delete"
    assert delete["changes"]["task_title"] == ["Prepare Q4 QBR deck", None]
    assert [r["seq"] for r in (update, insert, delete)] == [1, 2, 3]
    assert update["version"] == insert["version"] == delete["version"] - 1


def test_automatic_stamps_are_left_out_and_history_rows_belong_to_their_metrics_account(store):
    with store.transaction() as tx:
        tx.update("PlatformHealthMetrics", "MET-00001", {"current_value": 99.5})
        tx.insert("MetricHistory", {"metric": "MET-00001", "value_date": TODAY, "value": 99.5})
    update, insert = records(store)
    assert set(update["changes"]) == {"current_value"}, "last_measured is stamped, not logged"
    assert insert["table"] == "MetricHistory" and insert["account"] == update["account"] == "ACC-00001"


def test_a_transaction_logs_net_changes(store):
    with store.transaction() as tx:
        tx.update("ActivitiesTasks", "TSK-00001", {"status": "Done"})
        tx.update("ActivitiesTasks", "TSK-00001", {"status": "Waiting"})
        temp = tx.insert("ActivitiesTasks", {"account": "ACC-00001", "task_title": "temporary"})
        tx.delete("ActivitiesTasks", temp)
    [record] = records(store)
    assert record["changes"] == {"status": ["In Progress", "Waiting"]}


def test_a_write_that_changes_nothing_logs_nothing(store):
    with store.transaction() as tx:
        tx.update("ActivitiesTasks", "TSK-00001", {"status": "In Progress"})
    assert records(store) == [] and not store.changes.path.exists()


def test_reset_logs_only_the_rows_it_changes(csm, store_path):
    assert csm("update", "ActivitiesTasks", "TSK-00001", "--set", "status=Done").exit_code == 0
    assert csm("reset", "--yes").exit_code == 0
    edit, reset = Store(store_path).changes.records()
    assert reset["changes"] == {"status": ["Done", "In Progress"]} and reset["id"] == "TSK-00001"
    assert reset["source"] == "cli" and reset["version"] > edit["version"]


def test_an_import_logs_every_row_it_adds(csm, store_path, tmp_path):
    rows = tmp_path / "people.json"
    rows.write_text(json.dumps([{"full_name": f"P{i}", "email": f"p{i}@x.example", "role": "CSM"} for i in range(3)]))
    assert csm("insert", "PeopleTeam", str(rows)).exit_code == 0
    logged = Store(store_path).changes.records()
    assert [r["op"] for r in logged] == ["insert"] * 3 and len({r["version"] for r in logged}) == 1


# --- crash safety ---------------------------------------------------------------------------


def test_a_failed_store_write_leaves_no_record(store, monkeypatch):
    before = store.path.read_bytes()
    real = os.replace

    def failing(src, dst, *a, **k):
        if str(dst) == str(store.path):
            raise OSError(28, "No space left on device")
        return real(src, dst, *a, **k)

    monkeypatch.setattr(os, "replace", failing)
    with pytest.raises(StoreError, match="cannot write the store"), store.transaction() as tx:
        tx.update("ActivitiesTasks", "TSK-00001", {"status": "Done"})
    monkeypatch.undo()
    assert store.path.read_bytes() == before and records(store) == []


def test_records_of_a_commit_that_never_completed_are_hidden_then_cut_off(store):
    """A process killed between appending to the log and replacing the store leaves records of a
    version the store never reached, and maybe a torn line: readers skip them, the next writer cuts them."""
    with store.transaction() as tx:
        tx.update("ActivitiesTasks", "TSK-00001", {"status": "Done"})
    [first] = records(store)
    orphan = {**first, "seq": 2, "version": first["version"] + 1, "changes": {"status": ["Done", "Ghost"]}}
    with open(store.changes.path, "ab") as fh:
        fh.write(json.dumps(orphan).encode() + b"\n" + b'{"seq": 3, "at": "2026-11')
    entries = ChangeLogReader(store.changes).entries(first["version"])
    assert [entries.record(e) for e in entries.items] == [first]
    assert store.changes.records(first["version"]) == [first]
    with store.transaction() as tx:
        tx.update("ActivitiesTasks", "TSK-00001", {"status": "Waiting"})
    logged = records(store)
    assert [r["changes"]["status"] for r in logged] == [["In Progress", "Done"], ["Done", "Waiting"]]
    assert [r["seq"] for r in logged] == [1, 2] and logged[1]["version"] == first["version"] + 1
    assert store.changes.path.read_bytes().endswith(b"\n")


def test_the_reader_picks_up_appends_and_rewrites(store):
    reader = ChangeLogReader(store.changes)
    assert reader.entries(10**6).items == []
    held = None
    for status in ("Done", "Waiting"):
        with store.transaction() as tx:
            tx.update("ActivitiesTasks", "TSK-00001", {"status": status})
        entries = reader.entries(10**6)
        assert entries.record(entries.items[-1])["changes"]["status"][1] == status
        held = held or entries
    store.changes.compact("9999-01-01T00:00:00Z", 0)  # drops everything: a new file
    assert reader.entries(10**6).items == []
    assert held.record(held.items[0])["changes"]["status"] == ["In Progress", "Done"], "an older read still reads"


# --- retention -----------------------------------------------------------------------------


def _fill(log: ChangeLog, count: int, at: str, first_version: int = 1) -> None:
    for i in range(count):
        record = {"at": at, "source": "cli", "table": "ActivitiesTasks", "id": "TSK-00001", "op": "update"}
        log.append([{**record, "changes": {}}], store_version=first_version + i - 1)


def test_retention_keeps_the_newest_records_within_the_count(tmp_path):
    log = ChangeLog(tmp_path / "x.changes.jsonl", Retention(keep_days=365, keep_records=100))
    _fill(log, 110, "2026-11-20T10:00:00Z")
    kept = log.records()
    assert len(kept) == 110, "compaction waits until 10% past the count"
    _fill(log, 1, "2026-11-20T10:00:00Z", first_version=111)
    kept = log.records()
    assert [r["seq"] for r in kept] == list(range(12, 112)), "the newest 100, numbers kept"


def test_retention_drops_records_past_the_age_limit(tmp_path):
    log = ChangeLog(tmp_path / "x.changes.jsonl", Retention(keep_days=30, keep_records=1000))
    _fill(log, 5, "2026-09-01T10:00:00Z")
    _fill(log, 2, "2026-11-20T10:00:00Z", first_version=6)
    assert [r["seq"] for r in log.records()] == [6, 7]


@pytest.mark.parametrize(("name", "value"), [("CSM_CHANGES_KEEP_DAYS", "0"), ("CSM_CHANGES_KEEP", "ten")])
def test_a_bad_retention_setting_is_a_clear_error(csm, store_path, monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    result = csm("log")
    assert result.exit_code == 1 and name in result.output and "Traceback" not in result.output


# --- csm log -------------------------------------------------------------------------------


def test_csm_log_shows_old_and_new_values_and_filters(csm, store_path):
    csm("update", "ActivitiesTasks", "TSK-00001", "--set", "status=Done")
    csm("update", "AccountMaster", "ACC-00002", "--set", "arr=910000")
    result = csm("log")
    assert result.exit_code == 0, result.output
    assert "cli  update ActivitiesTasks TSK-00001 (account ACC-00001)" in result.output
    assert "status: 'In Progress' -> 'Done'" in result.output and "arr: " in result.output
    only = csm("log", "--account", "nordic logistics group")
    assert "ACC-00002" in only.output and "TSK-00001" not in only.output
    assert "TSK-00001" in csm("log", "--table", "ActivitiesTasks").output
    assert csm("log", "--id", "ACC-00002").output.count("update ") == 1
    assert csm("log", "--since", "2999-01-01").output == "No changes match.\n"
    lines = csm("log", "--nl", "--limit", "1").output.splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["id"] == "ACC-00002"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--since", "last week"], "--since"),
        (["--id", "ACC-1"], "not a row id"),
        (["--table", "ActivitiesTasks", "--id", "ACC-00001"], "not of ActivitiesTasks"),
        (["--account", "Nobody Inc"], "No AccountMaster row"),
        (["--table", "Nope"], "no table 'Nope'"),
    ],
)
def test_csm_log_refuses_bad_filters(csm, args, words):
    result = csm("log", *args)
    assert result.exit_code != 0 and words in result.output and "Traceback" not in result.output


# --- GET /v1/changes --------------------------------------------------------------------------


@pytest.fixture
def edited(store_path):
    app = create_app({"CSM_DATA": str(store_path), "CSM_TODAY": TODAY, "TESTING": True, "CSM_API_TOKENS": "crm=t"})
    client = authed(app)
    client.environ_base["HTTP_AUTHORIZATION"] = "Bearer t"
    for status in ("Done", "Waiting", "Cancelled"):
        assert client.patch("/v1/tables/ActivitiesTasks/rows/TSK-00001", json={"status": status}).status_code == 200
    assert client.patch("/v1/tables/AccountMaster/rows/ACC-00002", json={"arr": 910000}).status_code == 200
    return client


def test_changes_endpoint_filters_and_pages(edited):
    body = edited.get("/v1/changes").json
    assert [c["id"] for c in body["changes"]] == ["TSK-00001"] * 3 + ["ACC-00002"]
    assert body["changes"][0]["source"] == "api:crm" and body["continuation"] is None
    assert [c["id"] for c in edited.get("/v1/changes?account=ACC-00002").json["changes"]] == ["ACC-00002"]
    assert len(edited.get("/v1/changes?id=TSK-00001").json["changes"]) == 3
    assert len(edited.get("/v1/changes?table=AccountMaster").json["changes"]) == 1
    assert edited.get("/v1/changes?since=2999-01-01").json["changes"] == []
    assert len(edited.get("/v1/changes?since=2000-01-01T00:00:00%2B02:00").json["changes"]) == 4
    page = edited.get("/v1/changes?limit=2").json
    assert [c["seq"] for c in page["changes"]] == [1, 2] and page["continuation"] == "2"
    rest = edited.get(f"/v1/changes?limit=2&continuation={page['continuation']}").json
    assert [c["seq"] for c in rest["changes"]] == [3, 4] and rest["continuation"] is None


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ("since=yesterday", "since"),
        ("since=2026-11-01T09:00:00", "since"),
        ("table=Nope", "table"),
        ("id=TSK-1", "id"),
        ("table=AccountMaster&id=TSK-00001", "id"),
        ("account=Acme", "account"),
        ("limit=0", "limit"),
        ("limit=1001", "limit"),
        ("continuation=-1", "continuation"),
        ("colour=red", "colour"),
    ],
)
def test_changes_endpoint_refuses_bad_parameters_by_name(edited, query, param):
    response = edited.get(f"/v1/changes?{query}")
    assert response.status_code == 400 and param in response.json["errors"], response.json


def test_a_change_log_that_cannot_be_read_is_a_store_error_not_a_crash(csm, store_path, edited):
    log_file = store_path.with_name(store_path.name + ".changes.jsonl")
    log_file.unlink()
    log_file.mkdir()  # a folder where the log should be
    response = edited.get("/v1/changes")
    assert response.status_code == 503 and response.json["code"] == "store_unavailable"
    result = csm("log")
    assert result.exit_code == 1 and "cannot read the change log" in result.output and "Traceback" not in result.output
    result = csm("update", "ActivitiesTasks", "TSK-00001", "--set", "status=Done")
    assert result.exit_code == 1 and "cannot write the change log" in result.output


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_an_export_restored_as_it_is_logs_nothing(csm, store_path, tmp_path, fmt):
    """70 and 70.0, null and [], key order inside objects: a round trip through a file is no change."""
    assert csm("export", "--format", fmt, "--out", str(tmp_path / "b")).exit_code == 0
    assert csm("import", "--replace", str(tmp_path / "b")).exit_code == 0
    assert Store(store_path).changes.records() == []
    assert csm("reset", "--yes").exit_code == 0
    assert Store(store_path).changes.records() == []


def test_a_cascade_keeps_each_deleted_rows_account(csm, store_path):
    assert csm("delete", "AccountMaster", "ACC-00003", "--cascade").exit_code == 0
    logged = Store(store_path).changes.records()
    history = [r for r in logged if r["table"] == "MetricHistory"]
    assert history and all(r["account"] == "ACC-00003" for r in history)
    assert all(r["account"] == "ACC-00003" for r in logged if r["table"] != "PeopleTeam"), [
        (r["table"], r["account"]) for r in logged if r["account"] != "ACC-00003"
    ]


def test_csm_log_finds_a_deleted_accounts_timeline_by_its_name(csm):
    assert csm("delete", "AccountMaster", "ACC-00003", "--cascade").exit_code == 0
    result = csm("log", "--account", "healthtech solutions", "--limit", "0")
    assert result.exit_code == 0, result.output
    assert "delete AccountMaster ACC-00003" in result.output and "delete MetricHistory" in result.output


def test_csm_log_never_creates_a_store(csm, tmp_path):
    result = csm("log", db=tmp_path / "typo" / "csm.json")
    assert result.exit_code == 1 and "no store at" in result.output
    assert not (tmp_path / "typo").exists()


def test_a_commit_with_no_records_still_cuts_off_a_crashed_commits_records(store):
    """A crash left records of version V+1; the next commit (here one that changes nothing in
    meaning) takes version V+1 itself, and must not let those records pass for its own."""
    with store.transaction() as tx:
        tx.update("ActivitiesTasks", "TSK-00001", {"status": "Done"})
    [first] = records(store)
    ghost = {**first, "seq": 2, "version": first["version"] + 1, "changes": {"status": ["Done", "Ghost"]}}
    with open(store.changes.path, "ab") as fh:
        fh.write(json.dumps(ghost).encode() + b"\n")
    with store.transaction() as tx:  # a write whose net effect is nothing: no records of its own
        tx.update("ActivitiesTasks", "TSK-00001", {"status": "Waiting"})
        tx.update("ActivitiesTasks", "TSK-00001", {"status": "Done"})
    assert tx.version == first["version"] + 1
    assert records(store) == [first]


def test_a_store_recreated_or_copied_back_keeps_the_log_and_its_numbers(store, csm, store_path):
    backup = store_path.read_bytes()
    for status in ("Done", "Waiting", "Cancelled"):
        assert csm("update", "ActivitiesTasks", "TSK-00001", "--set", f"status={status}").exit_code == 0
    store_path.unlink()  # re-created from the seed on the next command
    assert csm("update", "ActivitiesTasks", "TSK-00002", "--set", "status=Done").exit_code == 0
    store_path.write_bytes(backup)  # an old copy put back by hand
    assert csm("update", "ActivitiesTasks", "TSK-00003", "--set", "task_title=Changed").exit_code == 0
    logged = records(store)
    assert [r["id"] for r in logged] == ["TSK-00001"] * 3 + ["TSK-00002", "TSK-00003"]
    assert [r["seq"] for r in logged] == [1, 2, 3, 4, 5]
    versions = [r["version"] for r in logged]
    assert versions == sorted(set(versions)), "versions only grow"
    assert csm("log", "--limit", "0").output.count("update ActivitiesTasks") == 5, "and all are shown"


def test_rewrites_clear_temp_files_left_by_a_killed_rewrite(store):
    with store.transaction() as tx:
        tx.update("ActivitiesTasks", "TSK-00001", {"status": "Done"})
    stale = store.changes.path.with_name(f".{store.changes.path.name}.99999.tmp")
    stale.write_bytes(b"x" * 1000)
    store.changes.compact("2000-01-01T00:00:00Z", 0)
    assert not stale.exists() and len(records(store)) == 1


def test_a_continuation_past_what_retention_kept_is_410_not_a_silent_skip(store_path):
    app = create_app({"CSM_DATA": str(store_path), "CSM_TODAY": TODAY, "TESTING": True, "CSM_API_TOKENS": "t"})
    client = authed(app)
    client.environ_base["HTTP_AUTHORIZATION"] = "Bearer t"
    store = Store(store_path, retention=Retention(keep_days=365, keep_records=100))
    for i in range(120):
        with store.transaction() as tx:
            tx.update("ActivitiesTasks", "TSK-00001", {"task_title": f"title {i}"})
    first = store.changes.records()[0]["seq"]
    assert first > 5
    response = client.get("/v1/changes?continuation=5")
    assert response.status_code == 410 and response.json["code"] == "changes_expired"
    assert client.get(f"/v1/changes?continuation={first - 1}").status_code == 200


def test_a_log_overwritten_in_place_is_read_afresh(store, edited, store_path):
    assert len(edited.get("/v1/changes").json["changes"]) == 4  # indexed
    log_file = store.changes.path
    lines = log_file.read_bytes().splitlines(keepends=True)
    with open(log_file, "r+b") as fh:  # same file, same size: seq 3 and 4 swapped with 1 and 2
        fh.write(b"".join(lines[2:] + lines[:2]))
    with store.transaction() as tx:
        tx.update("ActivitiesTasks", "TSK-00002", {"status": "Done"})
    body = edited.get("/v1/changes").json
    assert body["changes"] == store.changes.records(), "what the file holds now, not spliced bytes"


def _crash_after_logging(store, title: str) -> None:
    """What a writer killed between its log append and its store write leaves: unmarked records."""
    data, _ = store.read()
    record = {"at": "2026-11-23T10:00:00Z", "source": "cli", "table": "ActivitiesTasks", "id": "TSK-00009",
              "op": "update", "account": "ACC-00004", "changes": {"task_title": ["old", title]}}  # fmt: skip
    store.changes.append([record], store_version=data["_meta"]["1"]["version"])


def test_a_crashed_commit_stays_hidden_after_a_backup_is_copied_back(store, csm, store_path):
    backup = store_path.read_bytes()
    for status in ("Done", "Waiting"):
        assert csm("update", "ActivitiesTasks", "TSK-00001", "--set", f"status={status}").exit_code == 0
    _crash_after_logging(store, "NEVER-COMMITTED")
    store_path.write_bytes(backup)
    assert csm("update", "ActivitiesTasks", "TSK-00002", "--set", "task_title=x").exit_code == 0
    output = csm("log", "--limit", "0").output
    assert "NEVER-COMMITTED" not in output and output.count("update ActivitiesTasks") == 3


def test_a_crashed_commit_stays_hidden_when_the_store_is_recreated(store, csm, store_path):
    assert csm("update", "ActivitiesTasks", "TSK-00001", "--set", "status=Done").exit_code == 0
    _crash_after_logging(store, "NEVER-COMMITTED")
    store_path.unlink()
    output = csm("log", "--limit", "0").output  # re-created? no: log never creates a store
    assert "no store" in output
    assert csm("get", "ActivitiesTasks", "TSK-00001").exit_code == 0  # this re-creates it from the seed
    assert "NEVER-COMMITTED" not in csm("log", "--limit", "0").output


def test_a_backup_one_commit_old_copied_back_keeps_that_commits_record(store, csm, store_path):
    assert csm("update", "ActivitiesTasks", "TSK-00001", "--set", "status=Done").exit_code == 0
    backup = store_path.read_bytes()
    assert csm("update", "ActivitiesTasks", "TSK-00001", "--set", "status=Waiting").exit_code == 0
    store_path.write_bytes(backup)
    assert csm("update", "ActivitiesTasks", "TSK-00002", "--set", "task_title=x").exit_code == 0
    logged = records(store)
    assert [r["seq"] for r in logged] == [1, 2, 3] and logged[1]["changes"]["status"] == ["Done", "Waiting"]


def test_a_long_crashed_tail_is_cut_in_one_pass(store):
    data, _ = store.read()
    version = data["_meta"]["1"]["version"]
    record = {"at": "2026-11-23T10:00:00Z", "source": "cli", "table": "PeopleTeam", "id": "PER-00001",
              "op": "update", "account": None, "changes": {"notes": [None, "x" * 500]}}  # fmt: skip
    store.changes.append([dict(record) for _ in range(20_000)], store_version=version)  # ~12 MB, unmarked
    with store.transaction() as tx:
        tx.update("ActivitiesTasks", "TSK-00001", {"status": "Done"})
    [kept] = records(store)
    assert kept["seq"] == 1 and kept["id"] == "TSK-00001"


def test_a_fifo_or_mangled_lines_in_place_of_the_log_never_hang_or_crash(store, csm):
    os.mkfifo(store.changes.path)
    result = csm("update", "ActivitiesTasks", "TSK-00001", "--set", "status=Done")
    assert result.exit_code == 1 and "cannot write the change log" in result.output
    os.unlink(store.changes.path)
    store.changes.path.write_bytes(
        b'{"seq": 18446744073709551615, "version": 1, "at": "x", "source": "cli", "table": "T", "op": "update", '
        b'"changes": {}}\n{"seq": 1, "version": 9007199254740992, "at": "x", "source": "cli", "table": "T", '
        b'"op": "update", "changes": {}}\n{"seq": 2}\n'
    )
    assert csm("update", "ActivitiesTasks", "TSK-00001", "--set", "status=Done").exit_code == 0
    assert csm("log").exit_code == 0 and csm("validate").exit_code == 0
    assert [r["seq"] for r in records(store)] == [1]


def test_a_commit_whose_marker_was_lost_is_marked_by_the_next_and_survives_a_copy_back(
    store, csm, store_path, monkeypatch
):
    backup = store_path.read_bytes()
    assert csm("update", "ActivitiesTasks", "TSK-00001", "--set", "status=Done").exit_code == 0
    monkeypatch.setattr(ChangeLog, "mark_committed", lambda self, version: None)  # killed before its marker
    assert csm("update", "ActivitiesTasks", "TSK-00001", "--set", "status=Waiting").exit_code == 0
    monkeypatch.undo()
    assert csm("update", "ActivitiesTasks", "TSK-00002", "--set", "status=Done").exit_code == 0  # marks it
    store_path.write_bytes(backup)
    assert csm("update", "ActivitiesTasks", "TSK-00003", "--set", "task_title=Changed").exit_code == 0
    logged = records(store)
    assert [r["seq"] for r in logged] == [1, 2, 3, 4] and logged[1]["changes"]["status"] == ["Done", "Waiting"]
    assert len({r["version"] for r in logged}) == 4
