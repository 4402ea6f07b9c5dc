"""`csm export`, `import`, `validate`, `reset`, `clear-samples`, and editing the seed itself."""

from __future__ import annotations

import json
import shutil

import orjson
import pytest
from click.testing import CliRunner

from seed import SEED_FILE
from service.cli import cli
from service.store import dumps


def stored(path, table):
    return list(orjson.loads(path.read_bytes())[table].values())


def test_export_json_and_csv_to_stdout_and_folders(csm, tmp_path):
    one = json.loads(csm("export", "--table", "AccountMaster").output)
    assert [r["account_id"] for r in one] == ["ACC-00001", "ACC-00002", "ACC-00003", "ACC-00004"]
    assert "health_score" not in one[0]  # stored rows only: what import reads back
    everything = json.loads(csm("export").output)
    assert len(everything) == 20 and len(everything["MetricHistory"]) == 240
    csv_text = csm("export", "--table", "PeopleTeam", "--format", "csv").output
    assert csv_text.splitlines()[0].startswith("person_id,full_name,email,role")
    refused = csm("export", "--format", "csv")
    assert refused.exit_code == 2 and "CSV holds one table" in refused.output
    out = csm("export", "--format", "csv", "--out", str(tmp_path / "csv"))
    assert out.exit_code == 0 and "PeopleTeam: 5 rows ->" in out.output
    assert sorted(p.name for p in (tmp_path / "csv").iterdir())[:2] == ["APIPortfolio.csv", "AccountHealthHistory.csv"]


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_export_then_import_into_an_empty_store_round_trips(csm, tmp_path, store_path, fmt):
    assert csm("export", "--format", fmt, "--out", str(tmp_path / "backup")).exit_code == 0
    empty = tmp_path / "empty.json"
    assert csm("clear-samples", "--yes", db=empty).exit_code == 0
    for name in ("ViewTemplates", "QuickStartGuide"):
        (tmp_path / "backup" / f"{name}.{fmt}").unlink()  # the empty store already has the guides
    result = csm("import", str(tmp_path / "backup"), db=empty)
    assert result.exit_code == 0, result.output
    assert "AccountMaster: 4 inserted, 0 updated" in result.output
    assert "MetricHistory: 240 inserted, 0 updated" in result.output
    original, copy = orjson.loads(store_path.read_bytes()), orjson.loads(empty.read_bytes())
    for table in ("AccountMaster", "StrategicObjectives", "SuccessPlanTracker", "ViewTemplates"):

        def strip(docs):
            return sorted(
                ({k: v for k, v in r.items() if k not in ("created_date", "last_modified")} for r in docs.values()),
                key=lambda r: json.dumps(r, sort_keys=True),
            )

        assert strip(copy[table]) == strip(original[table]), table
    assert csm("validate", db=empty).exit_code == 0


def test_import_updates_rows_that_carry_their_id(csm, tmp_path, store_path):
    path = tmp_path / "AccountMaster.json"
    path.write_text(json.dumps([{"account_id": "ACC-00001", "arr": 1_300_000, "health_score": 12}]))
    result = csm("import", str(path))
    assert result.exit_code == 0, result.output
    assert result.output == "AccountMaster: 0 inserted, 1 updated\n"
    assert next(r for r in stored(store_path, "AccountMaster") if r["account_id"] == "ACC-00001")["arr"] == 1_300_000


def test_import_is_all_or_nothing(csm, tmp_path, store_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "PeopleTeam.csv").write_text("full_name,email,role\nOla Nordmann,ola@ours.example,CSM\n")
    (folder / "AccountMaster.csv").write_text(
        "account_name,industry_vertical,contract_type,contract_start_date,contract_end_date,renewal_date,arr,"
        "customer_success_manager\n"
        "Good Co,Retail,Standard,2026-01-01,2026-12-31,2026-12-31,1000,Ola Nordmann\n"
        "Bad Co,Retail,Standard,2026-01-01,2026-12-31,2026-31-12,1000,Ola Nordmann\n"
    )
    before = store_path.read_bytes()
    result = csm("import", str(folder))
    assert result.exit_code == 1
    assert (
        result.output == "Error: AccountMaster row 2: renewal_date: "
        "Not a date in the form YYYY-MM-DD from 1900-01-01 to 2199-12-31.\n"
    )
    assert store_path.read_bytes() == before


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("Accounts.csv", "a\n1\n", "the file name must be a table name, like AccountMaster.csv"),
        ("AccountMaster.json", "{oops", "is not valid JSON"),
        ("dump.json", '{"Nope": []}', "'Nope' is not a table; see `csm tables`"),
        ("AccountMaster.txt", "x", "import reads .json and .csv files"),
    ],
)
def test_import_refuses_bad_files_clearly(csm, tmp_path, store_path, name, content, message):
    path = tmp_path / name
    path.write_text(content)
    before = store_path.read_bytes()
    result = csm("import", str(path))
    assert result.exit_code == 1 and message in result.output
    assert store_path.read_bytes() == before


def test_validate_reports_every_problem_and_exits_non_zero(csm, store_path):
    assert csm("validate").output == "OK: 454 rows in 20 tables, no problems.\n"
    data = orjson.loads(store_path.read_bytes())
    data["AccountMaster"]["1"]["arr"] = "lots"
    data["RiskRegister"]["2"]["account"] = "ACC-00099"
    data["PeopleTeam"]["2"]["email"] = "SARAH.CHEN@csmcockpit.example"
    data["_meta"]["1"]["next_ids"]["ValueStreams"] = 3
    store_path.write_bytes(dumps(data))
    result = csm("validate")
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "AccountMaster ACC-00001: arr: Not a number.",
        "PeopleTeam PER-00002: email: PER-00001 already has 'SARAH.CHEN@csmcockpit.example'.",
        "ValueStreams: next id 3 would reuse an existing id",
        "RiskRegister RISK-00002: account: No AccountMaster row ACC-00099.",
        f"Error: 4 problems in {store_path}",
    ]


def test_validate_does_not_create_a_missing_store(csm, tmp_path):
    result = csm("validate", db=tmp_path / "missing.json")
    assert result.exit_code == 1 and "Error: no store at" in result.output
    assert not (tmp_path / "missing.json").exists()


def test_reset_asks_first_and_restores_the_seed(csm, store_path):
    assert csm("delete", "ActivitiesTasks", "TSK-00001").exit_code == 0
    before = store_path.read_bytes()
    declined = csm("reset", input="n\n")
    assert declined.exit_code == 1 and "Aborted" in declined.output
    assert store_path.read_bytes() == before
    done = csm("reset", "--yes")
    assert done.output == f"Reset {store_path} to the seed (454 rows).\n"
    assert len(stored(store_path, "ActivitiesTasks")) == 12


def test_clear_samples_leaves_the_guides_and_real_rows(csm, store_path):
    assert csm("insert", "PeopleTeam", "--set", "full_name=Ola Nordmann", "--set", "email=ola@ours.example",
               "--set", "role=CSM").exit_code == 0  # fmt: skip
    assert csm("update", "PeopleTeam", "PER-00005", "--set", "email=james@ours.example").exit_code == 0
    result = csm("clear-samples", "--yes")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Removed ")
    data = orjson.loads(store_path.read_bytes())
    assert not data["AccountMaster"] and not data["MetricHistory"] and not data["RiskRegister"]
    assert {p["full_name"] for p in data["PeopleTeam"].values()} == {"James Okafor", "Ola Nordmann"}
    assert len(data["ViewTemplates"]) == 5 and len(data["QuickStartGuide"]) == 8
    assert csm("validate").exit_code == 0


def test_editing_the_seed_keeps_it_pretty_and_key_sorted(csm, tmp_path):
    seed_copy = tmp_path / "seed.json"
    shutil.copyfile(SEED_FILE, seed_copy)
    result = csm("update", "AccountMaster", "ACC-00004", "--set", "arr=800000", db=seed_copy)
    assert result.exit_code == 0, result.output
    raw = seed_copy.read_bytes()
    assert raw == dumps(json.loads(raw))
    changed = [line for line in raw.decode().splitlines() if line not in SEED_FILE.read_text().splitlines()]
    assert any('"arr": 800000' in line for line in changed)
    assert len(changed) <= 3  # the value, the row's modified stamp, the data version: a reviewable diff


def test_the_seed_itself_cannot_be_reset(csm):
    result = csm("reset", "--yes", db=SEED_FILE)
    assert result.exit_code == 1 and "is the committed seed itself" in result.output


def test_a_team_starts_with_its_own_accounts(csm, tmp_path, store_path, client):
    """The issue's whole story: clear the samples, import accounts from CSV, fix a field,
    reassign a CSM in bulk -- and the running service shows it all."""
    assert csm("clear-samples", "--yes").exit_code == 0
    team = (
        "full_name,email,role,region\nOla Nordmann,ola@ours.example,CSM,EMEA\nKari Hansen,kari@ours.example,CSM,EMEA\n"
    )
    assert csm("insert", "PeopleTeam", "-", "--csv", input=team).exit_code == 0
    accounts = tmp_path / "AccountMaster.csv"
    accounts.write_text(
        "account_name,industry_vertical,contract_type,contract_start_date,contract_end_date,renewal_date,arr,"
        "customer_success_manager,geography\n"
        'Fjord Shipping ASA,maritime,Standard,2026-01-01,2026-12-31,2026-12-31,"120,000",Ola Nordmann,EMEA\n'
        "Bergen Bank,Financial Services,premier success,2025-06-01,2027-05-31,2027-05-31,450000,ola nordmann,EMEA\n"
    )
    assert csm("import", str(accounts)).output == "AccountMaster: 2 inserted, 0 updated\n"
    assert csm("update", "AccountMaster", "ACC-00006", "--set", "arr=475000").exit_code == 0
    moved = csm("update", "AccountMaster", "--where", "customer_success_manager=Ola Nordmann",
                "--set", "customer_success_manager=Kari Hansen")  # fmt: skip
    assert moved.output == "Updated 2 of 2 matching AccountMaster rows.\n"
    rows = client.get("/v1/tables/AccountMaster/rows").json["rows"]
    assert [(r["account_name"], r["arr"], r["customer_success_manager"]["full_name"]) for r in rows] == [
        ("Fjord Shipping ASA", 120000, "Kari Hansen"),
        ("Bergen Bank", 475000, "Kari Hansen"),
    ]
    kari = client.get("/v1/tables/PeopleTeam/rows/PER-00007").json["row"]
    assert kari["account_count"] == 2 and kari["total_arr_managed"] == 595000


def test_the_store_can_come_from_csm_data(store_path, monkeypatch):
    monkeypatch.setenv("CSM_DATA", str(store_path))
    monkeypatch.setenv("CSM_TODAY", "2026-11-20")
    result = CliRunner().invoke(cli, ["update", "AccountMaster", "ACC-00001", "--set", "country=Canada"])
    assert result.output == "Updated ACC-00001.\n"
    assert next(r for r in stored(store_path, "AccountMaster") if r["account_id"] == "ACC-00001")["country"] == "Canada"


def test_long_batches_show_a_progress_bar_to_a_person(monkeypatch):
    from service.cli import write

    monkeypatch.setattr(write.sys.stderr, "isatty", lambda: True, raising=False)
    assert type(write.progress(10_000, "Importing")).__name__ == "ProgressBar"
    assert isinstance(write.progress(10, "Importing"), write._Silent)
    monkeypatch.setattr(write.sys.stderr, "isatty", lambda: False, raising=False)
    assert isinstance(write.progress(10_000, "Importing"), write._Silent)
