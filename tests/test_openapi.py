"""The OpenAPI document: generated from the catalog, complete, and true to what is served."""

from __future__ import annotations

import json

import schemathesis

from schemas import SYNC_TABLES
from schemas.pack_actions import PACK_ACTIONS
from schemas.pack_formulas import PACK_FORMULAS
from service.openapi import openapi_document


def test_served_document_is_the_generated_one(client):
    response = client.get("/v1/openapi.json")
    assert response.status_code == 200
    assert response.json == json.loads(json.dumps(openapi_document()))


def test_document_is_valid_openapi_and_lists_every_endpoint():
    doc = openapi_document()
    schemathesis.openapi.from_dict(doc)  # validates the document itself
    assert doc["openapi"].startswith("3.")
    expected = {"/health", "/v1/tables", "/v1/openapi.json"}
    for table in SYNC_TABLES:
        expected |= {f"/v1/tables/{table.name}/schema", f"/v1/tables/{table.name}/rows",
                     f"/v1/tables/{table.name}/rows/{{id}}"}  # fmt: skip
    expected |= {f"/v1/formulas/{f.name}" for f in PACK_FORMULAS}
    expected |= {"/v1/autocomplete/accounts"} | {f"/v1/actions/{a.name}" for a in PACK_ACTIONS}
    expected |= {f"/v1/tables/{t.name}/rows/batch" for t in SYNC_TABLES if t.editable} | {"/v1/changes"}
    expected |= {"/v1/automations", "/v1/automations/alerts", "/v1/views", "/v1/views/{slug}"}
    assert set(doc["paths"]) == expected
    assert doc["components"]["securitySchemes"]["bearerAuth"] == {"type": "http", "scheme": "bearer"}
    assert doc["paths"]["/health"]["get"]["security"] == []


def test_every_operation_documents_its_errors():
    doc = openapi_document()
    for path, item in doc["paths"].items():
        for operation in item.values():
            responses = operation["responses"]
            assert {"200", "201"} & responses.keys(), path
            if path.startswith("/v1"):
                assert "401" in responses and "400" in responses, path
    rows = doc["paths"]["/v1/tables/AccountMaster/rows"]["get"]
    assert {p["name"] for p in rows["parameters"]} == {"limit", "continuation"}
    assert "409" in rows["responses"]
    health = doc["paths"]["/v1/formulas/CreateReferenceID"]["get"]
    assert [p["name"] for p in health["parameters"]] == ["accountName", "entityType", "sequence"]


def test_row_schemas_come_from_the_catalog():
    props = openapi_document()["components"]["schemas"]["AccountMasterRow"]["properties"]
    assert props["renewal_risk_level"]["enum"][:4] == ["Critical", "At Risk", "Attention Needed", "Healthy"]
    assert props["customer_success_manager"]["anyOf"][0] == {"$ref": "#/components/schemas/PersonRef"}
    assert props["renewal_date"]["format"] == "date"
    assert props["arr"]["minimum"] == 0


def test_unknown_query_parameters_are_refused_by_name(client):
    response = client.get("/v1/tables/AccountMaster/rows?limt=5")
    assert response.status_code == 400
    assert response.json["code"] == "unknown_parameter"
    assert response.json["errors"] == {"limt": ["Unknown parameter."]}
    assert "this endpoint takes continuation, limit" in response.json["error"]


def test_actions_are_documented_with_their_parameters_and_row():
    doc = openapi_document()
    operation = doc["paths"]["/v1/actions/RecordMetricValue"]["post"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert list(body["properties"]) == ["accountName", "metricName", "value", "valueDate"]
    assert body["required"] == ["accountName", "metricName", "value"] and body["additionalProperties"] is False
    assert body["properties"]["valueDate"]["anyOf"][0] == {"type": "string", "format": "date"}
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/PlatformHealthMetricsOne"
    }
    assert {"400", "401", "403", "404", "409", "413"} <= set(operation["responses"])
    engagement = doc["paths"]["/v1/actions/LogEngagement"]["post"]["requestBody"]["content"]["application/json"]
    assert "QBR" in engagement["schema"]["properties"]["engagementType"]["enum"]


def test_documented_methods_are_the_served_ones(client):
    """Writes are documented, and answered, exactly on the tables Coda may edit."""
    doc = openapi_document()
    for table in SYNC_TABLES:
        for path in (f"/v1/tables/{table.name}/rows", f"/v1/tables/{table.name}/rows/{{id}}"):
            documented = {m.upper() for m in doc["paths"][path]}
            served = set(client.options(path.replace("{id}", table.make_id(1))).json["methods"]) - {"HEAD", "OPTIONS"}
            assert documented == (served if table.editable else {"GET"}), path
        if table.editable:
            batch = doc["paths"][f"/v1/tables/{table.name}/rows/batch"]["post"]
            assert {"200", "400", "401", "403", "404", "413"} <= batch["responses"].keys()
            assert "409" in doc["paths"][f"/v1/tables/{table.name}/rows/{{id}}"]["delete"]["responses"]


def test_write_bodies_name_only_writable_fields():
    schemas = openapi_document()["components"]["schemas"]
    task = schemas["ActivitiesTasksWrite"]["properties"]
    assert "task_title" in task and "days_overdue" not in task and "task_id" not in task
    assert "last_measured" not in schemas["PlatformHealthMetricsWrite"]["properties"]
