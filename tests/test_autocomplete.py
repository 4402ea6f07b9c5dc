"""`GET /v1/autocomplete/accounts?search=`: the account names the pack's accountName parameters offer."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from service.api.autocomplete import matching_names

SEEDED = ["Acme Financial Services", "Gard AS", "HealthTech Solutions", "Nordic Logistics Group"]


def names(client, **params) -> list[str]:
    response = client.get(f"/v1/autocomplete/accounts?{urlencode(params)}")
    assert response.status_code == 200, response.json
    body = response.json
    assert body["ok"] is True and set(body) == {"ok", "results"}
    for result in body["results"]:
        assert result == {"display": result["value"], "value": result["value"]}
    return [r["value"] for r in body["results"]]


@pytest.mark.parametrize("params", [{}, {"search": ""}, {"search": "   "}])
def test_no_text_lists_every_name_alphabetically(ro_client, params):
    assert names(ro_client, **params) == SEEDED


@pytest.mark.parametrize(
    "search,expected",
    [
        ("acme", ["Acme Financial Services"]),
        ("ACME  financial", ["Acme Financial Services"]),  # case and spacing ignored, as in the formulas
        ("n", ["Nordic Logistics Group", "Acme Financial Services", "HealthTech Solutions"]),
        ("g", ["Gard AS", "Nordic Logistics Group"]),
        ("s", SEEDED),  # no name starts with s; all contain it
        ("tech", ["HealthTech Solutions"]),
        ("zzz", []),
    ],
)
def test_search_matches_starts_then_contains(ro_client, search, expected):
    assert names(ro_client, search=search) == expected


def test_starts_come_before_contains_each_alphabetical():
    pool = ["Beta Alpha", "alpha two", "Alpha One", "Gamma", "Zeta alphabet", "Alpine"]
    assert matching_names(pool, "alp") == ["Alpha One", "alpha two", "Alpine", "Beta Alpha", "Zeta alphabet"]
    assert matching_names(pool, "ALPHA") == ["Alpha One", "alpha two", "Beta Alpha", "Zeta alphabet"]
    assert matching_names(pool, "") == sorted(pool, key=str.casefold)


def test_at_most_fifty(client, store):
    with store.transaction() as tx:
        for n in range(60):
            tx.insert(
                "AccountMaster",
                {
                    "account_name": f"Prospect {n:02d}",
                    "industry_vertical": "Maritime",
                    "contract_type": "Standard",
                    "contract_start_date": "2026-01-01",
                    "contract_end_date": "2026-12-31",
                    "renewal_date": "2026-12-31",
                    "arr": 1000,
                },
            )
    everything = names(client)
    assert len(everything) == 50 and everything[:3] == ["Acme Financial Services", "Gard AS", "HealthTech Solutions"]
    assert names(client, search="prospect") == [f"Prospect {n:02d}" for n in range(50)]
    # sixty names start with p: they fill the fifty, before Nordic Logistics Group that only contains it
    assert names(client, search="p") == [f"Prospect {n:02d}" for n in range(50)]
    assert names(client, search="s")[:5] == [*SEEDED, "Prospect 00"] and len(names(client, search="s")) == 50
    assert names(client, search="ect 5") == [f"Prospect {n}" for n in range(50, 60)]


def test_a_new_account_shows_at_once(client, store):
    with store.transaction() as tx:
        tx.update("AccountMaster", "ACC-00004", {"account_name": "Gardian Holdings"})
    assert names(client, search="gard") == ["Gardian Holdings"]


@pytest.mark.parametrize(
    "query,code,name",
    [
        ("q=acme", "unknown_parameter", "q"),
        ("search=a&search=b", "duplicate_parameter", "search"),
    ],
)
def test_bad_parameters_are_refused_by_name(ro_client, query, code, name):
    response = ro_client.get(f"/v1/autocomplete/accounts?{query}")
    assert response.status_code == 400
    assert response.json["code"] == code and list(response.json["errors"]) == [name]


def test_needs_a_token(ro_client):
    anonymous = ro_client.application.test_client()
    assert anonymous.get("/v1/autocomplete/accounts?search=a").status_code == 401
