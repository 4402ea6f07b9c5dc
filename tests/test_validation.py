"""Every write is validated by the table's declaration before it reaches the store."""

from __future__ import annotations

import pytest

from schemas import get_table
from schemas.validation import RowInvalid, load_row
from service.store import NotFound, StillReferenced

ACCOUNTS = get_table("AccountMaster")

GOOD_ACCOUNT = {
    "account_name": "Fjord Shipping ASA",
    "industry_vertical": "Maritime",
    "contract_type": "Standard",
    "contract_start_date": "2026-01-01",
    "contract_end_date": "2026-12-31",
    "renewal_date": "2026-12-31",
    "arr": 120000,
}


def errors_of(table, data, **kw):
    with pytest.raises(RowInvalid) as exc:
        load_row(table, data, **kw)
    return exc.value.errors


def test_a_good_row_loads_with_defaults_filled_in():
    clean = load_row(ACCOUNTS, GOOD_ACCOUNT)
    assert clean["account_status"] == "Active"
    assert clean["data_source"] == "Manual Entry"
    assert clean["country"] is None


def test_unknown_keys_are_rejected():
    assert errors_of(ACCOUNTS, {**GOOD_ACCOUNT, "colour": "red"}) == {"colour": ["Unknown field."]}


def test_enum_values_are_enforced():
    errors = errors_of(ACCOUNTS, {**GOOD_ACCOUNT, "contract_type": "Gold"})
    assert list(errors) == ["contract_type"]
    assert "Signature Success" in errors["contract_type"][0]


def test_required_fields_are_named():
    data = dict(GOOD_ACCOUNT)
    del data["arr"]
    assert errors_of(ACCOUNTS, data) == {"arr": ["Missing data for required field."]}


def test_required_text_cannot_be_blank():
    assert errors_of(ACCOUNTS, {**GOOD_ACCOUNT, "account_name": "   "}) == {"account_name": ["Must not be blank."]}


@pytest.mark.parametrize(
    "field,value",
    [("arr", "1200000"), ("arr", True), ("arr", float("nan")), ("employee_count", 12.5), ("arr", -1)],
)
def test_numbers_are_strict_and_ranged(field, value):
    assert field in errors_of(ACCOUNTS, {**GOOD_ACCOUNT, field: value})


def test_slider_range():
    contexts = get_table("BusinessContext")
    errors = errors_of(contexts, {"account": "ACC-00001", "it_complexity_score": 11})
    assert errors == {"it_complexity_score": ["Must be from 1 to 10."]}


@pytest.mark.parametrize("value", ["2026-13-01", "2026/01/01", "tomorrow", 20260101, "2026-1-1"])
def test_dates_must_be_iso(value):
    assert errors_of(ACCOUNTS, {**GOOD_ACCOUNT, "renewal_date": value}) == {
        "renewal_date": ["Not a date in the form YYYY-MM-DD from 1900-01-01 to 2199-12-31."]
    }


def test_derived_auto_and_id_fields_cannot_be_written():
    errors = errors_of(
        ACCOUNTS, {**GOOD_ACCOUNT, "health_score": 99, "account_id": "ACC-00009", "last_modified": "2026-01-01T00:00Z"}
    )
    assert errors == {
        "health_score": ["Derived field: it is computed and cannot be written."],
        "account_id": ["Ids are assigned by the store and cannot be written."],
        "last_modified": ["Set automatically when the row is written."],
    }


def test_reference_must_look_like_an_id_of_its_target():
    errors = errors_of(ACCOUNTS, {**GOOD_ACCOUNT, "customer_success_manager": "ACC-00001"})
    assert errors == {"customer_success_manager": ["'ACC-00001' is not an id of PeopleTeam (ids look like PER-00001)."]}


def test_partial_update_may_omit_but_not_empty_required_fields():
    assert load_row(ACCOUNTS, {"arr": 5}, partial=True) == {"arr": 5}
    assert errors_of(ACCOUNTS, {"arr": None}, partial=True) == {"arr": ["Field may not be null."]}


def test_object_list_items_are_validated():
    plans = get_table("SuccessPlanTracker")
    data = {
        "account": "ACC-00001",
        "plan_name": "P",
        "plan_type": "Quarterly",
        "period_start": "2026-10-01",
        "period_end": "2026-12-31",
        "milestones": [{"name": "ok"}, {"name": "x", "status": "Someday", "extra": 1}],
    }
    errors = errors_of(plans, data)
    assert set(errors["milestones"][1]) == {"status", "extra"}


def test_a_row_must_be_an_object():
    assert errors_of(ACCOUNTS, ["not", "a", "row"]) == {"_row": ["A row must be a JSON object."]}


# --- checks that need the store --------------------------------------------------------


def test_references_must_name_existing_rows(store):
    with pytest.raises(RowInvalid) as exc, store.transaction() as tx:
        tx.insert("AccountMaster", {**GOOD_ACCOUNT, "customer_success_manager": "PER-00999"})
    assert exc.value.errors == {"customer_success_manager": ["No PeopleTeam row PER-00999."]}


def test_unique_values_are_unique_ignoring_case_and_spacing(store):
    with pytest.raises(RowInvalid) as exc, store.transaction() as tx:
        tx.insert("AccountMaster", {**GOOD_ACCOUNT, "account_name": "  acme financial   SERVICES "})
    assert "account_name" in exc.value.errors


def test_a_refused_write_leaves_the_file_byte_identical(store, store_path):
    before = store_path.read_bytes()
    with pytest.raises(RowInvalid), store.transaction() as tx:
        tx.insert("AccountMaster", GOOD_ACCOUNT)  # fine on its own ...
        tx.update("AccountMaster", "ACC-00001", {"arr": -5})  # ... but the transaction fails as a whole
    assert store_path.read_bytes() == before


def test_ids_are_assigned_in_sequence_and_never_reused(store):
    with store.transaction() as tx:
        first = tx.insert("AccountMaster", GOOD_ACCOUNT)
    with store.transaction() as tx:
        tx.delete("AccountMaster", first)
    with store.transaction() as tx:
        second = tx.insert("AccountMaster", GOOD_ACCOUNT)
    assert first == "ACC-00005"
    assert second == "ACC-00006"


def test_delete_is_refused_while_referenced(store):
    with pytest.raises(StillReferenced) as exc, store.transaction() as tx:
        tx.delete("PeopleTeam", "PER-00005")
    assert ("AccountMaster", "ACC-00003", "customer_success_manager") in exc.value.by


def test_unknown_rows_are_reported(store):
    with pytest.raises(NotFound, match="AccountMaster has no row ACC-00042"), store.transaction() as tx:
        tx.update("AccountMaster", "ACC-00042", {"arr": 1})


def test_auto_fields_are_stamped(store):
    with store.transaction(clock=lambda: "2026-11-21T10:00:00Z") as tx:
        row = tx.update("AccountMaster", "ACC-00001", {"arr": 1_250_000})
    assert row["last_modified"] == "2026-11-21T10:00:00Z"
    assert row["created_date"] == "2026-11-18T08:00:00Z"
