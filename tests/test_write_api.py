"""The write API: insert, update, batch with previous values, delete -- and what each refuses."""

from __future__ import annotations

import pytest

from service import create_app
from service.store import Store
from tests.conftest import TODAY, authed

TASK = {"account": "ACC-00002", "task_title": "Call the new sponsor", "priority": "High", "due_date": "2026-12-01"}
ENGAGEMENT = {
    "account": {"account_id": "ACC-00002", "account_name": "Nordic Logistics Group"},
    "engagement_date": TODAY,
    "engagement_type": "Executive Sponsor Call",
    "sentiment": "Very Positive",
    "relationship_depth_score": 10,
}


@pytest.fixture
def app(store_path):
    return create_app(
        {
            "CSM_DATA": str(store_path),
            "CSM_TODAY": TODAY,
            "TESTING": True,
            "CSM_API_TOKENS": "coda=write-token",
            "CSM_API_READ_TOKENS": "viewer=read-token",
        }
    )


@pytest.fixture
def client(app):
    c = app.test_client()
    c.environ_base["HTTP_AUTHORIZATION"] = "Bearer write-token"
    return c


def stored(store_path, table, row_id):
    data, _ = Store(store_path).read()
    number = str(int(row_id.split("-")[1]))
    return data[table].get(number)


def log(store_path):
    return Store(store_path).changes.records()


# --- insert ----------------------------------------------------------------------------------


def test_insert_answers_201_with_the_served_row_and_logs_who(client, store_path):
    response = client.post("/v1/tables/ActivitiesTasks/rows", json=TASK)
    assert response.status_code == 201, response.json
    row = response.json["row"]
    assert row["task_id"].startswith("TSK-") and row["task_title"] == "Call the new sponsor"
    assert row["account"] == {"account_id": "ACC-00002", "account_name": "Nordic Logistics Group"}
    assert row["status"] == "Not Started" and row["is_overdue"] is False  # default and derived column
    assert stored(store_path, "ActivitiesTasks", row["task_id"])["account"] == "ACC-00002"
    [record] = log(store_path)
    assert record["source"] == "api:coda" and record["op"] == "insert" and record["id"] == row["task_id"]
    assert record["account"] == "ACC-00002" and record["changes"]["priority"] == [None, "High"]


def test_logging_an_engagement_moves_the_accounts_derived_columns(client):
    before = client.get("/v1/tables/AccountMaster/rows/ACC-00002").json["row"]
    assert before["last_engagement_date"] != TODAY
    response = client.post("/v1/tables/EngagementLog/rows", json=ENGAGEMENT)
    assert response.status_code == 201, response.json
    assert response.json["row"]["engagement_title"] == f"Executive Sponsor Call · {TODAY}"
    after = client.get("/v1/tables/AccountMaster/rows/ACC-00002").json["row"]
    assert after["last_engagement_date"] == TODAY
    assert after["stakeholder_engagement"] != before["stakeholder_engagement"]


@pytest.mark.parametrize(
    ("value", "needle"),
    [
        ("Nordic Logistics Group", "not an id"),
        ({"account_name": "Nordic Logistics Group"}, "needs its 'account_id'"),
        ("ACC-00099", "No AccountMaster row ACC-00099"),
        ("ACC-000002", "ACC-00002"),
        (42, "Give an account id"),
    ],
)
def test_a_bad_reference_is_refused_naming_the_field(client, store_path, value, needle):
    before = store_path.read_bytes()
    response = client.post("/v1/tables/ActivitiesTasks/rows", json={**TASK, "account": value})
    assert response.status_code == 400 and response.json["code"] == "invalid_row"
    assert needle in response.json["errors"]["account"][0], response.json
    assert store_path.read_bytes() == before


def test_an_insert_names_every_bad_field_at_once_and_no_unassigned_id(client, store_path):
    before = store_path.read_bytes()
    body = {**TASK, "account": "ACC-00099", "priority": "Urgent", "due_date": "soon"}
    response = client.post("/v1/tables/ActivitiesTasks/rows", json=body)
    assert response.status_code == 400 and set(response.json["errors"]) == {"account", "priority", "due_date"}
    assert response.json["error"].startswith("ActivitiesTasks (new row): ") and "TSK-" not in response.json["error"]
    assert store_path.read_bytes() == before
    assert client.post("/v1/tables/ActivitiesTasks/rows", json=TASK).json["row"]["task_id"] == "TSK-00013"


@pytest.mark.parametrize(
    ("table", "key", "words"),
    [
        ("ActivitiesTasks", "days_overdue", "Derived field"),
        ("ActivitiesTasks", "task_id", "Ids are assigned"),
        ("PlatformHealthMetrics", "last_measured", "Set automatically"),
        ("ActivitiesTasks", "colour", "Unknown field"),
    ],
)
def test_derived_id_automatic_and_unknown_columns_are_refused_by_name(client, store_path, table, key, words):
    before = store_path.read_bytes()
    row_id = {"ActivitiesTasks": "TSK-00001", "PlatformHealthMetrics": "MET-00001"}[table]
    response = client.patch(f"/v1/tables/{table}/rows/{row_id}", json={key: "2026-11-20"})
    assert response.status_code == 400 and words in response.json["errors"][key][0], response.json
    assert store_path.read_bytes() == before


@pytest.mark.parametrize(
    ("table", "status", "code"),
    [
        ("ViewTemplates", 403, "read_only_table"),
        ("AccountHealthHistory", 403, "read_only_table"),  # synced for charts, written by the service
        ("Alerts", 404, "unknown_table"),  # stored, not synced
        ("Nope", 404, "unknown_table"),
    ],
)
def test_only_editable_tables_take_writes(client, store_path, table, status, code):
    before = store_path.read_bytes()
    response = client.post(f"/v1/tables/{table}/rows", json={"template_name": "x"})
    assert (response.status_code, response.json["code"]) == (status, code)
    assert store_path.read_bytes() == before


@pytest.mark.parametrize(
    ("body", "words"),
    [(b"", "empty"), (b"{not json", "not valid JSON"), (b"[1, 2]", "JSON object"), (b'"row"', "JSON object")],
)
def test_a_body_that_is_not_one_json_object_is_400(client, store_path, body, words):
    before = store_path.read_bytes()
    response = client.post("/v1/tables/ActivitiesTasks/rows", data=body, content_type="application/json")
    assert response.status_code == 400 and response.json["code"] == "bad_body" and words in response.json["error"]
    assert store_path.read_bytes() == before


def test_a_body_over_the_limit_is_413_and_never_written(client, store_path):
    before = store_path.read_bytes()
    huge = {**TASK, "description": "x" * (1024 * 1024)}
    response = client.post("/v1/tables/ActivitiesTasks/rows", json=huge)
    assert response.status_code == 413 and response.json["code"] == "request_entity_too_large"
    assert "1 MiB" in response.json["error"]
    assert store_path.read_bytes() == before


# --- update ----------------------------------------------------------------------------------


def test_patch_changes_the_row_and_returns_it(client, store_path):
    response = client.patch(
        "/v1/tables/ActivitiesTasks/rows/TSK-00002", json={"status": "Done", "completed_date": TODAY}
    )
    assert response.status_code == 200, response.json
    assert response.json["row"]["status"] == "Done" and response.json["row"]["completed_date"] == TODAY
    assert stored(store_path, "ActivitiesTasks", "TSK-00002")["status"] == "Done"
    [record] = log(store_path)
    assert record["changes"] == {"status": ["Not Started", "Done"], "completed_date": [None, TODAY]}


def test_patch_with_the_same_values_changes_nothing_and_logs_nothing(client, store_path):
    before = store_path.read_bytes()
    current = client.get("/v1/tables/ActivitiesTasks/rows/TSK-00002").json["row"]
    response = client.patch("/v1/tables/ActivitiesTasks/rows/TSK-00002", json={"status": current["status"]})
    assert response.status_code == 200 and response.json["row"] == current
    assert store_path.read_bytes() == before and log(store_path) == []


@pytest.mark.parametrize(
    ("row_id", "needle"), [("TSK-99999", "has no row"), ("TSK-000002", "TSK-00002"), ("tsk-00002", "TSK-00002")]
)
def test_patch_of_a_missing_row_is_404(client, row_id, needle):
    response = client.patch(f"/v1/tables/ActivitiesTasks/rows/{row_id}", json={"status": "Done"})
    assert response.status_code == 404 and response.json["code"] == "unknown_row" and needle in response.json["error"]


def test_a_bad_value_is_400_naming_the_field(client, store_path):
    before = store_path.read_bytes()
    response = client.patch(
        "/v1/tables/ActivitiesTasks/rows/TSK-00002", json={"status": "Finished", "due_date": "soon"}
    )
    assert response.status_code == 400 and set(response.json["errors"]) == {"status", "due_date"}
    assert store_path.read_bytes() == before


# --- batch -----------------------------------------------------------------------------------


def test_a_batch_commits_the_good_updates_together_and_reports_each_bad_one(client, store_path):
    updates = [
        {"id": "TSK-00002", "previous": {"status": "Not Started"}, "changes": {"status": "In Progress"}},
        {"id": "TSK-00003", "previous": {"status": "Waiting"}, "changes": {"status": "Done"}},  # stale
        {"id": "TSK-00004", "previous": {}, "changes": {"priority": "Urgent"}},  # not an option
        {"id": "TSK-99999", "changes": {"status": "Done"}},
        {"id": "TSK-00001", "previous": {"priority": "High"}, "changes": {"priority": "Critical"}},
    ]
    current = {u["id"]: stored(store_path, "ActivitiesTasks", u["id"]) for u in updates}
    assert current["TSK-00003"]["status"] != "Waiting" and current["TSK-00001"]["priority"] == "High"
    response = client.post("/v1/tables/ActivitiesTasks/rows/batch", json={"updates": updates})
    assert response.status_code == 200, response.json
    results = response.json["results"]
    assert [r["ok"] for r in results] == [True, False, False, False, True]
    assert results[0]["row"]["status"] == "In Progress" and results[4]["row"]["priority"] == "Critical"
    assert (results[1]["status"], results[1]["code"]) == (409, "conflict") and "status" in results[1]["errors"]
    assert (results[2]["status"], results[2]["code"]) == (400, "invalid_row") and "priority" in results[2]["errors"]
    assert (results[3]["status"], results[3]["code"]) == (404, "unknown_row")
    for bad in ("TSK-00003", "TSK-00004"):
        assert stored(store_path, "ActivitiesTasks", bad) == current[bad]
    records = log(store_path)
    assert [r["id"] for r in records] == ["TSK-00002", "TSK-00001"]
    assert len({r["version"] for r in records}) == 1, "one transaction"


def test_previous_values_compare_by_meaning(client, store_path):
    """A reference object is its id, an empty string is empty, a percent back from Coda is close enough."""
    row = client.get("/v1/tables/StakeholderOutcomes/rows/OUT-00001").json["row"]
    previous = {
        "account": row["account"],  # the served object
        "current_value": row["current_value"] * (1 + 1e-12) if row["current_value"] else row["current_value"],
        "measurement_method": "" if row.get("measurement_method") is None else row["measurement_method"],
    }
    changes = {"account": row["account"]["account_id"], "current_value": 42, "measurement_method": "checked"}
    response = client.post(
        "/v1/tables/StakeholderOutcomes/rows/batch",
        json={"updates": [{"id": "OUT-00001", "previous": previous, "changes": changes}]},
    )
    assert response.json["results"][0]["ok"], response.json
    assert response.json["results"][0]["row"]["measurement_method"] == "checked"


def test_a_previous_value_under_an_unknown_name_is_refused_not_ignored(client, store_path):
    before = store_path.read_bytes()
    update = {"id": "TSK-00002", "previous": {"stauts": "Not Started"}, "changes": {"status": "Done"}}
    [result] = client.post("/v1/tables/ActivitiesTasks/rows/batch", json={"updates": [update]}).json["results"]
    assert result["code"] == "bad_body" and "'stauts'" in result["error"]
    assert store_path.read_bytes() == before


def test_updates_of_one_row_in_a_batch_apply_in_order(client, store_path):
    """The second update's previous value is the first one's result; each answer is the row as committed."""
    updates = [
        {"id": "TSK-00002", "previous": {"status": "Not Started"}, "changes": {"status": "In Progress"}},
        {"id": "TSK-00002", "previous": {"status": "In Progress"}, "changes": {"status": "Done"}},
    ]
    results = client.post("/v1/tables/ActivitiesTasks/rows/batch", json={"updates": updates}).json["results"]
    assert [r["row"]["status"] for r in results] == ["Done", "Done"]
    [record] = log(store_path)  # one net change
    assert record["changes"]["status"] == ["Not Started", "Done"]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"updates": "TSK-00001"},
        {"updates": []},
        {"updates": [{"id": "TSK-00001"}]},
        {"updates": [{"id": "TSK-00001", "changes": {}, "colour": 1}]},
        {"updates": [{"id": "TSK-00001", "changes": {}}] * 1001},
        {"updates": [], "extra": 1},
    ],
)
def test_a_malformed_batch_is_400_and_changes_nothing(client, store_path, body):
    before = store_path.read_bytes()
    response = client.post("/v1/tables/ActivitiesTasks/rows/batch", json=body)
    assert response.status_code == 400 and response.json["code"] == "bad_body", response.json
    assert store_path.read_bytes() == before


def test_a_batch_entry_with_changes_that_are_not_an_object_is_its_own_error(client):
    updates = [{"id": "TSK-00002", "changes": ["status", "Done"]}, {"id": "TSK-00001", "changes": {"priority": "Low"}}]
    results = client.post("/v1/tables/ActivitiesTasks/rows/batch", json={"updates": updates}).json["results"]
    assert results[0]["code"] == "bad_body" and results[1]["ok"]


# --- delete ----------------------------------------------------------------------------------


def test_delete_a_row_nothing_references(client, store_path):
    response = client.delete("/v1/tables/ActivitiesTasks/rows/TSK-00002")
    assert response.status_code == 200 and response.json == {
        "ok": True,
        "deleted": {"ActivitiesTasks": 1},
        "cleared": 0,
    }
    assert stored(store_path, "ActivitiesTasks", "TSK-00002") is None
    [record] = log(store_path)
    assert record["op"] == "delete" and record["changes"]["task_title"] == ["Prepare Q4 QBR deck", None]


def test_delete_of_a_referenced_row_is_409_listing_referrers_unless_cascade(client, store_path):
    before = store_path.read_bytes()
    response = client.delete("/v1/tables/AccountMaster/rows/ACC-00003")
    assert response.status_code == 409 and response.json["code"] == "still_referenced"
    assert "BusinessContext CTX-00003 (account)" in response.json["error"] and "more" in response.json["error"]
    assert "ActivitiesTasks TSK-00006 (account)" in response.json["errors"]["referenced_by"]  # up to 100 of them
    assert store_path.read_bytes() == before
    response = client.delete("/v1/tables/AccountMaster/rows/ACC-00003?cascade=true")
    assert response.status_code == 200 and response.json["deleted"]["AccountMaster"] == 1
    assert sum(response.json["deleted"].values()) > 1
    assert stored(store_path, "AccountMaster", "ACC-00003") is None


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/v1/tables/ActivitiesTasks/rows/TSK-99999", 404, "unknown_row"),
        ("/v1/tables/ActivitiesTasks/rows/TSK-00002?cascade=yes", 400, "bad_parameter"),
        ("/v1/tables/ActivitiesTasks/rows/TSK-00002?force=true", 400, "unknown_parameter"),
        ("/v1/tables/QuickStartGuide/rows/STEP-00001", 403, "read_only_table"),
    ],
)
def test_delete_refusals(client, store_path, path, status, code):
    before = store_path.read_bytes()
    response = client.delete(path)
    assert (response.status_code, response.json["code"]) == (status, code)
    assert store_path.read_bytes() == before


# --- tokens ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/v1/tables/ActivitiesTasks/rows", TASK),
        ("patch", "/v1/tables/ActivitiesTasks/rows/TSK-00002", {"status": "Done"}),
        ("post", "/v1/tables/ActivitiesTasks/rows/batch", {"updates": [{"id": "TSK-00002", "changes": {}}]}),
        ("delete", "/v1/tables/ActivitiesTasks/rows/TSK-00002", None),
    ],
)
def test_a_read_only_token_cannot_write(app, store_path, method, path, body):
    before = store_path.read_bytes()
    reader = app.test_client()
    reader.environ_base["HTTP_AUTHORIZATION"] = "Bearer read-token"
    response = getattr(reader, method)(path, json=body)
    assert response.status_code == 403 and response.json["code"] == "read_only_token"
    assert store_path.read_bytes() == before
    assert reader.get("/v1/tables/ActivitiesTasks/rows/TSK-00002").status_code == 200


def test_writes_need_a_token(app, store_path):
    before = store_path.read_bytes()
    response = app.test_client().post("/v1/tables/ActivitiesTasks/rows", json=TASK)
    assert response.status_code == 401 and store_path.read_bytes() == before


def test_a_bare_token_writes_under_its_position_name(store_path):
    app = create_app({"CSM_DATA": str(store_path), "CSM_TODAY": TODAY, "TESTING": True, "CSM_API_TOKENS": "t0"})
    client = authed(app)
    client.environ_base["HTTP_AUTHORIZATION"] = "Bearer t0"
    assert client.patch("/v1/tables/ActivitiesTasks/rows/TSK-00002", json={"priority": "Low"}).status_code == 200
    assert log(store_path)[-1]["source"] == "api:token1"


def test_the_batch_path_is_not_a_row(client):
    assert client.options("/v1/tables/ActivitiesTasks/rows/batch").json["methods"] == ["OPTIONS", "POST"]
    assert client.get("/v1/tables/ActivitiesTasks/rows/batch").status_code == 405
    assert client.patch("/v1/tables/ActivitiesTasks/rows/batch", json={}).status_code == 405


def test_reading_a_row_by_a_near_miss_id_suggests_the_right_one(client):
    response = client.get("/v1/tables/AccountMaster/rows/ACC-000001")
    assert response.status_code == 404 and "did you mean ACC-00001?" in response.json["error"]


# --- what an attack found -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("milestones", "where"),
    [
        ([1], "milestones.0._schema"),
        ([{}], "milestones.0.name"),  # an update may leave fields out, not an item's required parts
        ([{"name": "Go live", "status": "bogus"}], "milestones.0.status"),
    ],
)
def test_a_bad_list_item_is_a_400_naming_it_alone_or_in_a_batch(client, store_path, milestones, where):
    before = store_path.read_bytes()
    response = client.patch("/v1/tables/SuccessPlanTracker/rows/SPT-00001", json={"milestones": milestones})
    assert response.status_code == 400 and response.json["code"] == "invalid_row", response.get_data()
    assert where in response.json["error"] and "0" in response.json["errors"]["milestones"]
    assert store_path.read_bytes() == before
    updates = [
        {"id": "SPT-00001", "changes": {"notes": "checked"}},
        {"id": "SPT-00002", "changes": {"milestones": milestones}},
    ]
    response = client.post("/v1/tables/SuccessPlanTracker/rows/batch", json={"updates": updates})
    assert response.status_code == 200 and [r["ok"] for r in response.json["results"]] == [True, False]
    assert where in response.json["results"][1]["error"]


def test_nested_values_are_quoted_by_kind_not_echoed(client):
    deep: list = []
    for _ in range(20):
        deep = [deep]
    updates = [
        {"id": deep, "changes": {}},
        {"id": "TSK-00002", "previous": {"task_title": deep}, "changes": {"task_title": "new"}},
    ]
    response = client.post("/v1/tables/ActivitiesTasks/rows/batch", json={"updates": updates})
    assert response.status_code == 200, response.get_data()[:200]
    first, second = response.json["results"]
    assert first["code"] == "unknown_row" and "got a list" in first["error"]
    assert second["code"] == "conflict" and "not a list" in second["errors"]["task_title"][0]


def test_a_previous_value_of_a_derived_column_is_its_400_not_a_conflict(client):
    update = {"id": "TSK-00001", "previous": {"days_overdue": 5}, "changes": {"days_overdue": 0}}
    [result] = client.post("/v1/tables/ActivitiesTasks/rows/batch", json={"updates": [update]}).json["results"]
    assert result["code"] == "invalid_row" and "Derived field" in result["errors"]["days_overdue"][0]


def test_setting_an_empty_list_where_there_is_none_changes_nothing(client, store_path):
    seeded = client.get("/v1/tables/Initiatives/rows/INI-00002").json["row"]["linked_capabilities"]
    for value in ([], None, [], None):
        response = client.patch("/v1/tables/Initiatives/rows/INI-00002", json={"linked_capabilities": value})
        assert response.status_code == 200 and response.json["row"]["linked_capabilities"] == []
    assert len(log(store_path)) == (1 if seeded else 0), "only a real change is a new version"


def test_an_empty_string_clears_an_optional_reference(client, store_path):
    response = client.patch("/v1/tables/ActivitiesTasks/rows/TSK-00001", json={"owner": ""})
    assert response.status_code == 200 and response.json["row"]["owner"] is None


def test_a_huge_body_of_unknown_fields_gets_a_short_answer(client):
    body = {f"field{i}": i for i in range(20000)}
    response = client.post("/v1/tables/ActivitiesTasks/rows", json=body)
    assert response.status_code == 400 and len(response.get_data()) < 20_000
    assert response.json["errors"]["_more"] == ["and 19950 more fields"] or "_more" in response.json["errors"]


def test_a_key_given_twice_in_a_body_is_refused(client, store_path):
    before = store_path.read_bytes()
    body = b'{"status": "Done", "status": "Waiting"}'
    response = client.patch("/v1/tables/ActivitiesTasks/rows/TSK-00002", data=body, content_type="application/json")
    assert response.status_code == 400 and "'status' twice" in response.json["error"]
    assert store_path.read_bytes() == before


def test_a_row_moved_to_another_account_shows_in_both_timelines(client):
    assert client.patch("/v1/tables/ActivitiesTasks/rows/TSK-00002", json={"account": "ACC-00002"}).status_code == 200
    for account in ("ACC-00001", "ACC-00002"):
        [record] = client.get(f"/v1/changes?account={account}").json["changes"]
        assert record["id"] == "TSK-00002" and (record["account"], record["account_before"]) == (
            "ACC-00002",
            "ACC-00001",
        )


def test_a_chunked_body_over_the_limit_is_413_on_the_live_server(tmp_path, seeded_file):
    import shutil

    import requests

    from tests.helpers import free_port, start_service, stop_service, wait_ready

    shutil.copyfile(seeded_file, tmp_path / "csm.json")
    before = (tmp_path / "csm.json").read_bytes()
    env = {**__import__("os").environ, "CSM_DATA": str(tmp_path / "csm.json"), "CSM_API_TOKENS": "w=t"}
    port = free_port()
    proc = start_service(["serve", "--port", str(port), "--workers", "1"], env, tmp_path)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_ready(f"{base}/health", proc)
        chunks = (b'{"task_title": "' + b"x" * 65536 for _ in range(20))  # a generator: sent chunked
        response = requests.post(
            f"{base}/v1/tables/ActivitiesTasks/rows", data=chunks, headers={"Authorization": "Bearer t"}
        )
        assert response.status_code == 413 and response.json()["code"] == "request_entity_too_large"
        small = (part for part in (b'{"account": "ACC-00002", ', b'"task_title": "Chunked"}'))
        response = requests.post(
            f"{base}/v1/tables/ActivitiesTasks/rows", data=small, headers={"Authorization": "Bearer t"}
        )
        assert response.status_code == 201 and response.json()["row"]["task_title"] == "Chunked"
    finally:
        stop_service(proc)
    assert (tmp_path / "csm.json").read_bytes() != before


@pytest.mark.parametrize("depth", [33, 1000, 1023])
def test_a_body_nested_past_any_write_is_400_at_any_depth(client, store_path, depth):
    before = store_path.read_bytes()
    body = b'{"task_title":' + b"[" * depth + b"]" * depth + b"}"
    response = client.post("/v1/tables/ActivitiesTasks/rows", data=body, content_type="application/json")
    assert response.status_code == 400 and "nested more than 32 levels" in response.json["error"]
    assert store_path.read_bytes() == before


def test_an_answer_never_repeats_a_huge_key_or_id_in_full(client):
    key = "k" * 500_000
    for response in (
        client.patch("/v1/tables/ActivitiesTasks/rows/TSK-00002", json={key: 1}),
        client.post("/v1/tables/ActivitiesTasks/rows/batch", json={"updates": [{"id": key, "changes": {}}]}),
        client.post("/v1/actions/CompleteTask", json={"taskId": key}),
    ):
        assert response.status_code in (200, 400, 404) and len(response.get_data()) < 10_000, response.status_code


def test_a_milestone_seen_without_its_empty_keys_is_no_conflict(client):
    row = client.get("/v1/tables/SuccessPlanTracker/rows/SPT-00001").json["row"]
    seen = [{k: v for k, v in m.items() if v is not None} for m in row["milestones"]]  # Coda drops nulls
    changes = [*row["milestones"], {"name": "Extra check", "status": "Pending"}]
    update = {"id": "SPT-00001", "previous": {"milestones": seen}, "changes": {"milestones": changes}}
    [result] = client.post("/v1/tables/SuccessPlanTracker/rows/batch", json={"updates": [update]}).json["results"]
    assert result["ok"], result


def test_an_edit_that_only_drops_null_keys_changes_nothing(client, store_path):
    item = {"name": "A", "due_date": None, "status": "Pending", "priority": None, "owner": None}
    assert client.patch("/v1/tables/SuccessPlanTracker/rows/SPT-00001", json={"milestones": [item]}).status_code == 200
    before, logged = store_path.read_bytes(), len(log(store_path))
    same = [{"name": "A", "status": "Pending"}]  # what Coda hands back: nulls dropped
    update = {"id": "SPT-00001", "previous": {"milestones": same}, "changes": {"milestones": same}}
    [result] = client.post("/v1/tables/SuccessPlanTracker/rows/batch", json={"updates": [update]}).json["results"]
    assert result["ok"] and store_path.read_bytes() == before and len(log(store_path)) == logged


def test_adopting_an_older_commit_never_replaces_a_newer_snapshot(app, store_path):
    """Two writers' answers can adopt their commits out of order; the newer snapshot stays."""
    store, cache = app.extensions["csm.store"], app.extensions["csm.snapshots"]
    with store.transaction() as first:
        first.update("ActivitiesTasks", "TSK-00002", {"priority": "Low"})
    older = (dict(first.data), first.stat)
    with store.transaction() as second:
        second.update("ActivitiesTasks", "TSK-00002", {"priority": "High"})
    cache.adopt(second.data, second.stat)
    cache.adopt(*older)
    assert cache.current().version == second.version
    assert cache.current().rows("ActivitiesTasks").get("TSK-00002")["priority"] == "High"
