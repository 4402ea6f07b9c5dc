"""`csm insert`, `update`, `delete`: conversions, exact errors, and nothing written on a refusal."""

from __future__ import annotations

import json
import subprocess
import sys

import orjson
import pytest

from tests.helpers import ROOT

NEW_ACCOUNT = [
    "--set", "account_name=Fjord Shipping ASA",
    "--set", "industry_vertical=maritime",
    "--set", "contract_type=standard",
    "--set", "contract_start_date=2026-01-01",
    "--set", "contract_end_date=2026-12-31",
    "--set", "renewal_date=2026-12-31",
    "--set", "arr=120,000",
    "--set", "customer_success_manager=James Okafor",
]  # fmt: skip


def stored(store_path, table):
    return list(orjson.loads(store_path.read_bytes())[table].values())


def test_insert_with_set_converts_strings_by_field_type(csm, store_path):
    result = csm("insert", "AccountMaster", *NEW_ACCOUNT)
    assert result.exit_code == 0, result.output
    assert result.output == "ACC-00005\n"
    row = next(r for r in stored(store_path, "AccountMaster") if r["account_id"] == "ACC-00005")
    assert row["arr"] == 120000 and row["industry_vertical"] == "Maritime" and row["contract_type"] == "Standard"
    assert row["customer_success_manager"] == "PER-00005"
    assert row["created_date"] and row["account_status"] == "Active"


def test_insert_json_file_nl_and_csv(csm, tmp_path, store_path):
    tasks = [
        {"account": "Gard AS", "task_title": "Call the broker", "due_date": "2026-12-01", "priority": "high"},
        {"account": "ACC-00001", "task_title": "Send notes", "owner": "Sarah Chen"},
    ]
    path = tmp_path / "tasks.json"
    path.write_text(json.dumps(tasks))
    assert csm("insert", "ActivitiesTasks", str(path)).output == "TSK-00013\nTSK-00014\n"
    nl = "\n".join(json.dumps(t) for t in tasks) + "\n"
    assert csm("insert", "ActivitiesTasks", "-", "--nl", input=nl).output == "TSK-00015\nTSK-00016\n"
    csv_text = "account,task_title,status,due_date\nNordic Logistics Group,From CSV,in progress,2026-12-24\n"
    assert csm("insert", "ActivitiesTasks", "-", "--csv", input=csv_text).output == "TSK-00017\n"
    rows = {r["task_id"]: r for r in stored(store_path, "ActivitiesTasks")}
    assert rows["TSK-00013"]["account"] == "ACC-00004" and rows["TSK-00013"]["priority"] == "High"
    assert rows["TSK-00014"]["owner"] == "PER-00001"
    assert rows["TSK-00017"]["status"] == "In Progress" and rows["TSK-00017"]["account"] == "ACC-00002"


@pytest.mark.parametrize(
    "args,input,message",
    [
        (
            ("insert", "AccountMaster", *NEW_ACCOUNT[:-2], "--set", "customer_success_manager=Nobody Here"),
            None,
            "Error: AccountMaster row 1: customer_success_manager: No PeopleTeam row is called 'Nobody Here' "
            "(give its name or an id like PER-00001).\n",
        ),
        (
            ("insert", "AccountMaster", *NEW_ACCOUNT[:-4]),
            None,
            "Error: AccountMaster row 1: arr: Missing data for required field.\n",
        ),
        (
            ("insert", "AccountMaster", *NEW_ACCOUNT, "--set", "health_score=99"),
            None,
            "Error: AccountMaster row 1: health_score: Derived field: it is computed and cannot be written.\n",
        ),
        (
            ("insert", "ActivitiesTasks", "-"),
            '[{"account": "ACC-00001", "task_title": "ok"}, {"account": "ACC-00001", "task_title": "x", '
            '"due_date": "soon"}, {"task_title": "y"}]',
            "Error: ActivitiesTasks row 2: due_date: Not a date in the form YYYY-MM-DD from 1900-01-01 to 2199-12-31.\n"
            "ActivitiesTasks row 3: account: Missing data for required field.\n",
        ),
        (("insert", "ActivitiesTasks", "-"), "{not json", "Error: <stdin> is not valid JSON"),
        (("insert", "ActivitiesTasks", "-"), "[1, 2]", "Error: <stdin> must hold a JSON object or a list of objects\n"),
        (("insert", "ActivitiesTasks"), None, "Error: nothing to insert: give a FILE, - for stdin, or --set"),
        (
            ("insert", "ActivitiesTasks", "-", "--set", "task_title=x"),
            "[]",
            "Error: give rows in a FILE or with --set, not both",
        ),
        (
            ("insert", "ActivitiesTasks", "-"),
            '[{"task_id": "TSK-00101", "account": "ACC-00001", "task_title": "x"}]',
            "Error: ActivitiesTasks TSK-00101: task_id: Ids are assigned by the store; leave it out.\n",
        ),
        (
            ("update", "AccountMaster", "ACC-00001", "--set", "arr=lots"),
            None,
            "Error: AccountMaster ACC-00001: arr: Not a number: 'lots'.\n",
        ),
        (
            ("update", "AccountMaster", "ACC-00001", "--set", "contract_type=Gold"),
            None,
            "Error: AccountMaster ACC-00001: contract_type: Must be one of: Signature Success, Premier Success, "
            "Standard.\n",
        ),
        (
            ("update", "AccountMaster", "ACC-00001", "--set", "account_name=gard as"),
            None,
            "Error: AccountMaster ACC-00001: account_name: ACC-00004 already has 'gard as'.\n",
        ),
        (
            ("update", "AccountMaster", "ACC-00042", "--set", "arr=1"),
            None,
            "Error: AccountMaster has no row ACC-00042\n",
        ),
        (("update", "AccountMaster", "--set", "arr=1"), None, "Error: give either an ID or --where FIELD=VALUE"),
        (
            ("update", "AccountMaster", "ACC-00001", "--set", "arr=1", "--dry-run"),
            None,
            "Error: --dry-run goes with --where",
        ),
        (
            ("update", "AccountMaster", "--where", "geography=EMEA", "--set", "arr=-5"),
            None,
            "Error: AccountMaster: arr: Must be from 0 to 1,000,000,000,000.\n",
        ),
        (
            ("delete", "PeopleTeam", "PER-00005"),
            None,
            "Error: PeopleTeam PER-00005 is referenced by AccountMaster ACC-00003 (customer_success_manager), "
            "BusinessContext CTX-00003 (updated_by), ",
        ),
        (("delete", "AccountMaster", "ACC-00077"), None, "Error: AccountMaster has no row ACC-00077\n"),
    ],
)
def test_refused_writes_say_why_exit_non_zero_and_leave_the_file_byte_identical(csm, store_path, args, input, message):
    before = store_path.read_bytes()
    result = csm(*args, input=input)
    assert result.exit_code in (1, 2)
    assert message in result.output
    assert "Traceback" not in result.output
    assert store_path.read_bytes() == before
    if args[0] == "delete" and "referenced" in message:
        assert result.output.endswith("; delete those first, or use --cascade\n")


def test_update_one_row(csm, store_path):
    assert csm("update", "AccountMaster", "ACC-00002", "--set", "arr=910000").output == "Updated ACC-00002.\n"
    again = csm("update", "AccountMaster", "ACC-00002", "--set", "arr=910000")
    assert again.output == "ACC-00002 already had those values; nothing changed.\n"
    assert next(r for r in stored(store_path, "AccountMaster") if r["account_id"] == "ACC-00002")["arr"] == 910000


def test_bulk_reassign_a_csm_with_dry_run_first(csm, store_path):
    args = ("update", "AccountMaster", "--where", "customer_success_manager=Sarah Chen")
    before = store_path.read_bytes()
    dry = csm(*args, "--set", "customer_success_manager=James Okafor", "--dry-run")
    assert dry.output == "Would update 3 of 3 matching AccountMaster rows: ACC-00001, ACC-00002, ACC-00004\n"
    assert store_path.read_bytes() == before
    done = csm(*args, "--set", "customer_success_manager=James Okafor")
    assert done.output == "Updated 3 of 3 matching AccountMaster rows.\n"
    assert {r["customer_success_manager"] for r in stored(store_path, "AccountMaster")} == {"PER-00005"}
    none = csm(*args, "--set", "customer_success_manager=James Okafor")
    assert none.output == "No AccountMaster rows match; nothing changed.\n"


def test_clearing_an_optional_field_with_an_empty_value(csm, store_path):
    assert csm("update", "AccountMaster", "ACC-00001", "--set", "executive_sponsor_vendor=").exit_code == 0
    row = next(r for r in stored(store_path, "AccountMaster") if r["account_id"] == "ACC-00001")
    assert row["executive_sponsor_vendor"] is None


def test_delete_an_unreferenced_row(csm, store_path):
    assert csm("delete", "ActivitiesTasks", "TSK-00003").output == "Deleted ActivitiesTasks TSK-00003.\n"
    assert "TSK-00003" not in {r["task_id"] for r in stored(store_path, "ActivitiesTasks")}


def test_delete_cascade_removes_dependents_and_clears_optional_links(csm, store_path):
    result = csm("delete", "AccountMaster", "ACC-00003", "--cascade")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Deleted AccountMaster ACC-00003 and ")
    assert "RiskRegister 2" in result.output and "AccountHealthHistory 15" in result.output
    for table in ("StrategicObjectives", "RiskRegister", "EngagementLog", "ActivitiesTasks"):
        assert all(r["account"] != "ACC-00003" for r in stored(store_path, table))
    # a person loses no rows: the optional link from the account simply goes with it
    assert len(stored(store_path, "PeopleTeam")) == 5
    people = csm("delete", "PeopleTeam", "PER-00002", "--cascade")
    assert "and 0 dependent rows; cleared" in people.output
    accounts = stored(store_path, "AccountMaster")
    assert all(a["solutions_architect"] is None for a in accounts)
    assert csm("validate").exit_code == 0


def test_a_running_service_sees_a_cli_edit_on_its_next_request(csm, client):
    assert client.get("/v1/tables/AccountMaster/rows/ACC-00004").json["row"]["arr"] == 780_000
    assert csm("update", "AccountMaster", "ACC-00004", "--set", "arr=800000").exit_code == 0
    assert client.get("/v1/tables/AccountMaster/rows/ACC-00004").json["row"]["arr"] == 800_000


EDITOR = """
import sys
from click.testing import CliRunner
from service.cli import cli
db, tag = sys.argv[1], sys.argv[2]
runner = CliRunner()
for i in range(25):
    result = runner.invoke(cli, ["--db", db, "insert", "ActivitiesTasks", "--set", "account=Gard AS",
                                 "--set", f"task_title={tag} {i}"])
    assert result.exit_code == 0, result.output
"""


def test_two_cli_processes_editing_at_once_lose_nothing(store_path):
    procs = [
        subprocess.Popen([sys.executable, "-c", EDITOR, str(store_path), tag], cwd=ROOT, stderr=subprocess.PIPE)
        for tag in ("one", "two")
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
    titles = {r["task_title"] for r in stored(store_path, "ActivitiesTasks")}
    assert {f"{tag} {i}" for tag in ("one", "two") for i in range(25)} <= titles
    assert len(stored(store_path, "ActivitiesTasks")) == 12 + 50
