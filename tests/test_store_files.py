"""Issue 10.3 and 10.4: stores that parse but are wrong, and the modes of the files we write.

A wrong store is a clear `Error:` from the CLI and `503 store_unavailable` from the service (never a
500), and `csm reset --yes` repairs any of them.  The store, its lock and exports are private (0600 in
a 0700 folder when we create it) and keep the mode they have across rewrites.
"""

from __future__ import annotations

import json
import os
import stat

import orjson
import pytest
from conftest import TODAY, TOKEN, authed

from schemas import ALL_TABLES
from service import create_app
from service.store import Store, dumps


def _mutations():
    def meta(fn):
        return lambda d: fn(d["_meta"]["1"])

    yield "meta missing", lambda d: d.pop("_meta")
    yield "meta not an object", lambda d: d.__setitem__("_meta", [1])
    yield "meta row missing", lambda d: d.__setitem__("_meta", {})
    yield "other format", meta(lambda m: m.__setitem__("format", 2))
    yield "format missing", meta(lambda m: m.pop("format"))
    yield "version a string", meta(lambda m: m.__setitem__("version", "7"))
    yield "version negative", meta(lambda m: m.__setitem__("version", -1))
    yield "next_ids a list", meta(lambda m: m.__setitem__("next_ids", [1]))
    yield "next_id not a number", meta(lambda m: m["next_ids"].__setitem__("AccountMaster", "5"))
    yield "table a list", lambda d: d.__setitem__("AccountMaster", [])
    yield "table a string", lambda d: d.__setitem__("RiskRegister", "rows")
    yield "table null", lambda d: d.__setitem__("PeopleTeam", None)
    yield "row a list", lambda d: d["AccountMaster"].__setitem__("1", [1, 2])
    yield "row a number", lambda d: d["ActivitiesTasks"].__setitem__("1", 5)
    yield "key not numeric", lambda d: d["AccountMaster"].__setitem__("abc", d["AccountMaster"].pop("1"))
    yield "key with zero", lambda d: d["AccountMaster"].__setitem__("01", d["AccountMaster"].pop("1"))
    yield "key huge", lambda d: d["AccountMaster"].__setitem__("9" * 5000, d["AccountMaster"].pop("1"))
    yield "key negative", lambda d: d["AccountMaster"].__setitem__("-1", d["AccountMaster"].pop("1"))
    yield "id not the key's", lambda d: d["AccountMaster"]["1"].__setitem__("account_id", "ACC-00002")
    yield "id missing", lambda d: d["AccountMaster"]["1"].pop("account_id")
    yield "id not canonical", lambda d: d["AccountMaster"]["1"].__setitem__("account_id", "ACC-000001")
    yield "unknown table", lambda d: d.__setitem__("Accounts", {})
    yield "top level a list", lambda d: [d]


MUTATIONS = dict(_mutations())


def _write_mutated(store_path, mutate):
    data = orjson.loads(store_path.read_bytes())
    result = mutate(data)
    store_path.write_bytes(orjson.dumps(result if result is not None else data))


@pytest.mark.parametrize("name", MUTATIONS)
def test_a_wrong_store_is_an_error_everywhere_and_reset_repairs_it(csm, store_path, name):
    _write_mutated(store_path, MUTATIONS[name])
    broken = store_path.read_bytes()
    for args in (("tables",), ("rows", "AccountMaster"), ("validate",), ("get", "AccountMaster", "ACC-00001")):
        result = csm(*args)
        assert result.exit_code == 1, (args, result.output)
        assert result.output.startswith(f"Error: {store_path} is not a usable CSM Cockpit store:"), result.output
        assert "csm reset --yes" in result.output
    result = csm("update", "AccountMaster", "ACC-00002", "--set", "arr=1")
    assert result.exit_code == 1 and "not a usable CSM Cockpit store" in result.output
    assert store_path.read_bytes() == broken, "a refused write never touches the file"

    app = create_app({"CSM_DATA": str(store_path), "CSM_TODAY": TODAY, "TESTING": True, "CSM_API_TOKENS": TOKEN})
    client = authed(app)
    for url in ("/health", "/v1/tables", "/v1/tables/AccountMaster/rows", "/v1/tables/AccountMaster/rows/ACC-00001",
                "/v1/formulas/GetAccountARR?accountName=Gard%20AS"):  # fmt: skip
        response = client.get(url)
        assert response.status_code == 503, (url, response.status_code)
        assert response.json["code"] == "store_unavailable"

    assert csm("reset", "--yes").exit_code == 0
    assert csm("validate").exit_code == 0
    assert client.get("/v1/tables/AccountMaster/rows").status_code == 200


@pytest.mark.parametrize("content", [b"", b"{", b'{"_meta": {"1": {"format": 1, "vers', b"\x00" * 100, b"null"])
def test_reset_repairs_a_truncated_or_empty_store(csm, store_path, content):
    store_path.write_bytes(content)
    assert csm("rows", "AccountMaster").exit_code == 1
    result = csm("reset", "--yes")
    assert result.exit_code == 0, result.output
    assert csm("validate").output.startswith("OK:")


def test_reset_moves_the_version_past_any_continuation_of_the_damaged_store(csm, store_path, client):
    page = client.get("/v1/tables/AccountMaster/rows?limit=1").json
    store_path.write_bytes(b"{")
    assert csm("reset", "--yes").exit_code == 0
    response = client.get(f"/v1/tables/AccountMaster/rows?limit=1&continuation={page['continuation']}")
    assert response.status_code == 409


@pytest.mark.parametrize(
    "table,key,value",
    [
        ("AccountMaster", "arr", "lots"),
        ("AccountMaster", "renewal_date", "someday"),
        ("AccountMaster", "customer_success_manager", ["PER-00001"]),
        ("AccountHealthHistory", "snapshot_date", 5),
        ("SuccessPlanTracker", "milestones", "x"),
    ],
)
def test_hand_edited_values_the_formulas_cannot_use_are_503_not_500(csm, store_path, table, key, value):
    data = orjson.loads(store_path.read_bytes())
    data[table]["1"][key] = value
    store_path.write_bytes(dumps(data))
    app = create_app({"CSM_DATA": str(store_path), "CSM_TODAY": TODAY, "TESTING": True, "CSM_API_TOKENS": TOKEN})
    client = authed(app)
    statuses = set()
    for t in ("AccountMaster", "PeopleTeam", "SuccessPlanTracker"):
        response = client.get(f"/v1/tables/{t}/rows")
        assert response.status_code in (200, 503)
        statuses.add(response.status_code)
        if response.status_code == 503:
            assert response.json["code"] == "store_unavailable"
    assert 503 in statuses
    result = csm("validate")
    assert result.exit_code == 1 and f"{table} " in result.output and key in result.output


def test_a_store_missing_a_table_reads_as_that_table_empty(csm, store_path):
    data = orjson.loads(store_path.read_bytes())
    del data["ViewTemplates"]
    store_path.write_bytes(dumps(data))
    listing = json.loads(csm("tables", "--json").output)
    assert {t["table"]: t["rows"] for t in listing}["ViewTemplates"] == 0
    assert len(listing) == len(ALL_TABLES)


# --- modes ----------------------------------------------------------------------------------


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_new_store_its_lock_and_folder_are_private(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from service.cli import cli

    monkeypatch.setenv("CSM_TODAY", TODAY)
    old = os.umask(0o022)
    try:
        path = tmp_path / "new" / "csm.json"
        result = CliRunner().invoke(cli, ["--db", str(path), "tables"])
        assert result.exit_code == 0, result.output
        assert _mode(path) == 0o600
        assert _mode(path.parent) == 0o700
        assert _mode(path.with_name("csm.json.lock")) == 0o600
    finally:
        os.umask(old)


def test_rewrites_keep_the_files_mode(csm, store_path):
    for mode in (0o600, 0o640, 0o644):
        os.chmod(store_path, mode)
        assert csm("update", "AccountMaster", "ACC-00001", "--set", f"arr={1000 + mode}").exit_code == 0
        assert _mode(store_path) == mode
        assert csm("reset", "--yes").exit_code == 0
        assert _mode(store_path) == mode


def test_an_existing_folder_keeps_its_mode(csm, store_path):
    os.chmod(store_path.parent, 0o755)
    assert csm("update", "AccountMaster", "ACC-00001", "--set", "arr=5").exit_code == 0
    assert _mode(store_path.parent) == 0o755


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_exports_are_private(csm, tmp_path, fmt):
    out = tmp_path / "backup"
    assert csm("export", "--format", fmt, "--out", str(out)).exit_code == 0
    assert _mode(out) == 0o700
    files = list(out.iterdir())
    assert len(files) == len(ALL_TABLES)
    assert {_mode(p) for p in files} == {0o600}
    # Re-exporting over a file a user opened up makes it private again: it holds customer data.
    os.chmod(files[0], 0o644)
    assert csm("export", "--format", fmt, "--out", str(out)).exit_code == 0
    assert _mode(files[0]) == 0o600


def test_the_store_is_written_without_following_a_planted_temp_link(store_path, tmp_path):
    """A temp file name planted as a symlink (by another local user) is not followed."""
    victim = tmp_path / "victim"
    victim.write_text("keep")
    store = Store(store_path)
    for stale in store_path.parent.glob(".*.tmp"):
        stale.unlink()
    link = store_path.with_name(f".{store_path.name}.{os.getpid()}.tmp")
    link.symlink_to(victim)
    with store.transaction() as tx:
        tx.update("AccountMaster", "ACC-00001", {"arr": 7})
    assert victim.read_text() == "keep"
    assert orjson.loads(store_path.read_bytes())["AccountMaster"]["1"]["arr"] == 7


def test_a_reset_never_hands_out_an_id_again(csm, store_path):
    result = csm("insert", "PeopleTeam", "--set", "full_name=Ola", "--set", "email=o@x.example", "--set", "role=CSM")
    new_id = result.output.strip()
    assert csm("delete", "PeopleTeam", new_id).exit_code == 0
    assert csm("reset", "--yes").exit_code == 0
    again = csm("insert", "PeopleTeam", "--set", "full_name=Kari", "--set", "email=k@x.example", "--set", "role=CSM")
    assert again.output.strip() > new_id
