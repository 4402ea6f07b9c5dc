"""`csm import --replace`: restoring an export exactly -- rows, ids, stamps -- or refusing with nothing written."""

from __future__ import annotations

import json
import re

import orjson
import pytest

from schemas import ALL_TABLES

STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def tables_of(path) -> dict:
    """Every stored table of the file, row for row (TinyDB keys and values); `_meta` left out."""
    data = orjson.loads(path.read_bytes())
    assert {t.name for t in ALL_TABLES} <= set(data)
    return {t.name: data[t.name] for t in ALL_TABLES}


def next_ids(path) -> dict:
    return orjson.loads(path.read_bytes())["_meta"]["1"]["next_ids"]


def ok(result):
    assert result.exit_code == 0, result.output
    return result


def edit(csm) -> None:
    """Rows added, changed (with a fresh modified stamp) and deleted."""
    ok(csm("insert", "PeopleTeam", "--set", "full_name=Ola Nordmann", "--set", "email=ola@ours.example",
           "--set", "role=CSM"))  # fmt: skip
    ok(csm("update", "AccountMaster", "ACC-00002", "--set", "arr=910000"))
    ok(csm("update", "PlatformHealthMetrics", "MET-00001", "--set", "current_value=12"))
    ok(csm("delete", "ActivitiesTasks", "TSK-00003"))
    ok(csm("delete", "AccountMaster", "ACC-00004", "--cascade"))


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_export_reset_restore_gives_the_same_rows_in_every_table(csm, tmp_path, store_path, fmt):
    edit(csm)
    exported, ids_at_export = tables_of(store_path), next_ids(store_path)
    assert exported["AccountMaster"]["2"]["last_modified"] != exported["AccountMaster"]["1"]["last_modified"]
    ok(csm("export", "--format", fmt, "--out", str(tmp_path / "backup")))
    ok(csm("reset", "--yes"))
    assert tables_of(store_path) != exported
    result = ok(csm("import", "--replace", str(tmp_path / "backup")))
    assert "AccountMaster: 3 rows restored\n" in result.output
    assert "MetricHistory: " in result.output and "Left as they are" not in result.output
    assert tables_of(store_path) == exported  # all 18 tables, history included: ids, values and stamps
    assert all(next_ids(store_path).get(t, 1) >= n for t, n in ids_at_export.items())
    assert ok(csm("validate")).output.startswith("OK: ")


def test_restore_brings_an_edited_store_back_to_the_export_exactly(csm, tmp_path, store_path):
    ok(csm("export", "--out", str(tmp_path / "backup")))
    exported = tables_of(store_path)
    edit(csm)
    ok(csm("insert", "PeopleTeam", "--set", "full_name=Kari Hansen", "--set", "email=kari@ours.example",
           "--set", "role=CSM"))  # fmt: skip
    ids_before = next_ids(store_path)
    assert ids_before["PeopleTeam"] == 8
    ok(csm("import", "--replace", str(tmp_path / "backup")))
    restored = tables_of(store_path)
    assert restored == exported
    assert "6" not in restored["PeopleTeam"] and "7" not in restored["PeopleTeam"]  # added rows gone
    assert restored["ActivitiesTasks"]["3"]["task_id"] == "TSK-00003"  # deleted rows back under their ids
    assert restored["AccountMaster"]["4"] == exported["AccountMaster"]["4"]  # a cascade undone
    assert restored["AccountMaster"]["2"]["arr"] == exported["AccountMaster"]["2"]["arr"]  # changes undone
    assert ok(csm("validate")).output.startswith("OK: ")
    # High-water marks never go down: the next person gets a fresh id, never PER-00006 again.
    assert next_ids(store_path)["PeopleTeam"] == 8
    assert all(next_ids(store_path).get(t, 1) >= n for t, n in ids_before.items())
    assert ok(csm("insert", "PeopleTeam", "--set", "full_name=Per Hansen", "--set", "email=per@ours.example",
                  "--set", "role=CSM")).output == "PER-00008\n"  # fmt: skip


def test_tables_missing_from_the_import_are_left_as_they_are_and_said_so(csm, tmp_path, store_path):
    ok(csm("export", "--table", "AccountMaster", "--table", "PeopleTeam", "--out", str(tmp_path / "backup")))
    exported = tables_of(store_path)
    ok(csm("update", "AccountMaster", "ACC-00002", "--set", "arr=910000"))
    ok(csm("delete", "ActivitiesTasks", "TSK-00003"))
    result = ok(csm("import", "--replace", str(tmp_path / "backup")))
    lines = result.output.splitlines()
    assert lines[:2] == ["AccountMaster: 4 rows restored", "PeopleTeam: 5 rows restored"]
    assert lines[2].startswith(f"Left as they are (not in {tmp_path / 'backup'}): BusinessContext, ")
    assert "ActivitiesTasks" in lines[2] and len(lines) == 3
    now = tables_of(store_path)
    assert now["AccountMaster"] == exported["AccountMaster"]
    assert "3" not in now["ActivitiesTasks"]  # not in the import: untouched
    assert ok(csm("validate")).output.startswith("OK: ")


def test_a_plain_import_still_upserts(csm, tmp_path, store_path):
    ok(csm("export", "--table", "PeopleTeam", "--out", str(tmp_path / "backup")))
    ok(csm("insert", "PeopleTeam", "--set", "full_name=Ola Nordmann", "--set", "email=ola@ours.example",
           "--set", "role=CSM"))  # fmt: skip
    result = ok(csm("import", str(tmp_path / "backup")))
    assert result.output == "PeopleTeam: 0 inserted, 5 updated\n"
    assert "6" in tables_of(store_path)["PeopleTeam"]  # without --replace nothing is removed


def test_a_restore_that_would_leave_a_dangling_reference_is_refused(csm, tmp_path, store_path):
    ok(csm("export", "--table", "AccountMaster", "--table", "PeopleTeam", "--out", str(tmp_path / "backup")))
    path = tmp_path / "backup" / "AccountMaster.json"
    path.write_text(json.dumps([r for r in json.loads(path.read_text()) if r["account_id"] != "ACC-00003"]))
    before = store_path.read_bytes()
    result = csm("import", "--replace", str(tmp_path / "backup"))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == (
        "Error: BusinessContext CTX-00003: account: points at AccountMaster ACC-00003, which the restore removes "
        "(restore BusinessContext too, or change the row first)"
    )
    assert any(line.startswith("RiskRegister RISK-") and "ACC-00003" in line for line in lines)
    assert store_path.read_bytes() == before
    assert ok(csm("validate")).output.startswith("OK: ")


def test_a_restore_that_removes_an_unreferenced_row_is_fine(csm, tmp_path, store_path):
    ok(csm("export", "--table", "ActivitiesTasks", "--out", str(tmp_path / "backup")))
    path = tmp_path / "backup" / "ActivitiesTasks.json"
    path.write_text(json.dumps([r for r in json.loads(path.read_text()) if r["task_id"] != "TSK-00003"]))
    assert ok(csm("import", "--replace", str(path))).output.startswith("ActivitiesTasks: 11 rows restored\n")
    assert "3" not in tables_of(store_path)["ActivitiesTasks"]
    assert next_ids(store_path)["ActivitiesTasks"] == 13
    assert ok(csm("validate")).output.startswith("OK: ")


def _set(row: dict, key: str, value) -> None:
    if value is ...:
        row.pop(key, None)
    else:
        row[key] = value


@pytest.mark.parametrize(
    "key,value,message",
    [
        ("account_id", "ACC-000003",
         "AccountMaster row 3 ('ACC-000003'): account_id: 'ACC-000003' is not an id of AccountMaster; "
         "did you mean ACC-00003?"),
        ("account_id", " ACC-00003",
         "AccountMaster row 3 (' ACC-00003'): account_id: ' ACC-00003' is not an id of AccountMaster; "
         "did you mean ACC-00003?"),
        ("account_id", "acc-00003", "AccountMaster row 3 ('acc-00003'): account_id: 'acc-00003' is not an id"),
        ("account_id", 3, "AccountMaster row 3 (3): account_id: a int is not an id of AccountMaster"),
        ("account_id", ..., "AccountMaster row 3: account_id: Missing: a restore keeps every row's id."),
        ("account_id", "ACC-00002", "AccountMaster ACC-00002: account_id: ACC-00002 already exists."),
        ("created_date", "yesterday",
         "AccountMaster ACC-00003: created_date: Not a date-time in the form YYYY-MM-DDTHH:MM:SSZ"),
        ("last_modified", "2026-13-01T00:00:00Z",
         "AccountMaster ACC-00003: last_modified: Not a date-time in the form YYYY-MM-DDTHH:MM:SSZ"),
        ("last_modified", 20261118, "AccountMaster ACC-00003: last_modified: Not a date-time"),
        ("arr", "lots", "AccountMaster ACC-00003: arr: Not a number: 'lots'."),
    ],
)  # fmt: skip
def test_bad_ids_and_stamps_are_refused_naming_the_row(csm, tmp_path, store_path, key, value, message):
    ok(csm("export", "--out", str(tmp_path / "backup")))
    path = tmp_path / "backup" / "AccountMaster.json"
    rows = json.loads(path.read_text())
    _set(rows[2], key, value)
    path.write_text(json.dumps(rows))
    ok(csm("delete", "ActivitiesTasks", "TSK-00003"))  # so that a restore would change the file
    before = store_path.read_bytes()
    result = csm("import", "--replace", str(tmp_path / "backup"))
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {message}"), result.output
    assert store_path.read_bytes() == before
    assert ok(csm("validate")).output.startswith("OK: ")


def test_every_problem_is_reported_before_anything_is_written(csm, tmp_path, store_path):
    ok(csm("export", "--out", str(tmp_path / "backup")))
    path = tmp_path / "backup" / "AccountMaster.json"
    rows = json.loads(path.read_text())
    rows[0].update(created_date="soon", arr=True)
    rows[1]["account_id"] = "ACC-2"
    path.write_text(json.dumps(rows))
    before = store_path.read_bytes()
    result = csm("import", "--replace", str(tmp_path / "backup"))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith("Error: AccountMaster ACC-00001: arr: Not a number; created_date: Not a date-time")
    assert lines[1].startswith("AccountMaster row 2 ('ACC-2'): account_id: 'ACC-2' is not an id of AccountMaster")
    assert store_path.read_bytes() == before
    assert ok(csm("validate")).output.startswith("OK: ")


@pytest.mark.parametrize(
    "cell,message",
    [
        ("ACC-000003", "AccountMaster row 3 ('ACC-000003'): account_id: 'ACC-000003' is not an id of AccountMaster"),
        (" ACC-00003", "AccountMaster row 3 (' ACC-00003'): account_id: ' ACC-00003' is not an id of AccountMaster"),
    ],
)
def test_bad_ids_in_csv_are_refused_too(csm, tmp_path, store_path, cell, message):
    ok(csm("export", "--format", "csv", "--out", str(tmp_path / "backup")))
    path = tmp_path / "backup" / "AccountMaster.csv"
    path.write_text(path.read_text().replace("\nACC-00003,", f"\n{cell},"))
    before = store_path.read_bytes()
    result = csm("import", "--replace", str(tmp_path / "backup"))
    assert result.exit_code == 1 and result.output.startswith(f"Error: {message}"), result.output
    assert store_path.read_bytes() == before
    assert ok(csm("validate")).output.startswith("OK: ")


def test_a_missing_stamp_is_stamped_now_and_others_are_normalised(csm, tmp_path, store_path):
    ok(csm("export", "--table", "AccountMaster", "--out", str(tmp_path / "backup")))
    path = tmp_path / "backup" / "AccountMaster.json"
    rows = json.loads(path.read_text())
    del rows[0]["last_modified"]
    rows[1]["created_date"] = None
    rows[2]["created_date"] = "2026-11-18T10:00:00+02:00"
    rows[3]["health_score"] = 12  # a derived column in the input is ignored, as by a plain import
    path.write_text(json.dumps(rows))
    ok(csm("import", "--replace", str(path)))
    stored = tables_of(store_path)["AccountMaster"]
    assert STAMP.fullmatch(stored["1"]["last_modified"]) and stored["1"]["last_modified"] > "2026-11-18T08:00:00Z"
    assert STAMP.fullmatch(stored["2"]["created_date"]) and stored["2"]["created_date"] > "2026-11-18T08:00:00Z"
    assert stored["3"]["created_date"] == "2026-11-18T08:00:00Z"
    assert "health_score" not in stored["4"]
    assert ok(csm("validate")).output.startswith("OK: ")


def test_a_copy_of_the_store_file_restores_too(csm, tmp_path, store_path):
    copy = tmp_path / "copy.json"
    copy.write_bytes(store_path.read_bytes())
    edit(csm)
    result = ok(csm("import", "--replace", str(copy)))
    assert "Left as they are" not in result.output
    assert tables_of(store_path) == tables_of(copy)
    assert next_ids(store_path)["PeopleTeam"] == 7  # the copy's own next ids do not take the marks back
    assert ok(csm("validate")).output.startswith("OK: ")
