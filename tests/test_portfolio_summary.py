"""GetPortfolioSummary: a CSM's book (or every account) as the pack's line and as JSON figures,
hand-checked on the seed (2026-11-20): Acme $1.2M 81.9 renews in 222 days, Nordic $850K 88.4 in 72,
HealthTech $350K 63.7 (At Risk) in 131, Gard $780K 73.9 in 329; Sarah Chen is CSM of all but HealthTech,
James Okafor of HealthTech."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from formulas.portfolio import portfolio, summary_line
from schemas.pack_formulas import PACK_FORMULAS


def call(client, **params):
    return client.get(f"/v1/formulas/GetPortfolioSummary?{urlencode(params)}")


def test_every_account_without_a_name(ro_client):
    body = call(ro_client).json
    assert body["data"] == {
        "csm": None,
        "accounts": 4,
        "total_arr": 3_180_000,
        "at_risk_accounts": 1,
        "at_risk_arr": 350_000,
        "average_health": 77.0,  # (81.9 + 88.4 + 63.7 + 73.9) / 4 = 76.975
        "health_distribution": {"80+": 2, "70-80": 1, "60-70": 1, "under 60": 0, "no data": 0},
        "renewals_90_days": {"accounts": 1, "arr": 850_000},  # Nordic
        "renewals_180_days": {"accounts": 2, "arr": 1_200_000},  # and HealthTech
    }
    assert body["result"] == (
        "All accounts: 4 accounts | ARR $3.2M | at risk $350K (1) | avg health 77.0 (2 80+, 1 70-80, 1 60-70) | "
        "1 renewing in 90 days ($850K); 2 renewing in 180 days ($1.2M)"
    )
    assert call(ro_client, csmName="  ").json == body  # blank is left out


@pytest.mark.parametrize("name", ["James Okafor", "  james   OKAFOR ", "PER-00005", "per-00005"])
def test_a_csm_by_name_or_id(ro_client, name):
    data = call(ro_client, csmName=name).json["data"]
    assert data["csm"] == {"person_id": "PER-00005", "full_name": "James Okafor"}
    assert (data["accounts"], data["total_arr"], data["at_risk_arr"], data["average_health"]) == (
        1,
        350_000,
        350_000,
        63.7,
    )
    assert data["renewals_90_days"] == {"accounts": 0, "arr": 0} and data["renewals_180_days"]["accounts"] == 1


def test_the_declared_example_is_what_the_service_answers(ro_client):
    spec = next(s for s in PACK_FORMULAS if s.name == "GetPortfolioSummary")
    (name,), expected = spec.example
    assert call(ro_client, csmName=name).json["result"] == expected


def test_someone_who_is_no_ones_csm_has_an_empty_portfolio(ro_client):
    body = call(ro_client, csmName="Lisa Martinez").json  # the AE of all four
    assert body["data"]["accounts"] == 0 and body["data"]["average_health"] is None
    assert body["result"].startswith("Lisa Martinez: 0 accounts | ARR $0 | at risk $0 (0) | avg health n/a")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Sara Chen", "No one in PeopleTeam is named 'Sara Chen'. Did you mean 'Sarah Chen'?"),
        ("PER-00099", "No one in PeopleTeam is named 'PER-00099'."),
    ],
)
def test_an_unknown_person_is_a_404_naming_the_parameter(ro_client, name, message):
    response = call(ro_client, csmName=name)
    assert response.status_code == 404
    assert response.json["code"] == "unknown_person" and response.json["errors"] == {"csmName": [message]}


def test_unknown_parameters_are_refused(ro_client):
    response = call(ro_client, accountName="Gard AS")
    assert response.status_code == 400 and response.json["code"] == "unknown_parameter"


def _account(number, **values):
    base = {"account_id": f"ACC-{number:05d}", "account_status": "Active", "arr": 100, "health_score": 75.0}
    return base | values


def test_bands_windows_and_inactive_accounts():
    accounts = [
        _account(1, health_score=80.0, days_to_renewal=0),  # 80 is 80+; today renews
        _account(2, health_score=79.9, days_to_renewal=90, renewal_risk_level="At Risk"),
        _account(3, health_score=60.0, days_to_renewal=91, renewal_risk_level="Critical", arr=None),
        _account(4, health_score=59.9, days_to_renewal=180),
        _account(5, health_score=None, days_to_renewal=-1),  # no data; renewal passed
        _account(6, account_status="Churned", health_score=10.0, days_to_renewal=5),  # not in a portfolio
    ]
    figures = portfolio(accounts, None)
    assert figures["accounts"] == 5 and figures["total_arr"] == 400
    assert figures["health_distribution"] == {"80+": 1, "70-80": 1, "60-70": 1, "under 60": 1, "no data": 1}
    assert (figures["at_risk_accounts"], figures["at_risk_arr"]) == (2, 100)
    assert figures["renewals_90_days"] == {"accounts": 2, "arr": 200}
    assert figures["renewals_180_days"] == {"accounts": 4, "arr": 300}
    assert summary_line(portfolio([], None)).startswith(
        "All accounts: 0 accounts | ARR $0 | at risk $0 (0) | avg health n/a (no accounts)"
    )
