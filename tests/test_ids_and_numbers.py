"""Issue 10.1: an id is accepted only exactly as the store writes it, and numbers only in sane form and range.

Every refusal exits 1 with one `Error:` line naming the field, leaves the store byte-identical and valid.
"""

from __future__ import annotations

import json

import orjson
import pytest
from conftest import assert_refused

from schemas import ALL_TABLES, get_table
from schemas.validation import RowInvalid, load_row

# Spellings of ACC-00003 / PER-00001 that name a row a second way: each must be refused.
NEAR_MISSES = [
    "ACC-000003",  # an extra leading zero
    "ACC-0000003",
    "acc-00003",  # not as the store writes it
    " ACC-00003",  # surrounding whitespace
    "ACC-00003 ",
    "ACC-00003\n",  # a trailing newline ($ matches before it)
    "ACC-\u0660\u0660\u0660\u06603",  # Arabic-Indic digits (\d matches them)
    "ACC-\uff10\uff10\uff10\uff103",  # full-width digits
    "ACC-00003\x00",
    "ACC-3",
]


@pytest.mark.parametrize("table", ALL_TABLES, ids=lambda t: t.name)
def test_only_the_canonical_form_is_an_id_for_every_table(table):
    for n in (1, 42, 99999, 100000, 123456789):
        canonical = table.make_id(n)
        assert table.id_number(canonical) == n
        for variant in (
            canonical.lower(),
            f" {canonical}",
            f"{canonical}\n",
            f"{table.prefix}-0{canonical.split('-', 1)[1]}",
            canonical.replace("0", "\u0660"),
        ):
            if variant != canonical:
                assert table.id_number(variant) is None, variant
    assert table.id_number(f"{table.prefix}-00000") is None
    assert table.id_number(f"{table.prefix}-{'9' * 13}") is None


@pytest.mark.parametrize("spelling", NEAR_MISSES)
def test_delete_get_update_refuse_a_near_miss_id(csm, store_path, spelling):
    before = store_path.read_bytes()
    for args in (
        ("delete", "AccountMaster", spelling),
        ("delete", "AccountMaster", spelling, "--cascade"),
        ("update", "AccountMaster", spelling, "--set", "arr=1"),
    ):
        assert_refused(csm, csm(*args), store_path, before, "is not an id of AccountMaster")
    result = csm("get", "AccountMaster", spelling)
    assert result.exit_code == 1 and "is not an id of AccountMaster" in result.output


def test_the_reported_delete_no_longer_leaves_dangling_rows(csm, store_path):
    """`csm delete AccountMaster ACC-000003` deleted a referenced account and left ~110 dangling rows."""
    before = store_path.read_bytes()
    result = csm("delete", "AccountMaster", "ACC-000003")
    assert_refused(csm, result, store_path, before, "did you mean ACC-00003?")
    # The real id is still protected by the reference check.
    assert_refused(csm, csm("delete", "AccountMaster", "ACC-00003"), store_path, before, "is referenced by")


@pytest.mark.parametrize(
    "spelling", ["PER-000001", "per-00001", " PER-00001", "PER-00001\n", "PER-\u0660\u0660\u0660\u06601"]
)
def test_references_typed_by_people_must_be_canonical(csm, store_path, spelling):
    before = store_path.read_bytes()
    result = csm("update", "AccountMaster", "ACC-00001", "--set", f"customer_success_manager={spelling}")
    # Near misses in ASCII are named as such; other digits are simply no id and no name.
    assert_refused(csm, result, store_path, before, "customer_success_manager: ", "PeopleTeam")


def test_references_in_json_nl_and_csv_files_must_be_canonical(csm, tmp_path, store_path):
    before = store_path.read_bytes()
    task = {"account": "ACC-000001", "task_title": "Call"}
    files = {
        "t.json": (json.dumps([task]), ()),
        "t.nl": (json.dumps(task) + "\n", ("--nl",)),
        "t.csv": ("account,task_title\nACC-000001,Call\n", ("--csv",)),
    }
    for name, (text, flags) in files.items():
        path = tmp_path / name
        path.write_text(text)
        result = csm("insert", "ActivitiesTasks", str(path), *flags)
        assert_refused(csm, result, store_path, before, "account", "did you mean ACC-00001?")
    # A list of references in JSON, given as ids
    objective = json.dumps({"linked_objectives": ["OBJ-000001"]})
    result = csm("update", "PlatformCapabilities", "CAP-00001", "--set", f"linked_objectives={objective[23:-1]}")
    assert_refused(csm, result, store_path, before, "linked_objectives")


def test_validation_refuses_a_near_miss_reference_whatever_the_caller():
    accounts = get_table("ActivitiesTasks")
    for spelling in NEAR_MISSES:
        with pytest.raises(RowInvalid) as exc:
            load_row(accounts, {"account": spelling, "task_title": "x"})
        assert "account" in exc.value.errors


@pytest.mark.parametrize(
    "spelling", ["ACC-000001", "acc-00001", " ACC-00001", "ACC-00001\n", "ACC-\u0660\u0660\u0660\u06601"]
)
def test_import_refuses_a_near_miss_id_column(csm, tmp_path, store_path, spelling):
    before = store_path.read_bytes()
    rows = orjson.loads(store_path.read_bytes())["AccountMaster"]["1"]
    path = tmp_path / "AccountMaster.json"
    path.write_text(json.dumps([{**rows, "account_id": spelling}]))
    assert_refused(csm, csm("import", str(path)), store_path, before, "is not an id of AccountMaster")


def test_urls_name_rows_only_by_canonical_id(client):
    assert client.get("/v1/tables/AccountMaster/rows/ACC-00003").status_code == 200
    for spelling in ("ACC-000003", "acc-00003", "ACC-00003%0A", "%20ACC-00003", "ACC-%D9%A0%D9%A0%D9%A0%D9%A03"):
        response = client.get(f"/v1/tables/AccountMaster/rows/{spelling}")
        assert response.status_code == 404, spelling
        assert response.json["code"] == "unknown_row"


# --- numbers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "1e308",
        "inf",
        "-inf",
        "nan",
        "Infinity",
        "0x10",
        "\u0661\u0662\u0663",
        "\uff11\uff12",
        "1_000_000_000_000_000",
        "--5",
        "1.2.3",
        "-",
        "",
        "9" * 400,
    ],
)
def test_numbers_typed_by_people_are_ascii_finite_and_in_range(csm, store_path, text):
    before = store_path.read_bytes()
    result = csm("update", "AccountMaster", "ACC-00001", "--set", f"arr={text}")
    if text == "":  # a blank clears an optional field; arr is required
        assert_refused(csm, result, store_path, before, "arr")
        return
    assert_refused(csm, result, store_path, before, "arr")


@pytest.mark.parametrize("value", [1e308, 10**19, 2**64 + 1, -(10**30), 1e13, -1])
def test_numbers_in_json_are_finite_and_in_range(csm, tmp_path, store_path, value):
    before = store_path.read_bytes()
    path = tmp_path / "acc.json"
    path.write_text(json.dumps({"account_name": "Huge Co", "industry_vertical": "Retail", "contract_type": "Standard",
                                "contract_start_date": "2026-01-01", "contract_end_date": "2026-12-31",
                                "renewal_date": "2026-12-31", "arr": value}))  # fmt: skip
    assert_refused(csm, csm("insert", "AccountMaster", str(path)), store_path, before, "arr: Must be from 0 to")


def test_json_nan_and_infinity_are_not_numbers(csm, tmp_path, store_path):
    before = store_path.read_bytes()
    path = tmp_path / "acc.json"
    for literal in ("NaN", "Infinity", "-Infinity"):
        path.write_text(f'{{"arr": {literal}}}')
        result = csm("insert", "AccountMaster", str(path))
        assert_refused(csm, result, store_path, before, "arr: Not a number")


def test_every_writable_number_has_a_finite_range():
    for table in ALL_TABLES:
        for f in table.writable_fields:
            if f.json_type in ("integer", "number"):
                low, high = f.limits
                assert low is not None and high is not None, f"{table.name}.{f.key}"
                assert abs(low) <= 1e12 and abs(high) <= 1e12, f"{table.name}.{f.key}"


def test_a_total_cannot_become_infinite(csm, store_path):
    """The largest ARR accepted, on every account, still sums to a finite total."""
    for account in ("ACC-00001", "ACC-00002", "ACC-00003", "ACC-00004"):
        assert csm("update", "AccountMaster", account, "--set", "arr=1,000,000,000,000").exit_code == 0
    result = csm("rows", "PeopleTeam", "--columns", "person_id,total_arr_managed")
    totals = [row["total_arr_managed"] for row in json.loads(result.output)]
    assert max(t or 0 for t in totals) >= 1e12 and all(t is None or t < float("inf") for t in totals)


@pytest.mark.parametrize(
    "value", ["0001-01-01", "1899-12-31", "2200-01-01", "9999-12-31", "2026-02-30", "\u0662026-01-01"]
)
def test_dates_out_of_range_are_refused(csm, store_path, value):
    before = store_path.read_bytes()
    result = csm("update", "AccountMaster", "ACC-00001", "--set", f"renewal_date={value}")
    assert_refused(csm, result, store_path, before, "renewal_date: Not a date in the form YYYY-MM-DD from 1900-01-01")
