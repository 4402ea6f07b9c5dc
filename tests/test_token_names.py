"""Named tokens (`name=token`), read-only tokens (CSM_API_READ_TOKENS), and their start-up errors."""

from __future__ import annotations

import os

import pytest
from flask import g

from service import create_app
from service.auth import TokenCheck, ensure_token_file, token_file
from service.config import ConfigError, api_tokens
from service.jsonout import json_response
from tests.conftest import TODAY
from tests.helpers import free_port, run_serve

WRITER, READER, BARE = "w-secret-1234567890", "r-secret-1234567890", "bare-secret-1234567890"


@pytest.fixture(autouse=True)
def _no_tokens_from_the_environment(monkeypatch):
    for name in ("CSM_API_TOKENS", "CSM_API_READ_TOKENS"):
        monkeypatch.delenv(name, raising=False)


def make_app(store_path, **config):
    app = create_app({"CSM_DATA": str(store_path), "CSM_TODAY": TODAY, "TESTING": True, **config})

    def whoami():
        return json_response({"name": g.token_name, "can_write": g.can_write})

    app.add_url_rule("/v1/whoami", view_func=whoami, methods=["GET", "POST"])
    return app


@pytest.fixture
def app(store_path):
    return make_app(
        store_path,
        CSM_API_TOKENS=f"coda={WRITER}, {BARE}",
        CSM_API_READ_TOKENS=f"dashboard={READER}",
    )


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_named_and_bare_tokens_are_accepted_and_named_for_the_views(app):
    client = app.test_client()
    assert client.get("/v1/whoami", headers=bearer(WRITER)).json == {"name": "coda", "can_write": True}
    assert client.get("/v1/whoami", headers=bearer(BARE)).json == {"name": "token2", "can_write": True}
    assert client.get("/v1/whoami", headers=bearer(READER)).json == {"name": "dashboard", "can_write": False}
    assert client.post("/v1/whoami", headers=bearer(WRITER)).json == {"name": "coda", "can_write": True}
    # the name is not a token, and `name=token` is not one either
    for wrong in ("coda", f"coda={WRITER}", "token2", "dashboard"):
        assert client.get("/v1/whoami", headers=bearer(wrong)).status_code == 401


def test_bare_tokens_are_named_by_position_in_each_variable(store_path):
    app = make_app(store_path, CSM_API_TOKENS="aaa, b=bbb, ccc", CSM_API_READ_TOKENS="ddd,eee")
    client = app.test_client()
    names = {t: client.get("/v1/whoami", headers=bearer(t)).json["name"] for t in ("aaa", "bbb", "ccc", "ddd", "eee")}
    assert names == {"aaa": "token1", "bbb": "b", "ccc": "token3", "ddd": "read1", "eee": "read2"}


def test_the_token_file_token_is_named_default(store_path):
    token, _ = ensure_token_file(token_file(store_path))
    client = make_app(store_path, CSM_API_READ_TOKENS=f"viewer={READER}").test_client()
    assert client.get("/v1/whoami", headers=bearer(token)).json == {"name": "default", "can_write": True}
    assert client.get("/v1/whoami", headers=bearer(READER)).json == {"name": "viewer", "can_write": False}


WRITE_PATHS = [
    "/v1/tables/ActivitiesTasks/rows",
    "/v1/tables/ActivitiesTasks/rows/TSK-00001",
    "/v1/tables/ActivitiesTasks/rows/batch",
    "/v1/actions/CompleteTask",
    "/v1/tables",  # a route that takes no write at all: still 403 first, not 405
    "/v1/no-such-route",  # and no route at all: 403 before 404
]


@pytest.mark.parametrize("method", ["POST", "PATCH", "PUT", "DELETE"])
@pytest.mark.parametrize("path", WRITE_PATHS)
def test_a_read_token_cannot_write_anywhere_under_v1(app, store_path, method, path):
    before = store_path.read_bytes()
    response = app.test_client().open(path, method=method, headers=bearer(READER), json={"taskId": "TSK-00001"})
    assert response.status_code == 403, response.json
    body = response.json
    assert body == {"ok": False, "status": 403, "code": "read_only_token", "error": body["error"]}
    assert "read-only" in body["error"] and '"dashboard"' in body["error"] and method in body["error"]
    assert READER not in response.get_data(as_text=True)
    assert store_path.read_bytes() == before


@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS"])
def test_a_read_token_can_read(app, method):
    client = app.test_client()
    response = client.open("/v1/tables/ActivitiesTasks/rows?limit=2", method=method, headers=bearer(READER))
    assert response.status_code == 200
    if method == "GET":
        assert len(response.json["rows"]) == 2
    assert client.get("/v1/formulas/GetAccountHealth?accountName=Gard%20AS", headers=bearer(READER)).json["ok"]


def test_a_write_token_is_not_refused_as_read_only(app):
    response = app.test_client().post("/v1/tables/ActivitiesTasks/rows", headers=bearer(WRITER), json={})
    assert response.json.get("code") != "read_only_token"
    assert response.status_code != 403


def test_a_wrong_token_is_401_before_the_read_only_check(app):
    response = app.test_client().post("/v1/tables/ActivitiesTasks/rows", headers=bearer("nope"), json={})
    assert response.status_code == 401 and response.json["code"] == "unauthorized"


def test_read_tokens_alone_still_serve_reads(store_path):
    client = make_app(store_path, CSM_API_READ_TOKENS=READER).test_client()
    assert client.get("/v1/whoami", headers=bearer(READER)).json == {"name": "read1", "can_write": False}
    assert client.delete("/v1/tables/ActivitiesTasks/rows/TSK-00001", headers=bearer(READER)).status_code == 403


SECRET = "sup3r-secret-value-XYZ"

BAD_SETTINGS = [
    # (CSM_API_TOKENS, CSM_API_READ_TOKENS, expected words in the message)
    (f"ok={SECRET}2, bad name={SECRET}", None, ["CSM_API_TOKENS entry 2 is malformed"]),
    (f"{SECRET}=", None, ["CSM_API_TOKENS entry 1 is malformed"]),  # a bare token ending in '='
    (f"{SECRET}==", None, ["CSM_API_TOKENS entry 1 is malformed", "needs a name"]),
    (f"x={SECRET}, ={SECRET}2", None, ["CSM_API_TOKENS entry 2 is malformed"]),
    (f"{'n' * 41}={SECRET}", None, ["CSM_API_TOKENS entry 1 is malformed", "1-40"]),
    (f"naïve={SECRET}", None, ["CSM_API_TOKENS entry 1 is malformed"]),
    (None, f"ro={SECRET}, ro2=", ["CSM_API_READ_TOKENS entry 2 is malformed", "no token after its '='"]),
    (f"coda={SECRET}, coda={SECRET}2", None, ['CSM_API_TOKENS entry 2 is named "coda" like CSM_API_TOKENS entry 1']),
    (f"coda={SECRET}", f"coda={SECRET}2", ['CSM_API_READ_TOKENS entry 1 is named "coda" like CSM_API_TOKENS entry 1']),
    (f"{SECRET}2, token1={SECRET}", None, ['CSM_API_TOKENS entry 2 is named "token1" like CSM_API_TOKENS entry 1']),
    (f"a={SECRET}, b={SECRET}", None, ['CSM_API_TOKENS entry 2 ("b") repeats the token of CSM_API_TOKENS entry 1']),
    (f"a={SECRET}", SECRET, ['CSM_API_READ_TOKENS entry 1 ("read1") repeats the token of CSM_API_TOKENS entry 1']),
    (" , ", None, ["CSM_API_TOKENS is set but holds no token"]),  # not silently "unset"
    (f"a={SECRET}", ",", ["CSM_API_READ_TOKENS is set but holds no token"]),
]


@pytest.mark.parametrize(("writers", "readers", "words"), BAD_SETTINGS)
def test_bad_token_settings_are_start_up_errors_that_never_show_a_token(store_path, writers, readers, words):
    config = {k: v for k, v in (("CSM_API_TOKENS", writers), ("CSM_API_READ_TOKENS", readers)) if v is not None}
    with pytest.raises(ConfigError) as caught:
        make_app(store_path, **config)
    message = str(caught.value)
    for word in words:
        assert word in message
    assert SECRET not in message and SECRET[:8] not in message
    assert "\n" not in message


def test_a_read_token_equal_to_the_token_file_token_is_refused(store_path):
    token, _ = ensure_token_file(token_file(store_path))
    with pytest.raises(ConfigError, match=r"CSM_API_READ_TOKENS entry 1 \(\"read1\"\) repeats the token of the token"):
        make_app(store_path, CSM_API_READ_TOKENS=token)


def test_tokens_are_read_from_the_environment(store_path, monkeypatch):
    monkeypatch.setenv("CSM_API_TOKENS", f"ci={WRITER}")
    monkeypatch.setenv("CSM_API_READ_TOKENS", f"bi={READER}")
    client = make_app(store_path).test_client()
    assert client.get("/v1/whoami", headers=bearer(WRITER)).json == {"name": "ci", "can_write": True}
    assert client.post("/v1/whoami", headers=bearer(READER)).json["code"] == "read_only_token"
    assert [(t.name, t.can_write) for t in api_tokens({}, list)] == [("ci", True), ("bi", False)]


def test_a_token_never_shows_in_its_repr():
    (entry,) = api_tokens({"CSM_API_TOKENS": f"ci={SECRET}"}, list)
    assert SECRET not in repr(entry) and "ci" in repr(entry)


def test_every_token_is_compared_whichever_matches(monkeypatch):
    """No early exit: the first, the last and no token at all cost the same number of comparisons."""
    check = TokenCheck(api_tokens({"CSM_API_TOKENS": "a=one,b=two,c=three", "CSM_API_READ_TOKENS": "d=four"}, list))
    calls = []
    import hmac

    real = hmac.compare_digest
    monkeypatch.setattr("service.auth.hmac.compare_digest", lambda x, y: calls.append(1) or real(x, y))
    for token, name in (("one", "a"), ("four", "d"), ("five", None)):
        calls.clear()
        match = check.match(token)
        assert (match.name if match else None) == name
        assert len(calls) == 4


def test_serve_refuses_a_malformed_token_setting_in_one_line_without_the_token(tmp_path):
    env = {**os.environ, "CSM_TODAY": TODAY, "CSM_API_TOKENS": f"good={WRITER}", "CSM_API_READ_TOKENS": f"x y={SECRET}"}
    env.pop("CSM_DATA", None)
    result = run_serve(["--port", str(free_port())], env, tmp_path)
    assert result.returncode == 1, result
    assert "Traceback" not in result.stderr and result.stdout == ""
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("Error: CSM_API_READ_TOKENS entry 1 is malformed")
    assert SECRET not in result.stderr and WRITER not in result.stderr
    assert not (tmp_path / "instance").exists()


def test_serve_refuses_a_duplicate_token_across_the_variables(tmp_path):
    env = {**os.environ, "CSM_TODAY": TODAY, "CSM_API_TOKENS": f"a={SECRET}", "CSM_API_READ_TOKENS": f"b={SECRET}"}
    env.pop("CSM_DATA", None)
    result = run_serve(["--host", "0.0.0.0", "--port", str(free_port())], env, tmp_path)
    assert result.returncode == 1
    assert 'Error: CSM_API_READ_TOKENS entry 1 ("b") repeats the token of CSM_API_TOKENS entry 1 ("a")' in result.stderr
    assert SECRET not in result.stderr
