"""Issue 10.6: CSV as spreadsheets write it and read it.

Excel's UTF-8 BOM imports; duplicate header columns and rows with extra or missing cells are errors
naming them; text that a spreadsheet would run as a formula is neutralised on export (OWASP), and an
exported file imports back to exactly the same values.
"""

from __future__ import annotations

import csv
import io

import orjson
import pytest
from conftest import assert_refused

from service.cli.rowfiles import FORMULA_STARTS, neutralise, unneutralise

HEADER = "full_name,email,role"


def test_a_utf8_bom_is_not_part_of_the_first_column(csm, tmp_path, store_path):
    path = tmp_path / "PeopleTeam.csv"
    path.write_bytes(b"\xef\xbb\xbf" + f"{HEADER}\nOla Nordmann,ola@ours.example,CSM\n".encode())
    result = csm("insert", "PeopleTeam", str(path), "--csv")
    assert result.exit_code == 0, result.output
    assert csm("import", str(path)).exit_code == 1  # the same person again: unique email, named
    people = orjson.loads(store_path.read_bytes())["PeopleTeam"].values()
    assert any(p["full_name"] == "Ola Nordmann" for p in people)


@pytest.mark.parametrize(
    "text,needle",
    [
        ("full_name,email,role,email\nA,a@x.example,CSM,b@x.example\n", "the header names 'email' more than once"),
        ("full_name,,role\nA,a@x.example,CSM\n", "header column 2 has no name"),
        (
            f"{HEADER}\nA,a@x.example,CSM,extra,more\n",
            "line 2: 5 cells, but the header has 3 columns (extra: 'extra', 'more')",
        ),
        (f"{HEADER}\nA,a@x.example,CSM\nB,b@x.example\n", "line 3: 2 cells, but the header has 3 columns"),
        (f'{HEADER}\n"A,a@x.example,CSM\n', "not valid CSV"),
    ],
)
def test_malformed_csv_is_refused_naming_the_problem(csm, tmp_path, store_path, text, needle):
    before = store_path.read_bytes()
    path = tmp_path / "PeopleTeam.csv"
    path.write_text(text)
    assert_refused(csm, csm("insert", "PeopleTeam", str(path), "--csv"), store_path, before, str(path), needle)
    assert_refused(csm, csm("import", str(path)), store_path, before, needle)


DANGEROUS = [
    '=HYPERLINK("http://evil.example","x")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1",
    "\r=1",
    "'=already quoted",
    "'",
    "''",
    "'plain",
    "plain = fine",
]


@pytest.mark.parametrize("value", DANGEROUS)
def test_neutralising_is_undone_exactly(value):
    cell = neutralise(value)
    assert not cell.startswith(FORMULA_STARTS)
    assert unneutralise(cell) == value


def test_a_hand_typed_leading_apostrophe_is_kept():
    assert unneutralise("'abc") == "'abc"


def test_exported_csv_is_neutralised_and_imports_back_to_the_same_values(csm, tmp_path, store_path):
    for n in range(1, 11):  # the seed's ten tasks: a dangerous title and description each
        title, description = DANGEROUS[n - 1], DANGEROUS[n % len(DANGEROUS)]
        result = csm("update", "ActivitiesTasks", f"TSK-{n:05d}", "--set", f"task_title={title} #{n}",
                     "--set", f"description={description}")  # fmt: skip
        assert result.exit_code == 0, result.output
    before = orjson.loads(store_path.read_bytes())["ActivitiesTasks"]
    out = tmp_path / "backup"
    assert csm("export", "--format", "csv", "--table", "ActivitiesTasks", "--out", str(out)).exit_code == 0
    text = (out / "ActivitiesTasks.csv").read_bytes().decode()
    for row in csv.DictReader(io.StringIO(text, newline="")):
        for key, cell in row.items():
            if cell.startswith(FORMULA_STARTS):
                pytest.fail(f"{key}: {cell!r} would run as a formula")
    printed = csm("rows", "ActivitiesTasks", "--csv").output
    assert "\n=" not in printed and ",=" not in printed and ",@" not in printed and ",+" not in printed
    result = csm("import", str(out / "ActivitiesTasks.csv"))
    assert result.exit_code == 0, result.output
    after = orjson.loads(store_path.read_bytes())["ActivitiesTasks"]
    assert {k: {f: v for f, v in r.items() if f != "last_modified"} for k, r in after.items()} == {
        k: {f: v for f, v in r.items() if f != "last_modified"} for k, r in before.items()
    }


def test_an_export_of_a_restored_export_is_the_same_bytes(csm, tmp_path):
    """JSON inside cells (milestones) is written with sorted keys, whatever order a restore stored them in."""
    assert csm("export", "--format", "csv", "--out", str(tmp_path / "a")).exit_code == 0
    assert csm("import", "--replace", str(tmp_path / "a")).exit_code == 0
    assert csm("export", "--format", "csv", "--out", str(tmp_path / "b")).exit_code == 0
    for first in sorted((tmp_path / "a").iterdir()):
        assert (tmp_path / "b" / first.name).read_bytes() == first.read_bytes(), first.name
