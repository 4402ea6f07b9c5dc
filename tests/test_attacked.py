"""Regression tests for what an independent attack on issue 10's hardening found (one test a finding)."""

from __future__ import annotations

import json
import os
import stat

import orjson
import pytest
from conftest import assert_refused

from service.store import dumps


def _edit(store_path, fn):
    data = orjson.loads(store_path.read_bytes())
    fn(data)
    store_path.write_bytes(dumps(data))


def test_ids_stop_at_the_largest_one_every_reader_accepts(csm, tmp_path, store_path):
    path = tmp_path / "PeopleTeam.json"
    path.write_text(json.dumps({"person_id": "PER-999999999999", "full_name": "Max", "email": "m@x.example",
                                "role": "CSM"}))  # fmt: skip
    assert csm("import", str(path)).exit_code == 0
    before = store_path.read_bytes()
    result = csm("insert", "PeopleTeam", "--set", "full_name=N", "--set", "email=n@x.example", "--set", "role=CSM")
    assert_refused(csm, result, store_path, before, "PeopleTeam has used every id up to PER-999999999999")


def test_a_hand_set_high_water_mark_beyond_the_largest_id_is_a_damaged_store(csm, store_path):
    _edit(store_path, lambda d: d["_meta"]["1"]["next_ids"].__setitem__("PeopleTeam", 10**13))
    result = csm("validate")
    assert result.exit_code == 1 and "next_ids" in result.output
    assert csm("reset", "--yes").exit_code == 0


def test_a_high_water_mark_behind_the_rows_never_reuses_an_id(csm, store_path):
    _edit(store_path, lambda d: d["_meta"]["1"]["next_ids"].__setitem__("PeopleTeam", 2))
    result = csm("insert", "PeopleTeam", "--set", "full_name=N", "--set", "email=n@x.example", "--set", "role=CSM")
    assert result.exit_code == 0 and result.output == "PER-00006\n", result.output


@pytest.mark.parametrize("kind", ["fifo", "symlink", "folder"])
def test_reset_and_writes_never_replace_what_is_not_a_store_file(csm, tmp_path, store_path, kind):
    target = tmp_path / "odd"
    if kind == "fifo":
        os.mkfifo(target)
    elif kind == "symlink":
        target.symlink_to(store_path)
    else:
        target.mkdir()
    before = store_path.read_bytes()
    from click.testing import CliRunner

    from service.cli import cli

    for args in (("reset", "--yes"), ("tables",), ("update", "AccountMaster", "ACC-00001", "--set", "arr=5")):
        result = CliRunner().invoke(cli, ["--db", str(target), *args])
        assert result.exit_code in (1, 2), (args, result.output)
        assert result.output.startswith(("Error:", "Usage:")) and "Traceback" not in result.output
    mode = os.lstat(target).st_mode
    assert {"fifo": stat.S_ISFIFO, "symlink": stat.S_ISLNK, "folder": stat.S_ISDIR}[kind](mode)
    assert store_path.read_bytes() == before
    assert not (tmp_path / "odd.lock").exists() or kind == "folder"


def test_a_version_beyond_exact_json_numbers_is_refused_and_reset_repairs_it(csm, store_path):
    _edit(store_path, lambda d: d["_meta"]["1"].__setitem__("version", 2**64 - 1))
    result = csm("tables")
    assert result.exit_code == 1 and "version" in result.output
    assert csm("reset", "--yes").exit_code == 0
    assert csm("validate").exit_code == 0


@pytest.mark.parametrize("value", ["garbage", 5, "2026-13-01T00:00:00Z"])
def test_validate_checks_the_automatic_stamps(csm, store_path, value):
    _edit(store_path, lambda d: d["AccountMaster"]["1"].__setitem__("created_date", value))
    result = csm("validate")
    assert result.exit_code == 1 and "AccountMaster ACC-00001: created_date: Not a date-time" in result.output


def test_an_export_with_a_folder_in_the_way_changes_nothing(csm, tmp_path):
    out = tmp_path / "E"
    assert csm("export", "--out", str(out)).exit_code == 0
    old = {p.name: p.read_bytes() for p in out.iterdir()}
    os.unlink(out / "StakeholderOutcomes.json")
    (out / "StakeholderOutcomes.json" / "inner").mkdir(parents=True)
    assert csm("update", "AccountMaster", "ACC-00001", "--set", "arr=5").exit_code == 0
    result = csm("export", "--out", str(out))
    assert result.exit_code == 1 and "is in the way" in result.output
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == {
        k: v for k, v in old.items() if k != "StakeholderOutcomes.json"
    }


@pytest.mark.parametrize("blank", ["", "   ", "\u2028", "\t"])
def test_blank_optional_text_is_stored_as_null_so_csv_round_trips(csm, tmp_path, store_path, blank):
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"full_name": "Ola", "email": "o@x.example", "role": "CSM", "title": blank}))
    new_id = csm("insert", "PeopleTeam", str(path)).output.strip()
    rows = orjson.loads(store_path.read_bytes())["PeopleTeam"]
    stored = next(r for r in rows.values() if r["person_id"] == new_id)
    assert stored["title"] is None
    out = tmp_path / "E"
    assert csm("export", "--format", "csv", "--out", str(out)).exit_code == 0
    assert csm("reset", "--yes").exit_code == 0
    assert csm("import", "--replace", str(out)).exit_code == 0
    assert orjson.loads(store_path.read_bytes())["PeopleTeam"] == rows


@pytest.mark.parametrize("item", ["\tOBJ-00002\n", " OBJ-00002", "OBJ-000002"])
def test_ids_inside_a_list_are_canonical_too(csm, store_path, item):
    before = store_path.read_bytes()
    result = csm("update", "PlatformCapabilities", "CAP-00001", "--set", f"linked_objectives={json.dumps([item])}")
    assert_refused(csm, result, store_path, before, "linked_objectives")


def _bad_name(d):
    d["AccountMaster"]["1"]["account_name"] = {"a": 1}


def _bare_row(d):
    d["AccountMaster"]["1"] = {"account_id": "ACC-00001"}


@pytest.mark.parametrize(
    "mutate,args",
    [
        (_bad_name, ("update", "AccountMaster", "ACC-00002", "--set", "arr=5")),
        (_bad_name, ("delete", "AccountMaster", "ACC-00004", "--cascade")),
        (_bad_name, ("clear-samples", "--yes")),
        (_bare_row, ("clear-samples", "--yes")),
    ],
)
def test_values_the_schema_forbids_are_blamed_on_the_store_in_one_line(csm, store_path, mutate, args):
    _edit(store_path, mutate)
    before = store_path.read_bytes()
    result = csm(*args)
    assert result.exit_code == 1 and not isinstance(result.exception, (TypeError, KeyError)), result.output
    assert "holds values its schema does not allow" in result.output and "csm validate" in result.output
    assert store_path.read_bytes() == before


def test_every_folder_the_cli_creates_is_private(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from service.cli import cli

    monkeypatch.setenv("CSM_TODAY", "2026-11-20")
    old = os.umask(0)
    try:
        store = tmp_path / "a" / "b" / "csm.json"
        assert CliRunner().invoke(cli, ["--db", str(store), "tables"]).exit_code == 0
        out = tmp_path / "x" / "y" / "z"
        assert CliRunner().invoke(cli, ["--db", str(store), "export", "--out", str(out)]).exit_code == 0
    finally:
        os.umask(old)
    for folder in (tmp_path / "a", tmp_path / "a" / "b", tmp_path / "x", tmp_path / "x" / "y", out):
        assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700, folder


def test_nl_json_with_line_separators_inside_strings_reads_back(csm, tmp_path, store_path):
    text = "First\u2028second\u0085third"
    assert csm("update", "ActivitiesTasks", "TSK-00001", "--set", f"description={text}").exit_code == 0
    out = csm("rows", "ActivitiesTasks", "--nl").output
    path = tmp_path / "t.nl"
    path.write_text(out)
    rows = [json.loads(line) for line in out.split("\n") if line]
    assert rows[0]["description"] == text
    assert csm("insert", "ActivitiesTasks", str(path), "--nl").exit_code == 1  # ids in it: refused, but read


@pytest.mark.parametrize(
    "args,needle",
    [
        (("--set", "arr=1", "--set", "arr=2"), "arr: given twice with --set"),
        (("--set", "arr=1,5"), "arr: Not a number: '1,5'"),
        (("--set", "renewal_date=2026-W47-5"), "renewal_date: Not a date"),
        (("--set", "renewal_date=20261120"), "renewal_date: Not a date"),
    ],
)
def test_ambiguous_values_are_refused(csm, store_path, args, needle):
    before = store_path.read_bytes()
    assert_refused(csm, csm("update", "AccountMaster", "ACC-00001", *args), store_path, before, needle)


def test_repeated_keys_in_json_and_two_files_for_one_table(csm, tmp_path, store_path):
    before = store_path.read_bytes()
    path = tmp_path / "a.json"
    path.write_text('{"task_title": "a", "task_title": "b", "account": "ACC-00001"}')
    assert_refused(
        csm, csm("insert", "ActivitiesTasks", str(path)), store_path, before, "gives the key 'task_title' twice"
    )
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "PeopleTeam.json").write_text("[]")
    (folder / "PeopleTeam.csv").write_text("full_name,email,role\n")
    assert_refused(csm, csm("import", str(folder)), store_path, before, "PeopleTeam as both .json and .csv")


def test_terminal_control_sequences_are_not_printed_to_people(csm):
    assert csm("update", "AccountMaster", "ACC-00001", "--set", "account_name=Acme \x1b[31mRED\x1b[0m").exit_code == 0
    shown = csm("rows", "AccountMaster", "--table").output
    assert "\x1b" not in shown and "\\x1b[31mRED" in shown


# --- from the attack on the HTTP side -------------------------------------------------------------


def _app_client(store_path):
    from conftest import TODAY, TOKEN, authed

    from service import create_app

    return authed(
        create_app({"CSM_DATA": str(store_path), "CSM_TODAY": TODAY, "TESTING": True, "CSM_API_TOKENS": TOKEN})
    )


def test_a_store_path_that_became_a_folder_is_503_and_leaks_no_descriptor(store_path):
    client = _app_client(store_path)
    assert client.get("/health").status_code == 200
    store_path.unlink()
    store_path.mkdir()
    before = len(os.listdir("/proc/self/fd"))
    for _ in range(50):
        response = client.get("/health")
        assert response.status_code == 503 and response.json["code"] == "store_unavailable"
    assert len(os.listdir("/proc/self/fd")) <= before + 2


def test_a_value_nested_past_what_json_can_write_is_503(store_path):
    nested: list = []
    for _ in range(300):
        nested = [nested]
    data = orjson.loads(store_path.read_bytes())
    data["PeopleTeam"]["1"]["full_name"] = nested
    store_path.write_text(json.dumps(data))  # orjson itself refuses to write it: a hand edit
    client = _app_client(store_path)
    for url in ("/v1/tables/PeopleTeam/rows", "/v1/tables/PeopleTeam/rows/PER-00001", "/v1/tables/AccountMaster/rows"):
        response = client.get(url)
        assert response.status_code in (200, 503), url
        if response.status_code == 503:
            assert response.json["code"] == "store_unavailable"
    assert client.get("/v1/tables/PeopleTeam/rows").status_code == 503


def test_an_empty_continuation_is_a_bad_one(client):
    response = client.get("/v1/tables/AccountMaster/rows?continuation=")
    assert response.status_code == 400 and response.json["code"] == "bad_continuation"
