"""GetQBRBrief, hand-checked on the seed (2026-11-20; default period 2026-05-24 to 2026-11-20)."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from schemas.pack_formulas import PACK_FORMULAS


def call(client, **params):
    return client.get(f"/v1/formulas/GetQBRBrief?{urlencode(params)}")


def test_healthtech_in_the_default_period(ro_client):
    body = call(ro_client, accountName="HealthTech Solutions").json
    data = body["data"]
    assert (data["from"], data["to"], data["health_score"], data["renewal_risk_level"]) == (
        "2026-05-24",
        "2026-11-20",
        63.7,
        "At Risk",
    )
    assert data["objectives_by_status"] == {"At Risk": 1, "On Track": 1, "In Progress": 1, "Achieved": 1}
    assert [m["name"] for m in data["top_metrics"]] == ["Failed HL7 Messages per Day", "EHR Integration Latency P95"]
    assert data["top_metrics"][0]["health"] == "Critical"  # the least healthy first
    assert data["completed_initiatives"] == [] and data["outcomes"] == []
    assert [v["name"] for v in data["top_value_streams"]] == ["Patient Appointment Booking", "Lab Result Delivery"]
    assert [r["risk_id"] for r in data["open_risks"]] == ["RISK-00005"]  # RISK-00006 is Medium (10)
    assert [s["task_id"] for s in data["next_steps"]] == ["TSK-00006", "TSK-00007", "TSK-00008"]
    assert [s["overdue"] for s in data["next_steps"]] == [True, True, False]
    text = body["result"]
    assert text.startswith("# QBR brief: HealthTech Solutions (2026-05-24 to 2026-11-20)\n\nHealth 63.7 (At Risk)")
    assert "## Open Critical and High risks\n- Legacy interface engine drops HL7 messages (High, Open)" in text
    assert "- Root-cause the failed HL7 messages (Marcus Johnson, due 2026-11-18, overdue)" in text


def test_the_period_picks_the_completed_initiatives_with_their_roi(ro_client):
    inside = call(ro_client, accountName="Acme Financial Services", startDate="2026-09-22", endDate="2026-09-22")
    (done,) = inside.json["data"]["completed_initiatives"]
    assert done == {
        "initiative_id": "INI-00002",
        "name": done["name"],
        "completed": "2026-09-22",
        "investment": 280_000,
        "annual_benefit": 540_000,
        "benefit_basis": "realized",  # the expected 520,000 gives the Initiatives column's 457%
        "three_year_roi_percent": 479,
    }
    assert "annual benefit $540K (realized), 3-year ROI 479%" in inside.json["result"]
    assert "3-year ROI 479%" in inside.json["result"] and "- Total: investment $280K" in inside.json["result"]
    before = call(ro_client, accountName="Acme Financial Services", endDate="2026-09-21").json["data"]
    assert before["completed_initiatives"] == [] and before["from"] == "2026-03-25"


def test_the_default_start_stays_within_the_dates_the_service_takes(ro_client):
    data = call(ro_client, accountName="Gard AS", endDate="1900-01-01").json["data"]
    assert (data["from"], data["to"]) == ("1900-01-01", "1900-01-01")


def test_the_declared_example_is_what_the_service_answers(ro_client):
    spec = next(s for s in PACK_FORMULAS if s.name == "GetQBRBrief")
    (name,), expected = spec.example
    assert call(ro_client, accountName=name).json["result"] == expected


@pytest.mark.parametrize(
    ("params", "status", "param"),
    [
        ({"accountName": "Gard AS", "startDate": "2026-12-01", "endDate": "2026-11-01"}, 400, "startDate"),
        ({"accountName": "Gard AS", "endDate": "20-11-2026"}, 400, "endDate"),
        ({"accountName": "Gard"}, 404, "accountName"),
        ({"accountName": "Gard AS", "period": "Q4"}, 400, "period"),
    ],
)
def test_bad_parameters_are_named(ro_client, params, status, param):
    response = call(ro_client, **params)
    assert response.status_code == status and param in response.json["errors"]
