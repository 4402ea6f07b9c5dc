"""The four pack formulas at /v1/formulas/<Name>, as design §4 specifies."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import pytest

from formulas.pack import reference_id, summary
from schemas.values import compact_usd
from tests.helpers import walk

TODAY = dt.date(2026, 11, 20)


def call(client, name, **params):
    return client.get(f"/v1/formulas/{name}?{urlencode(params)}")


@pytest.fixture(scope="module")
def accounts(ro_client):
    return walk(ro_client, "AccountMaster", 1000)


def test_health_and_arr_for_every_seeded_account(ro_client, accounts):
    for account in accounts:
        for name in (account["account_name"], account["account_id"]):
            assert call(ro_client, "GetAccountHealth", accountName=name).json == {
                "ok": True,
                "result": account["health_score"],
            }
            assert call(ro_client, "GetAccountARR", accountName=name).json["result"] == account["arr"]


def test_summary_for_every_seeded_account(ro_client, accounts):
    expected = {
        "Acme Financial Services": "Acme Financial Services | ARR $1.2M | Health 81.9 (Healthy) | "
        "Renewal 2027-06-30 (222 days) | CSM Sarah Chen",
        "Nordic Logistics Group": "Nordic Logistics Group | ARR $850K | Health 88.4 (Healthy) | "
        "Renewal 2027-01-31 (72 days) | CSM Sarah Chen",
        "HealthTech Solutions": "HealthTech Solutions | ARR $350K | Health 63.7 (At Risk) | "
        "Renewal 2027-03-31 (131 days) | CSM James Okafor",
        "Gard AS": "Gard AS | ARR $780K | Health 73.9 (Attention Needed) | "
        "Renewal 2027-10-15 (329 days) | CSM Sarah Chen",
    }
    for account in accounts:
        body = call(ro_client, "FormatAccountSummary", accountName=account["account_name"]).json
        assert body["result"] == expected[account["account_name"]]


def test_reference_ids_for_every_seeded_account(ro_client, accounts):
    prefixes = {"Acme Financial Services": "ACME", "Nordic Logistics Group": "NORD", "HealthTech Solutions": "HEAL"}
    prefixes["Gard AS"] = "GARD"
    for account in accounts:
        response = call(
            ro_client, "CreateReferenceID", accountName=account["account_name"], entityType="obj", sequence=7
        )
        assert response.json["result"] == f"{prefixes[account['account_name']]}-OBJ-007"


@pytest.mark.parametrize(
    "name", ["acme financial services", "  ACME FINANCIAL SERVICES  ", "Acme   Financial\tServices", "acc-00001"]
)
def test_lookup_ignores_case_and_spacing_and_takes_ids(ro_client, name):
    assert call(ro_client, "GetAccountARR", accountName=name).json["result"] == 1_200_000


@pytest.mark.parametrize("formula", ["GetAccountHealth", "GetAccountARR", "FormatAccountSummary"])
def test_unknown_account_is_a_404_with_suggestions(ro_client, formula):
    response = call(ro_client, formula, accountName="Acme Financial")
    assert response.status_code == 404
    body = response.json
    assert body["code"] == "unknown_account"
    assert "Did you mean 'Acme Financial Services'?" in body["error"]
    assert body["errors"] == {"accountName": [body["error"]]}


@pytest.mark.parametrize(
    "name,expected",
    [
        ("Fjord Shipping", "FJOR-OBJ-001"),  # a prospect not yet in the store, as the original pack allowed
        ("  fjord   shipping ", "FJOR-OBJ-001"),
        ("Acme Financial", "ACME-OBJ-001"),  # close to an account, but any name works
        ("3M", "3M-OBJ-001"),
        ("acme financial services", "ACME-OBJ-001"),  # a known account: its stored name
        ("ACC-00004", "GARD-OBJ-001"),  # an account's id stands for its name
        ("acc-00003", "HEAL-OBJ-001"),
    ],
)
def test_reference_ids_for_any_account_name(ro_client, name, expected):
    response = call(ro_client, "CreateReferenceID", accountName=name, entityType="obj", sequence=1)
    assert response.status_code == 200, response.json
    assert response.json == {"ok": True, "result": expected}


@pytest.mark.parametrize("name", ["ACC-00099", "acc-99", " ACC-0 "])
def test_reference_id_for_an_id_that_names_no_account_is_a_404(ro_client, name):
    response = call(ro_client, "CreateReferenceID", accountName=name, entityType="OBJ", sequence=1)
    assert response.status_code == 404
    assert response.json["code"] == "unknown_account" and "accountName" in response.json["errors"]


@pytest.mark.parametrize(
    "params,code",
    [
        ({"accountName": "   "}, "missing_parameter"),
        ({}, "missing_parameter"),
        ({"accountName": "!!! ---"}, "bad_account_name"),  # nothing to build a prefix from
        ({"accountName": "北京"}, "bad_account_name"),
    ],
)
def test_reference_id_needs_a_name_with_letters_or_digits(ro_client, params, code):
    response = ro_client.get(
        f"/v1/formulas/CreateReferenceID?{urlencode({**params, 'entityType': 'OBJ', 'sequence': 1})}"
    )
    assert response.status_code == 400
    assert response.json["code"] == code and list(response.json["errors"]) == ["accountName"]


def test_unknown_account_with_nothing_close(ro_client):
    body = call(ro_client, "GetAccountHealth", accountName="Zzyzx Widgets").json
    assert body["error"] == "No account named 'Zzyzx Widgets'."


@pytest.mark.parametrize("params", [{}, {"accountName": ""}, {"accountName": "   "}])
def test_blank_or_missing_name_is_a_400(ro_client, params):
    response = ro_client.get(f"/v1/formulas/GetAccountHealth?{urlencode(params)}")
    assert response.status_code == 400
    assert response.json["code"] == "missing_parameter"
    assert "accountName" in response.json["errors"]


@pytest.mark.parametrize(
    "entity,sequence,code,param",
    [
        ("O", "1", "bad_entity_type", "entityType"),
        ("OBJECTS", "1", "bad_entity_type", "entityType"),
        ("OB1", "1", "bad_entity_type", "entityType"),
        ("", "1", "missing_parameter", "entityType"),
        ("OBJ", "0", "bad_sequence", "sequence"),
        ("OBJ", "-3", "bad_sequence", "sequence"),
        ("OBJ", "1.5", "bad_sequence", "sequence"),
        ("OBJ", "seven", "bad_sequence", "sequence"),
        ("OBJ", "", "missing_parameter", "sequence"),
        ("OBJ", "\u0663", "bad_sequence", "sequence"),  # Arabic-Indic 3: ASCII digits only
        ("OBJ", "\uff17", "bad_sequence", "sequence"),  # full-width 7
        ("OBJ", "1e3", "bad_sequence", "sequence"),
        ("\u0130BJ", "1", "bad_entity_type", "entityType"),
    ],
)
def test_bad_entity_type_or_sequence_is_a_400(ro_client, entity, sequence, code, param):
    response = call(ro_client, "CreateReferenceID", accountName="Gard AS", entityType=entity, sequence=sequence)
    assert response.status_code == 400
    assert response.json["code"] == code and param in response.json["errors"]


def test_a_parameter_the_formula_does_not_take_is_refused(ro_client):
    response = call(ro_client, "GetAccountARR", accountName="Gard AS", entityType="OBJ")
    assert response.status_code == 400
    assert response.json["errors"] == {"entityType": ["Unknown parameter."]}


def test_unknown_formula(ro_client):
    response = ro_client.get("/v1/formulas/GetAccountMood?accountName=Gard%20AS")
    assert response.status_code == 404 and response.json["code"] == "unknown_formula"


# --- the pure functions behind them --------------------------------------------------


@pytest.mark.parametrize(
    "amount,text",
    [
        (1_200_000, "$1.2M"),
        (850_000, "$850K"),
        (2_000_000, "$2M"),
        (999_950, "$1M"),
        (12_500, "$12.5K"),
        (950, "$950"),
        (0, "$0"),
        (3_500_000_000, "$3.5B"),
        (999_960_000_000, "$1T"),
        (1_000_000_000_000, "$1T"),  # the largest ARR the catalog takes
        (None, "n/a"),
    ],
)
def test_compact_usd(amount, text):
    assert compact_usd(amount) == text


def test_summary_edge_cases():
    row = {
        "account_name": "Old Co",
        "arr": 90_000,
        "health_score": None,
        "renewal_risk_level": "No Data",
        "renewal_date": "2026-10-01",
        "customer_success_manager": None,
    }
    assert (
        summary(row, TODAY)
        == "Old Co | ARR $90K | Health n/a | Renewal 2026-10-01 (overdue by 50 days) | CSM unassigned"
    )
    assert "(1 day)" in summary({**row, "renewal_date": "2026-11-21"}, TODAY)
    assert "(0 days)" in summary({**row, "renewal_date": "2026-11-20"}, TODAY)


@pytest.mark.parametrize(
    "name,expected",
    [("Acme Financial Services", "ACME"), ("3M", "3M"), ("A.B.C. D-E", "ABCD"), ("Bergström AB", "BERG"), ("X", "X")],
)
def test_reference_prefix(name, expected):
    assert reference_id(name, "TSK", 12) == f"{expected}-TSK-012"
    assert reference_id(name, "tsk", 1234) == f"{expected}-TSK-1234"


def test_an_unknown_account_id_is_said_to_be_an_id(ro_client):
    response = ro_client.get("/v1/formulas/GetAccountHealth?accountName=ACC-00099")
    assert response.status_code == 404 and response.json["error"].startswith("No account has the id 'ACC-00099'.")
