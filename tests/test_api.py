"""The /v1 contract: table list, schema, exact keyset paging, single rows, references."""

from __future__ import annotations

import pytest

from schemas import SYNC_TABLES, get_table
from tests.helpers import walk


def test_table_list_names_all_eighteen_with_row_counts(ro_client):
    body = ro_client.get("/v1/tables").json
    assert body["ok"] is True
    tables = {t["name"]: t for t in body["tables"]}
    assert list(tables) == [t.name for t in SYNC_TABLES]
    assert tables["AccountMaster"]["row_count"] == 4
    assert tables["ViewTemplates"]["row_count"] == 5
    assert tables["QuickStartGuide"]["row_count"] == 8
    assert tables["APIPortfolio"] | {"row_count": 0} == {
        "name": "APIPortfolio",
        "identity": "API",
        "display_name": "API Portfolio",
        "description": get_table("APIPortfolio").description,
        "id_property": "api_id",
        "display_property": "api_name",
        "featured": list(get_table("APIPortfolio").featured),
        "row_count": 0,
    }
    assert tables["AccountHealthHistory"]["row_count"] == 60 and tables["MetricHistory"]["row_count"] == 240
    assert "Alerts" not in tables and "AutomationRuns" not in tables


def test_schema_endpoint_publishes_the_declaration(ro_client):
    body = ro_client.get("/v1/tables/RiskRegister/schema").json
    fields = {f["key"]: f for f in body["schema"]["fields"]}
    assert fields["impact"]["options"] == ["Critical", "High", "Medium", "Low"]
    assert fields["affected_apis"]["reference"]["many"] is True
    assert body["schema"]["id_prefix"] == "RISK"


@pytest.mark.parametrize("limit", [1, 7, 1000])
@pytest.mark.parametrize("table", [t.name for t in SYNC_TABLES])
def test_paging_walk_returns_each_row_exactly_once(ro_client, table, limit):
    rows = walk(ro_client, table, limit)
    id_key = get_table(table).id_key
    ids = [r[id_key] for r in rows]
    assert len(ids) == len(set(ids))
    count = next(t["row_count"] for t in ro_client.get("/v1/tables").json["tables"] if t["name"] == table)
    assert len(ids) == count
    assert ids == sorted(ids, key=lambda i: int(i.rsplit("-", 1)[1]))


def test_default_page_is_500_rows_and_the_last_page_has_no_continuation(ro_client):
    body = ro_client.get("/v1/tables/AccountMaster/rows").json
    assert len(body["rows"]) == 4 and body["continuation"] is None
    assert isinstance(body["data_version"], int)


def test_single_row(ro_client):
    row = ro_client.get("/v1/tables/AccountMaster/rows/ACC-00003").json["row"]
    assert row["account_name"] == "HealthTech Solutions"


def test_references_are_objects_with_id_and_display(ro_client):
    obj = ro_client.get("/v1/tables/StrategicObjectives/rows/OBJ-00001").json["row"]
    assert obj["account"] == {"account_id": "ACC-00001", "account_name": "Acme Financial Services"}
    # inverse links: capabilities store the link, the objective sees it
    names = {c["capability_name"] for c in obj["linked_capabilities"]}
    assert names == {"API Gateway and Policies", "Trade Event Streaming"}
    assert set(obj["linked_capabilities"][0]) == {"capability_id", "capability_name"}
    context = ro_client.get("/v1/tables/BusinessContext/rows/CTX-00004").json["row"]
    assert context["context_name"] == "Gard AS"
    person = ro_client.get("/v1/tables/PeopleTeam/rows/PER-00005").json["row"]
    assert person["accounts_assigned"] == [{"account_id": "ACC-00003", "account_name": "HealthTech Solutions"}]


def test_every_served_reference_points_at_a_served_row(ro_client):
    served = {t.name: {r[t.id_key]: r for r in walk(ro_client, t.name, 1000)} for t in SYNC_TABLES}
    checked = 0
    for table in SYNC_TABLES:
        for row in served[table.name].values():
            for f in table.reference_fields:
                target = get_table(f.ref)
                values = row[f.key] if f.many else [row[f.key]] if row[f.key] else []
                for ref in values:
                    assert ref[target.display_key] == served[f.ref][ref[target.id_key]][target.display_key]
                    checked += 1
    assert checked > 300


def test_history_syncs_with_references_so_a_doc_can_chart_it_and_the_automation_records_do_not(ro_client):
    row = ro_client.get("/v1/tables/AccountHealthHistory/rows/AHH-00001").json["row"]
    assert row["account"] == {"account_id": "ACC-00001", "account_name": "Acme Financial Services"}
    assert set(row) >= {"snapshot_id", "snapshot_date", "health_score"}
    value = ro_client.get("/v1/tables/MetricHistory/rows/MVH-00001").json["row"]
    assert value["metric"]["metric_id"] == "MET-00001" and set(value["metric"]) == {"metric_id", "metric_name"}
    for stored_only in ("Alerts", "AutomationRuns"):
        assert ro_client.get(f"/v1/tables/{stored_only}/rows").status_code == 404
