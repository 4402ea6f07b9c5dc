"""`POST /v1/actions/<Name>`: the pack's four actions, their effect on the store and on the
derived columns, and every way to get one wrong (refused by name, the store unchanged)."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemas import get_table
from schemas.pack_actions import PACK_ACTIONS
from seed import initial_data
from service import create_app
from service.actions import COLUMNS, HANDLERS
from service.store import Store
from tests.conftest import TODAY, TOKEN, authed


@pytest.fixture(scope="module")
def shared_store_client(seeded_file, tmp_path_factory):
    """One app and store for the property test (its examples share them: valid ones write)."""
    path = tmp_path_factory.mktemp("actions") / "csm.json"
    shutil.copyfile(seeded_file, path)
    app = create_app({"CSM_DATA": str(path), "CSM_TODAY": TODAY, "TESTING": True, "CSM_API_TOKENS": TOKEN})
    return authed(app), Store(path, initial=initial_data)


def act(client, name, body, **kwargs):
    return client.post(f"/v1/actions/{name}", json=body, **kwargs)


def stored(store, table, row_id):
    with store.transaction() as tx:
        return tx.get(table, row_id)


def stored_rows(store, table):
    with store.transaction() as tx:
        return tx.rows(table)


def served(client, table, row_id):
    return client.get(f"/v1/tables/{table}/rows/{row_id}").json["row"]


def test_every_declared_action_is_handled_and_maps_every_parameter():
    assert set(HANDLERS) == {a.name for a in PACK_ACTIONS}
    for action in PACK_ACTIONS:
        assert {p.name for p in action.params} - {"metricName"} == set(COLUMNS[action.name])


# --- LogEngagement ------------------------------------------------------------------------------


def test_log_engagement_inserts_the_row_and_moves_the_account(client, store):
    before = served(client, "AccountMaster", "ACC-00004")
    assert before["last_engagement_date"] == "2026-11-08"
    response = act(
        client,
        "LogEngagement",
        {
            "accountName": "  gard   as ",
            "engagementType": "QBR",
            "sentiment": "Very Positive",
            "relationshipDepthScore": 10,
        },
    )
    assert response.status_code == 200, response.json
    row = response.json["row"]
    assert response.json["ok"] is True and row["engagement_id"].startswith("ENG-")
    assert row["account"] == {"account_id": "ACC-00004", "account_name": "Gard AS"}
    assert row["engagement_date"] == TODAY and row["engagement_title"] == f"QBR · {TODAY}"  # derived, served
    kept = stored(store, "EngagementLog", row["engagement_id"])
    assert kept["account"] == "ACC-00004" and kept["engagement_date"] == TODAY
    assert kept["sentiment"] == "Very Positive" and kept["relationship_depth_score"] == 10
    after = served(client, "AccountMaster", "ACC-00004")
    assert after["last_engagement_date"] == TODAY
    assert after["stakeholder_engagement"] > before["stakeholder_engagement"]
    assert after["next_engagement_due"] > before["next_engagement_due"]
    assert after["engagement_cadence_status"] == "On Track"


def test_log_engagement_with_every_parameter_and_by_account_id(client, store):
    body = {
        "accountName": "ACC-00003",
        "engagementType": "Workshop",
        "sentiment": "Concerned",
        "engagementDate": "2026-11-01",
        "relationshipDepthScore": 4,
        "notes": "Latency worries.",
        "nextEngagementDate": "2026-12-01",
    }
    row = act(client, "LogEngagement", body).json["row"]
    kept = stored(store, "EngagementLog", row["engagement_id"])
    assert {k: kept[k] for k in ("engagement_date", "notes", "next_engagement_date", "engagement_type")} == {
        "engagement_date": "2026-11-01",
        "notes": "Latency worries.",
        "next_engagement_date": "2026-12-01",
        "engagement_type": "Workshop",
    }


def test_optional_parameters_may_be_null_or_empty(client, store):
    body = {"accountName": "Gard AS", "engagementType": "Training", "sentiment": "Neutral"}
    response = act(
        client, "LogEngagement", {**body, "engagementDate": None, "notes": "", "relationshipDepthScore": None}
    )
    assert response.status_code == 200, response.json
    kept = stored(store, "EngagementLog", response.json["row"]["engagement_id"])
    assert (
        kept["engagement_date"] == TODAY and kept.get("notes") is None and kept.get("relationship_depth_score") is None
    )


# --- CreateTask ---------------------------------------------------------------------------------


def test_create_task_defaults_the_owner_to_the_accounts_csm(client, store):
    response = act(client, "CreateTask", {"accountName": "HealthTech Solutions", "taskTitle": "Plan the HL7 fix"})
    assert response.status_code == 200, response.json
    row = response.json["row"]
    assert row["owner"] == {"person_id": "PER-00005", "full_name": "James Okafor"}
    kept = stored(store, "ActivitiesTasks", row["task_id"])
    assert kept["source"] == "Manual" and kept["priority"] == "Medium" and kept["status"] == "Not Started"
    assert kept["account"] == "ACC-00003" and kept["owner"] == "PER-00005"


@pytest.mark.parametrize("owner", ["Lisa Martinez", "  lisa MARTINEZ ", "PER-00003"])
def test_create_task_with_an_owner_by_name_or_id(client, store, owner):
    body = {
        "accountName": "acme financial services",
        "taskTitle": "Renewal prep",
        "dueDate": "2026-11-10",
        "priority": "High",
        "taskType": "Renewal",
        "ownerName": owner,
        "description": "Pricing review.",
    }
    row = act(client, "CreateTask", body).json["row"]
    assert row["owner"]["person_id"] == "PER-00003"
    assert row["is_overdue"] is True and row["days_overdue"] == 10  # derived from the due date and today
    kept = stored(store, "ActivitiesTasks", row["task_id"])
    assert (kept["due_date"], kept["priority"], kept["task_type"], kept["description"]) == (
        "2026-11-10",
        "High",
        "Renewal",
        "Pricing review.",
    )


def test_create_task_without_a_csm_leaves_the_owner_empty(client, store):
    with store.transaction() as tx:
        tx.update("AccountMaster", "ACC-00002", {"customer_success_manager": None})
    row = act(client, "CreateTask", {"accountName": "Nordic Logistics Group", "taskTitle": "Find a CSM"}).json["row"]
    assert row["owner"] is None


def test_a_name_two_people_share_is_a_409_listing_them(client, store):
    with store.transaction() as tx:
        tx.insert("PeopleTeam", {"full_name": "Sarah Chen", "email": "sarah.chen2@example.com", "role": "AE"})
    before = store.path.read_bytes()
    response = act(client, "CreateTask", {"accountName": "Gard AS", "taskTitle": "x", "ownerName": "sarah chen"})
    assert response.status_code == 409 and response.json["code"] == "ambiguous_person"
    assert "PER-00001" in response.json["error"] and "PER-00006" in response.json["error"]
    assert list(response.json["errors"]) == ["ownerName"]
    assert store.path.read_bytes() == before


# --- CompleteTask -------------------------------------------------------------------------------


def test_complete_task_marks_it_done_today(client, store):
    assert served(client, "ActivitiesTasks", "TSK-00001")["is_overdue"] is True
    response = act(client, "CompleteTask", {"taskId": "TSK-00001"})
    assert response.status_code == 200, response.json
    row = response.json["row"]
    assert row["task_id"] == "TSK-00001" and row["status"] == "Done" and row["completed_date"] == TODAY
    assert row["is_overdue"] is False
    kept = stored(store, "ActivitiesTasks", "TSK-00001")
    assert kept["status"] == "Done" and kept["completed_date"] == TODAY


def test_completing_a_done_task_leaves_it_alone(client, store):
    done = stored(store, "ActivitiesTasks", "TSK-00003")
    assert done["status"] == "Done"
    before = store.path.read_bytes()
    response = act(client, "CompleteTask", {"taskId": "TSK-00003"})
    assert response.status_code == 200 and response.json["row"]["completed_date"] == done.get("completed_date")
    assert store.path.read_bytes() == before


# --- RecordMetricValue --------------------------------------------------------------------------


def metric_history(store, metric_id):
    return sorted(
        (r["value_date"], r["value"]) for r in stored_rows(store, "MetricHistory") if r["metric"] == metric_id
    )


def test_record_metric_value_sets_it_and_adds_todays_history(client, store):
    history = metric_history(store, "MET-00001")
    assert served(client, "PlatformHealthMetrics", "MET-00001")["health_status"].endswith("On Track")
    response = act(
        client,
        "RecordMetricValue",
        {"accountName": "Acme Financial Services", "metricName": "p95 api latency", "value": 500},
    )
    assert response.status_code == 200, response.json
    row = response.json["row"]
    assert row["metric_id"] == "MET-00001" and row["current_value"] == 500
    assert row["health_status"].endswith("Critical") and row["alert_status"].endswith("Urgent")  # derived, worse
    assert stored(store, "PlatformHealthMetrics", "MET-00001")["current_value"] == 500
    assert metric_history(store, "MET-00001") == [*history, (TODAY, 500)]
    # a second value the same day replaces the first
    act(client, "RecordMetricValue", {"accountName": "ACC-00001", "metricName": "P95 API Latency", "value": 175.5})
    assert metric_history(store, "MET-00001") == [*history, (TODAY, 175.5)]
    assert stored(store, "PlatformHealthMetrics", "MET-00001")["current_value"] == 175.5


def test_an_older_value_goes_into_history_without_rewinding_the_metric(client, store):
    history = metric_history(store, "MET-00001")
    body = {"accountName": "ACC-00001", "metricName": "P95 API Latency", "value": 999, "valueDate": "2026-11-03"}
    response = act(client, "RecordMetricValue", body)
    assert response.status_code == 200 and response.json["row"]["current_value"] == 180
    assert metric_history(store, "MET-00001") == sorted([*history, ("2026-11-03", 999)])
    assert stored(store, "PlatformHealthMetrics", "MET-00001")["current_value"] == 180


def test_the_metric_is_the_one_on_that_account(client, store):
    body = {"accountName": "Gard AS", "metricName": "API Security Policy Coverage", "value": 95}
    row = act(client, "RecordMetricValue", body).json["row"]
    assert row["metric_id"] == "MET-00015" and row["account"]["account_id"] == "ACC-00004"
    assert stored(store, "PlatformHealthMetrics", "MET-00003")["current_value"] == 88  # Acme's, untouched


# --- refusals -----------------------------------------------------------------------------------

ENGAGEMENT = {"accountName": "Gard AS", "engagementType": "QBR", "sentiment": "Positive"}
METRIC = {"accountName": "Gard AS", "metricName": "Quotes Issued Same Day", "value": 80}

REFUSALS = [
    # (action, body, status, code, the parameter named in `errors`)
    ("LogEngagement", {**ENGAGEMENT, "accountName": "Gard"}, 404, "unknown_account", "accountName"),
    ("LogEngagement", {**ENGAGEMENT, "accountName": "ACC-00099"}, 404, "unknown_account", "accountName"),
    ("LogEngagement", {**ENGAGEMENT, "accountName": "  "}, 400, "missing_parameter", "accountName"),
    ("LogEngagement", {**ENGAGEMENT, "accountName": None}, 400, "missing_parameter", "accountName"),
    ("LogEngagement", {"accountName": "Gard AS", "sentiment": "Positive"}, 400, "missing_parameter", "engagementType"),
    ("LogEngagement", {**ENGAGEMENT, "accountName": 4}, 400, "invalid_parameter", "accountName"),
    ("LogEngagement", {**ENGAGEMENT, "engagementType": "Lunch"}, 400, "invalid_parameter", "engagementType"),
    ("LogEngagement", {**ENGAGEMENT, "sentiment": ["Positive"]}, 400, "invalid_parameter", "sentiment"),
    ("LogEngagement", {**ENGAGEMENT, "engagementDate": "2026-11-21"}, 400, "invalid_parameter", "engagementDate"),
    ("LogEngagement", {**ENGAGEMENT, "engagementDate": "20/11/2026"}, 400, "invalid_parameter", "engagementDate"),
    ("LogEngagement", {**ENGAGEMENT, "engagementDate": "2026-02-30"}, 400, "invalid_parameter", "engagementDate"),
    ("LogEngagement", {**ENGAGEMENT, "engagementDate": "1066-10-14"}, 400, "invalid_parameter", "engagementDate"),
    ("LogEngagement", {**ENGAGEMENT, "engagementDate": 20261120}, 400, "invalid_parameter", "engagementDate"),
    ("LogEngagement", {**ENGAGEMENT, "relationshipDepthScore": 11}, 400, "invalid_parameter", "relationshipDepthScore"),
    (
        "LogEngagement",
        {**ENGAGEMENT, "relationshipDepthScore": 7.5},
        400,
        "invalid_parameter",
        "relationshipDepthScore",
    ),
    (
        "LogEngagement",
        {**ENGAGEMENT, "relationshipDepthScore": "7"},
        400,
        "invalid_parameter",
        "relationshipDepthScore",
    ),
    (
        "LogEngagement",
        {**ENGAGEMENT, "relationshipDepthScore": True},
        400,
        "invalid_parameter",
        "relationshipDepthScore",
    ),
    ("LogEngagement", {**ENGAGEMENT, "nextEngagementDate": "soon"}, 400, "invalid_parameter", "nextEngagementDate"),
    ("LogEngagement", {**ENGAGEMENT, "account": "Gard AS"}, 400, "unknown_parameter", "account"),
    ("CreateTask", {"accountName": "Gard AS"}, 400, "missing_parameter", "taskTitle"),
    (
        "CreateTask",
        {"accountName": "Gard AS", "taskTitle": "x", "priority": "Urgent"},
        400,
        "invalid_parameter",
        "priority",
    ),
    (
        "CreateTask",
        {"accountName": "Gard AS", "taskTitle": "x", "taskType": "Nap"},
        400,
        "invalid_parameter",
        "taskType",
    ),
    (
        "CreateTask",
        {"accountName": "Gard AS", "taskTitle": "x", "ownerName": "Sara Chen"},
        404,
        "unknown_person",
        "ownerName",
    ),
    (
        "CreateTask",
        {"accountName": "Gard AS", "taskTitle": "x", "ownerName": "PER-00099"},
        404,
        "unknown_person",
        "ownerName",
    ),
    (
        "CreateTask",
        {"accountName": "Gard AS", "taskTitle": "x", "dueDate": "tomorrow"},
        400,
        "invalid_parameter",
        "dueDate",
    ),
    ("CreateTask", {"accountName": "Gard AS", "taskTitle": "x" * 10_000}, 400, "invalid_parameter", "taskTitle"),
    ("CompleteTask", {}, 400, "missing_parameter", "taskId"),
    ("CompleteTask", {"taskId": "TSK-00101"}, 404, "unknown_row", "taskId"),
    ("CompleteTask", {"taskId": "tsk-1"}, 404, "unknown_row", "taskId"),
    ("CompleteTask", {"taskId": "ACC-00001"}, 404, "unknown_row", "taskId"),
    ("CompleteTask", {"taskId": 1}, 400, "invalid_parameter", "taskId"),
    ("CompleteTask", {"taskId": "TSK-00001", "completedDate": TODAY}, 400, "unknown_parameter", "completedDate"),
    ("RecordMetricValue", {**METRIC, "metricName": "P95 API Latency"}, 404, "unknown_metric", "metricName"),  # Acme's
    ("RecordMetricValue", {**METRIC, "value": "80"}, 400, "invalid_parameter", "value"),
    ("RecordMetricValue", {**METRIC, "value": False}, 400, "invalid_parameter", "value"),
    ("RecordMetricValue", {**METRIC, "value": None}, 400, "missing_parameter", "value"),
    ("RecordMetricValue", {**METRIC, "valueDate": "2027-01-01"}, 400, "invalid_parameter", "valueDate"),
    ("RecordMetricValue", {**METRIC, "accountName": "Nowhere Ltd"}, 404, "unknown_account", "accountName"),
]


@pytest.mark.parametrize(("name", "body", "status", "code", "param"), REFUSALS)
def test_a_refused_action_names_the_parameter_and_changes_nothing(client, store, name, body, status, code, param):
    before = store.path.read_bytes()
    response = act(client, name, body)
    assert response.status_code == status, response.json
    payload = response.json
    assert payload["ok"] is False and payload["status"] == status and payload["code"] == code
    assert param in payload["errors"] and all(isinstance(m, str) for m in payload["errors"][param])
    assert param in payload["error"] or status == 404 or code == "ambiguous_person"
    assert "\n" not in payload["error"]
    assert store.path.read_bytes() == before


def test_several_bad_parameters_are_named_together(client, store):
    response = act(client, "CreateTask", {"accountName": "Gard AS", "dueDate": "x", "priority": 3})
    assert response.status_code == 400 and response.json["code"] == "invalid_parameter"
    assert set(response.json["errors"]) == {"taskTitle", "dueDate", "priority"}


def test_an_unknown_account_suggests_the_closest(client):
    body = act(client, "LogEngagement", {**ENGAGEMENT, "accountName": "Acme Financial"}).json
    assert "Did you mean 'Acme Financial Services'?" in body["error"]


def test_an_unknown_metric_suggests_the_closest_on_that_account(client):
    body = act(client, "RecordMetricValue", {**METRIC, "metricName": "quotes issued same-day"}).json
    assert body["code"] == "unknown_metric" and "Did you mean 'Quotes Issued Same Day'?" in body["error"]


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        ("[1, 2]", "application/json"),
        ('"LogEngagement"', "application/json"),
        ("null", "application/json"),
        ("{not json", "application/json"),
        ("", "application/json"),
        ("accountName=Gard", "application/x-www-form-urlencoded"),
        ('{"accountName": "Gard AS", "metricName": "Quotes Issued Same Day", "value": NaN}', "application/json"),
        ('{"accountName": "Gard AS", "metricName": "Quotes Issued Same Day", "value": 1e400}', "application/json"),
    ],
)
def test_a_body_that_is_not_a_json_object_is_a_400(client, store, data, content_type):
    """Not JSON, not an object, or numbers JSON cannot carry (NaN, a number too large for a double)."""
    before = store.path.read_bytes()
    response = client.post("/v1/actions/LogEngagement", data=data, content_type=content_type)
    assert response.status_code == 400 and response.json["code"] == "bad_body"
    assert store.path.read_bytes() == before


def test_an_unknown_action_is_a_404_whatever_the_body(client, store):
    before = store.path.read_bytes()
    for data in ("{}", "not json"):
        response = client.post("/v1/actions/DeleteEverything", data=data, content_type="application/json")
        assert response.status_code == 404 and response.json["code"] == "unknown_action"
        assert "LogEngagement, CreateTask, CompleteTask, RecordMetricValue" in response.json["error"]
    assert store.path.read_bytes() == before


def test_query_parameters_are_refused(client):
    response = client.post("/v1/actions/CompleteTask?taskId=TSK-00001", json={"taskId": "TSK-00001"})
    assert response.status_code == 400 and response.json["errors"] == {"taskId": ["Unknown parameter."]}


def test_actions_are_posts(client):
    assert client.get("/v1/actions/CompleteTask").status_code == 405


def test_a_body_over_the_limit_is_a_413(client, store):
    before = store.path.read_bytes()
    body = {"accountName": "Gard AS", "taskTitle": "x", "description": "y" * (1024 * 1024)}
    response = act(client, "CreateTask", body)
    assert response.status_code == 413 and response.json["ok"] is False
    assert store.path.read_bytes() == before


def test_a_read_only_token_cannot_act_and_no_token_is_a_401(store_path, store):
    app = create_app(
        {
            "CSM_DATA": str(store_path),
            "CSM_TODAY": TODAY,
            "TESTING": True,
            "CSM_API_TOKENS": TOKEN,
            "CSM_API_READ_TOKENS": "viewer=read-only-secret",
        }
    )
    before = store.path.read_bytes()
    client = app.test_client()
    response = act(
        client, "CompleteTask", {"taskId": "TSK-00001"}, headers={"Authorization": "Bearer read-only-secret"}
    )
    assert response.status_code == 403 and response.json["code"] == "read_only_token"
    assert act(client, "CompleteTask", {"taskId": "TSK-00001"}).status_code == 401
    assert store.path.read_bytes() == before


# --- anything a client can send -----------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
    | st.sampled_from(["Gard AS", "ACC-00001", "TSK-00001", "QBR", "Positive", "2026-11-19", "P95 API Latency"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)


GOOD = {
    "accountName": st.sampled_from(["Gard AS", "acme financial services", "ACC-00003", "Nowhere"]),
    "metricName": st.sampled_from(["Quotes Issued Same Day", "P95 API Latency", "api security policy coverage"]),
    "taskId": st.sampled_from(["TSK-00001", "TSK-00003", "TSK-00101", "tsk-2"]),
    "ownerName": st.sampled_from(["Sarah Chen", "PER-00002", "Nobody"]),
}


def value_for(param) -> st.SearchStrategy:
    if param.name in GOOD:
        good = GOOD[param.name]
    elif param.options:
        good = st.sampled_from(param.options)
    elif param.kind == "number":
        good = st.integers(-5, 15) | st.floats(-1e6, 1e6)
    elif param.kind == "date":
        good = st.dates().map(str)
    else:
        good = st.text(max_size=30)
    # mostly plausible values, so that many actions succeed and the checks past the types are reached
    return st.integers(0, 3).flatmap(lambda i: good if i else JSON_VALUES)


def action_bodies(action) -> st.SearchStrategy:
    optional = {p.name: value_for(p) for p in action.params}
    return st.tuples(st.just(action.name), st.fixed_dictionaries({}, optional=optional))


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(call=st.sampled_from(PACK_ACTIONS).flatmap(action_bodies))
def test_any_body_is_answered_in_the_error_shape_or_written(shared_store_client, call):
    name, body = call
    client, store = shared_store_client
    before = store.path.read_bytes()
    response = act(client, name, body)
    assert response.status_code in (200, 400, 404, 409), response.json
    payload = response.json
    if response.status_code == 200:
        table = get_table(next(a.table for a in PACK_ACTIONS if a.name == name))
        row_id = payload["row"][table.id_key]  # the row of the table the action declares
        assert payload["ok"] is True and table.id_number(row_id)
        number = str(table.id_number(row_id))
        assert Store(store.path).read()[0][table.name][number][table.id_key] == row_id, "and it is stored"
    else:
        assert payload["ok"] is False and payload["errors"] and "\n" not in payload["error"]
        assert store.path.read_bytes() == before


# --- "today" is the doc's -----------------------------------------------------------------------


@pytest.fixture
def clock_client(store_path):
    """A service on the real clock (CSM_TODAY unset), where the pack's X-CSM-Today counts."""
    app = create_app({"CSM_DATA": str(store_path), "CSM_TODAY": None, "TESTING": True, "CSM_API_TOKENS": TOKEN})
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {TOKEN}"
    return client


def test_a_doc_a_day_ahead_of_utc_logs_and_completes_on_its_own_today(clock_client):
    utc_today = dt.datetime.now(dt.UTC).date()
    doc_today = (utc_today + dt.timedelta(days=1)).isoformat()  # Auckland, in the afternoon UTC
    headers = {"X-CSM-Today": doc_today}
    body = {"accountName": "Gard AS", "engagementType": "QBR", "sentiment": "Positive", "engagementDate": doc_today}
    response = clock_client.post("/v1/actions/LogEngagement", json=body, headers=headers)
    assert response.status_code == 200 and response.json["row"]["engagement_date"] == doc_today
    del body["engagementDate"]
    assert clock_client.post("/v1/actions/LogEngagement", json=body, headers=headers).json["row"][
        "engagement_date"
    ] == (doc_today)
    done = clock_client.post("/v1/actions/CompleteTask", json={"taskId": "TSK-00002"}, headers=headers)
    assert done.json["row"]["completed_date"] == doc_today


@pytest.mark.parametrize("value", ["2026-13-01", "tomorrow", "1999-01-01"])
def test_a_doc_date_far_from_the_services_is_refused(clock_client, store_path, value):
    before = store_path.read_bytes()
    response = clock_client.post(
        "/v1/actions/CompleteTask", json={"taskId": "TSK-00002"}, headers={"X-CSM-Today": value}
    )
    assert (
        response.status_code == 400
        and response.json["code"] == "bad_header"
        and "X-CSM-Today" in response.json["errors"]
    )
    assert store_path.read_bytes() == before


def test_a_pinned_today_wins_over_the_docs(client):
    response = client.post(
        "/v1/actions/CompleteTask", json={"taskId": "TSK-00002"}, headers={"X-CSM-Today": "1999-01-01"}
    )
    assert response.status_code == 200 and response.json["row"]["completed_date"] == TODAY
