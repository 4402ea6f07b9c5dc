"""Bearer tokens on every /v1 route; /health open; 401 in the standard error shape."""

from __future__ import annotations

import pytest

from service import create_app
from service.auth import TokenCheck, configured_tokens, ensure_token_file, parse_tokens, token_file
from service.openapi import openapi_document

V1_PATHS = [p.replace("{id}", "ACC-00001") for p in openapi_document()["paths"] if p.startswith("/v1")]


def app_with(store_path, **config):
    return create_app({"CSM_DATA": str(store_path), "CSM_TODAY": "2026-11-20", "TESTING": True, **config})


@pytest.fixture
def anon(store_path):
    return app_with(store_path, CSM_API_TOKENS="alpha, beta").test_client()


@pytest.mark.parametrize("path", V1_PATHS)
@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Bearer ", "Basic YWxwaGE6", "Bearer alpha2", "Bearer ALPHA", "alpha", "Token alpha"],
)
def test_every_v1_route_needs_a_valid_token(anon, path, header):
    headers = {"Authorization": header} if header is not None else {}
    response = anon.get(path, headers=headers)
    assert response.status_code == 401
    body = response.json
    assert body["ok"] is False and body["status"] == 401 and body["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="csm-cockpit"'


@pytest.mark.parametrize("token", ["alpha", "beta"])
def test_any_configured_token_works_and_the_scheme_is_case_insensitive(anon, token):
    assert anon.get("/v1/tables", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert anon.get("/v1/tables", headers={"Authorization": f"bearer {token}"}).status_code == 200


def test_health_needs_no_token(anon):
    body = anon.get("/health").json
    assert body["ok"] is True and body["row_counts"]["AccountMaster"] == 4 and isinstance(body["data_version"], int)


def test_unknown_routes_under_v1_are_401_before_404(anon):
    assert anon.get("/v1/nothing").status_code == 401


def test_no_tokens_configured_means_nothing_under_v1_is_served(store_path, monkeypatch):
    monkeypatch.delenv("CSM_API_TOKENS", raising=False)
    client = app_with(store_path).test_client()
    response = client.get("/v1/tables", headers={"Authorization": "Bearer anything"})
    assert response.status_code == 401
    assert response.json["error"] == "No API tokens are configured on the server; set CSM_API_TOKENS."


def test_tokens_come_from_the_environment_or_the_token_file(store_path, monkeypatch):
    monkeypatch.setenv("CSM_API_TOKENS", " one ,two,, ")
    assert [(t.name, t.token) for t in configured_tokens({"CSM_DATA": str(store_path)})] == [
        ("token1", "one"),
        ("token2", "two"),
    ]
    monkeypatch.delenv("CSM_API_TOKENS")
    assert configured_tokens({"CSM_DATA": str(store_path)}) == []
    token, created = ensure_token_file(token_file(store_path))
    assert created and [(t.name, t.token) for t in configured_tokens({"CSM_DATA": str(store_path)})] == [
        ("default", token)
    ]
    assert ensure_token_file(token_file(store_path)) == (token, False)
    client = app_with(store_path).test_client()
    assert client.get("/v1/tables", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_token_check_is_exact():
    check = TokenCheck(parse_tokens("s3cret,other"))
    assert check.accepts("s3cret") and check.accepts("other")
    for wrong in ("s3cre", "s3cret ", "S3CRET", "", "s3cret,other"):
        assert not check.accepts(wrong)
    assert not TokenCheck([])


def test_tokens_never_reach_the_log(anon, caplog):
    caplog.set_level("INFO", logger="csm")
    anon.get("/v1/tables?limit=5", headers={"Authorization": "Bearer alpha"})
    anon.get("/v1/tables", headers={"Authorization": "Bearer wrong-secret"})
    text = caplog.text
    assert "GET /v1/tables?limit 400" in text or "GET /v1/tables?limit" in text
    assert "alpha" not in text and "wrong-secret" not in text
