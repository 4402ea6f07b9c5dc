"""`csm tables`, `schema`, `rows`, `get`, and help for every command."""

from __future__ import annotations

import csv
import io
import json

import click
import pytest
from click.testing import CliRunner

from service.cli import cli


@pytest.fixture
def csm(store_path, monkeypatch):
    monkeypatch.setenv("CSM_TODAY", "2026-11-20")
    monkeypatch.delenv("CSM_DATA", raising=False)
    runner = CliRunner()

    def run(*args, input=None):
        return runner.invoke(cli, ["--db", str(store_path), *args], input=input)

    return run


def all_commands(group=cli, prefix=()):
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from all_commands(command, (*prefix, name))
        yield (*prefix, name), command


@pytest.mark.parametrize("path", [p for p, _ in all_commands()], ids=" ".join)
def test_every_command_has_help_with_an_example(path):
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output


def test_tables_lists_every_table_with_its_row_count(csm):
    result = csm("tables")
    assert result.exit_code == 0
    lines = dict(line.split()[:2] for line in result.output.splitlines())
    assert lines["AccountMaster"] == "4" and lines["QuickStartGuide"] == "8" and lines["MetricHistory"] == "240"
    stored_only = [line.split()[0] for line in result.output.splitlines() if line.endswith("(stored, not synced)")]
    assert stored_only == ["Alerts", "AutomationRuns"]
    listing = json.loads(csm("tables", "--json").output)
    assert {t["table"]: t["rows"] for t in listing}["EngagementLog"] == 21


def test_schema_describes_fields(csm):
    result = csm("schema", "RiskRegister")
    assert result.exit_code == 0
    assert "risk_level" in result.output and "derived, read-only" in result.output
    assert "one of: Critical, High, Medium, Low" in result.output
    declared = json.loads(csm("schema", "RiskRegister", "--json").output)
    assert declared["id_prefix"] == "RISK"


def test_rows_include_derived_columns_as_json(csm):
    rows = json.loads(csm("rows", "AccountMaster").output)
    assert [r["health_score"] for r in rows] == [81.9, 88.4, 63.7, 73.9]


def test_rows_where_on_references_by_name_and_on_derived_columns(csm):
    rows = json.loads(csm("rows", "AccountMaster", "--where", "customer_success_manager=sarah chen").output)
    assert [r["account_id"] for r in rows] == ["ACC-00001", "ACC-00002", "ACC-00004"]
    rows = json.loads(csm("rows", "AccountMaster", "--where", "renewal_risk_level=At Risk").output)
    assert [r["account_name"] for r in rows] == ["HealthTech Solutions"]
    rows = json.loads(
        csm("rows", "ActivitiesTasks", "--where", "is_overdue=yes", "--where", "account=ACC-00003").output
    )
    assert [r["task_id"] for r in rows] == ["TSK-00006", "TSK-00007"]
    rows = json.loads(csm("rows", "AccountMaster", "--where", "arr=850000").output)
    assert [r["account_name"] for r in rows] == ["Nordic Logistics Group"]


def test_rows_limit_and_formats(csm):
    nl = csm("rows", "EngagementLog", "--limit", "3", "--nl").output.splitlines()
    assert len(nl) == 3 and json.loads(nl[0])["engagement_id"] == "ENG-00001"
    table = csm("rows", "AccountMaster", "--table").output.splitlines()
    assert table[0].split() == [
        "account_id",
        "account_name",
        "health_score",
        "renewal_risk_level",
        "arr",
        "renewal_date",
        "customer_success_manager",
    ]
    assert "James Okafor" in table[4]
    parsed = list(csv.DictReader(io.StringIO(csm("rows", "AccountMaster", "--csv").output)))
    assert parsed[0]["customer_success_manager"] == "PER-00001"  # references as ids, as import reads them
    chosen = csm("rows", "PeopleTeam", "--table", "--columns", "full_name,account_count").output.splitlines()
    assert chosen[0].split() == ["full_name", "account_count"]


def test_get_one_row(csm):
    row = json.loads(csm("get", "AccountMaster", "ACC-00002").output)
    assert row["account_name"] == "Nordic Logistics Group" and row["renewal_risk_level"] == "Healthy"
    history = json.loads(csm("get", "AccountHealthHistory", "AHH-00001").output)
    assert history["account"] == {"account_id": "ACC-00001", "account_name": "Acme Financial Services"}


@pytest.mark.parametrize(
    "args,message,code",
    [
        (("rows", "Accounts"), 'Error: Table "Accounts" does not exist; see `csm tables`\n', 1),
        (("get", "AccountMaster", "ACC-00099"), "Error: AccountMaster has no row ACC-00099\n", 1),
        (("schema", "Nope"), 'Error: Table "Nope" does not exist; see `csm tables`\n', 1),
        (
            ("rows", "AccountMaster", "--where", "colour=red"),
            "Error: AccountMaster has no field 'colour' (see `csm schema AccountMaster`).\n",
            1,
        ),
        (("rows", "AccountMaster", "--where", "arr"), "Error: --where takes FIELD=VALUE; got 'arr'.\n", 1),
        (("rows", "AccountMaster", "--where", "arr=lots"), "Error: arr: Not a number: 'lots'.\n", 1),
        (("rows", "AccountMaster", "--limit", "0"), "Invalid value for '--limit'", 2),
        (("rows", "AccountMaster", "--table", "--columns", "nope"), "AccountMaster has no column 'nope'", 2),
    ],
)
def test_read_errors(csm, args, message, code):
    result = csm(*args)
    assert result.exit_code == code
    assert message in result.output
    assert "Traceback" not in result.output


def test_a_missing_store_is_created_from_the_seed_and_said(tmp_path, monkeypatch):
    monkeypatch.setenv("CSM_TODAY", "2026-11-20")
    path = tmp_path / "fresh.json"
    result = CliRunner().invoke(cli, ["--db", str(path), "tables"])
    assert result.exit_code == 0
    assert f"Created a new store at {path} from the seed." in result.output
    assert path.exists()
