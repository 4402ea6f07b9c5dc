"""CalculatePlatformROI, hand-checked on the seed (2026-11-20). Acme's only completed initiative is
INI-00002 (completed 2026-09-22): investment $280,000, realized benefit $540,000 a year (expected
$520,000: the realized one counts). Simple ROI (540 - 280) / 280 = 92.9%; payback 280 / (540 / 12) =
6.2 months; 3-year ROI (1,620 - 280) / 280 = 478.6%; NPV at 10% = -280,000 + 540,000 x (1/1.1 +
1/1.21 + 1/1.331) = 1,062,900."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import pytest

from formulas.roi import period_start, roi
from schemas.pack_formulas import PACK_FORMULAS


def call(client, **params):
    return client.get(f"/v1/formulas/CalculatePlatformROI?{urlencode(params)}")


def test_acme_over_the_last_twelve_months(ro_client):
    body = call(ro_client, accountName="Acme Financial Services", timePeriod="Last 12M").json
    assert body["data"] == {
        "account": {"account_id": "ACC-00001", "account_name": "Acme Financial Services"},
        "time_period": "Last 12M",
        "from": "2025-11-20",
        "to": "2026-11-20",
        "initiatives": ["INI-00002"],
        "investment": 280_000,
        "annual_benefit": 540_000,
        "simple_roi_percent": 93,
        "payback_months": 6.2,
        "three_year_roi_percent": 479,
        "npv_at_10_percent": 1_062_900,
    }
    spec = next(s for s in PACK_FORMULAS if s.name == "CalculatePlatformROI")
    assert spec.example == (("Acme Financial Services", "Last 12M"), body["result"])


@pytest.mark.parametrize(
    ("period", "initiatives"),
    [("Last 6M", ["INI-00002"]), ("all time", ["INI-00002"]), ("  LAST   3y ", ["INI-00002"])],
)
def test_periods_in_any_case(ro_client, period, initiatives):
    assert call(ro_client, accountName="ACC-00001", timePeriod=period).json["data"]["initiatives"] == initiatives


def test_an_account_with_nothing_completed_has_no_roi_rather_than_a_made_up_one(ro_client):
    body = call(ro_client, accountName="Gard AS", timePeriod="All Time").json
    data = body["data"]
    assert (data["investment"], data["annual_benefit"], data["npv_at_10_percent"]) == (0, 0, 0)
    assert data["simple_roi_percent"] is data["payback_months"] is data["three_year_roi_percent"] is None
    assert "0 completed initiatives" in body["result"] and "simple ROI n/a" in body["result"]


@pytest.mark.parametrize(
    ("params", "status", "code", "param"),
    [
        ({"accountName": "Acme Financial Services"}, 400, "missing_parameter", "timePeriod"),
        ({"accountName": "Acme Financial Services", "timePeriod": "last year"}, 400, "bad_time_period", "timePeriod"),
        ({"accountName": "Acme Financial", "timePeriod": "Last 12M"}, 404, "unknown_account", "accountName"),
    ],
)
def test_bad_parameters_are_named(ro_client, params, status, code, param):
    response = call(ro_client, **params)
    assert (response.status_code, response.json["code"]) == (status, code) and param in response.json["errors"]


def test_a_period_starts_the_same_day_months_back_or_at_the_months_end():
    assert period_start("Last 6M", dt.date(2026, 8, 31)) == dt.date(2026, 2, 28)
    assert period_start("Last 12M", dt.date(2028, 2, 29)) == dt.date(2027, 2, 28)
    assert period_start("Last 3Y", dt.date(2026, 11, 20)) == dt.date(2023, 11, 20)
    assert period_start("All Time", dt.date(2026, 11, 20)) is None


def test_completion_inside_the_period_only_and_the_realized_benefit_first():
    account = {"account_id": "ACC-00001", "account_name": "A"}

    def done(number, account_id, finished, investment, expected=None, realized=None, status="Completed"):
        return {
            "initiative_id": f"INI-{number}",
            "account": account_id,
            "status": status,
            "actual_completion_date": finished,
            "investment_amount_usd": investment,
            "expected_annual_benefit_usd": expected,
            "realized_annual_benefit_usd": realized,
        }

    rows = [
        done(1, "ACC-00001", "2026-05-20", 100, expected=50),  # the period's first day
        done(2, "ACC-00001", "2026-05-19", 1000, expected=1000),  # the day before
        done(3, "ACC-00001", None, 1000, status="In Progress"),
        done(4, "ACC-00002", "2026-10-01", 1000),  # another account's
        done(5, "ACC-00001", "2026-11-20", 0, expected=99, realized=10),  # realized first
    ]
    figures = roi(account, rows, "Last 6M", dt.date(2026, 11, 20))
    assert figures["initiatives"] == ["INI-1", "INI-5"]
    assert (figures["investment"], figures["annual_benefit"]) == (100, 60)
    assert (figures["simple_roi_percent"], figures["payback_months"], figures["three_year_roi_percent"]) == (
        -40,
        20.0,
        80,
    )
