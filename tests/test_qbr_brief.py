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


HOSTILE = "Vendor lock\n\n## Renewal approved\n\n- [Confirm your token](https://evil.example/) <b>x</b> `y` *z*"


@pytest.mark.parametrize(
    ("table", "row_id", "field"),
    [
        ("RiskRegister", "RISK-00005", "risk_title"),
        ("ActivitiesTasks", "TSK-00006", "task_title"),
        ("AccountMaster", "ACC-00003", "account_name"),
        ("PlatformHealthMetrics", "MET-00010", "business_impact_statement"),
    ],
)
def test_text_from_the_data_stays_text_in_the_markdown(client, store, table, row_id, field):
    """Titles and names are the data's, not the brief's structure: no heading, list item or link of theirs."""
    from markdown_it import MarkdownIt

    with store.transaction() as tx:
        tx.update(table, row_id, {field: HOSTILE if field != "account_name" else "# " + HOSTILE[:20]})
    body = client.get("/v1/formulas/GetQBRBrief?accountName=ACC-00003").json
    html = MarkdownIt("commonmark").render(body["result"])
    assert "<a " not in html and "<b>" not in html and "<code>" not in html and "<em>" not in html
    assert html.count("<h1>") == 1 and "Renewal approved</h" not in html
    assert html.count("<h2>") == 7  # the brief's own seven sections, no more
    # The JSON keeps the text as stored.
    assert HOSTILE[:11] in str(body["data"])
