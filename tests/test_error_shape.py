"""One error shape everywhere: a 4xx with {ok, status, code, error[, errors]}, never HTML."""

from __future__ import annotations

import pytest

from tests.conftest import authed


def assert_error(response, status, code):
    assert response.status_code == status
    assert response.mimetype == "application/json"
    body = response.json
    assert body["ok"] is False and body["status"] == status and body["code"] == code
    assert isinstance(body["error"], str) and body["error"]
    assert set(body) <= {"ok", "status", "code", "error", "errors"}
    return body


def test_unknown_table(ro_client):
    body = assert_error(ro_client.get("/v1/tables/Accounts/rows"), 404, "unknown_table")
    assert "AccountMaster" in body["error"]
    assert_error(ro_client.get("/v1/tables/Accounts/schema"), 404, "unknown_table")
    assert_error(ro_client.get("/v1/tables/Accounts/rows/ACC-00001"), 404, "unknown_table")


@pytest.mark.parametrize("limit", ["0", "5000", "1001", "-1", "abc", "1.5", " 5"])
def test_bad_limit(ro_client, limit):
    body = assert_error(ro_client.get(f"/v1/tables/AccountMaster/rows?limit={limit}"), 400, "bad_limit")
    assert body["errors"] == {"limit": ["Must be a whole number from 1 to 1000."]}


def test_tampered_continuation(ro_client):
    token = ro_client.get("/v1/tables/EngagementLog/rows?limit=5").json["continuation"]
    flipped = token[:-3] + ("A" if token[-3] != "A" else "B") + token[-2:]
    for bad in (flipped, token[:-4], "garbage", "!!!", token + "x"):
        body = assert_error(
            ro_client.get(f"/v1/tables/EngagementLog/rows?limit=5&continuation={bad}"), 400, "bad_continuation"
        )
        assert "continuation" in body["errors"]


def test_continuation_of_another_table(ro_client):
    token = ro_client.get("/v1/tables/EngagementLog/rows?limit=5").json["continuation"]
    body = assert_error(ro_client.get(f"/v1/tables/RiskRegister/rows?continuation={token}"), 400, "bad_continuation")
    assert "EngagementLog" in body["error"]


def test_a_well_formed_token_for_an_old_version_is_a_conflict(ro_client):
    token = ro_client.application.extensions["csm.continuations"].encode("EngagementLog", 987654, 3)
    body = assert_error(ro_client.get(f"/v1/tables/EngagementLog/rows?continuation={token}"), 409, "data_changed")
    assert "start the sync again" in body["error"]


def test_unknown_row(ro_client):
    assert_error(ro_client.get("/v1/tables/AccountMaster/rows/ACC-99999"), 404, "unknown_row")
    assert_error(ro_client.get("/v1/tables/AccountMaster/rows/nonsense"), 404, "unknown_row")


def test_unknown_route_and_method(ro_client):
    assert_error(ro_client.get("/v2/whatever"), 404, "not_found")
    response = ro_client.post("/v1/tables")
    assert_error(response, 405, "method_not_allowed")
    assert "GET" in response.headers["Allow"]


def test_an_unexpected_error_is_json_not_a_traceback(app, monkeypatch):
    def boom():
        raise RuntimeError("secret internals")

    monkeypatch.setattr(app.extensions["csm.snapshots"], "current", boom)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    body = assert_error(authed(app).get("/v1/tables"), 500, "internal_error")
    assert "secret" not in body["error"]


@pytest.mark.parametrize("body", [{}, [1, 2], ["EngagementLog", "x", 1], "not a list"])
def test_a_signed_token_with_a_malformed_body_is_still_a_400(ro_client, body):
    token = ro_client.application.extensions["csm.continuations"].serializer.dumps(body)
    assert_error(ro_client.get(f"/v1/tables/EngagementLog/rows?continuation={token}"), 400, "bad_continuation")
