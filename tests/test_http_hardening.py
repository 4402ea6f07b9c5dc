"""Hardening of the HTTP surface, as classes of problem rather than single examples.

- The request log escapes everything a client controls, so no request can forge a log line.
- A query parameter given twice is a 400 on every endpoint.
- Every answer under /v1 and /health is JSON, for every route, method and odd path: no
  redirect, no empty OPTIONS body, no HTML -- not even from gunicorn's own parser.
- Idle and slow clients do not starve the real server (gunicorn's threaded workers).
"""

from __future__ import annotations

import io
import logging
import os
import re
import socket
import threading
import time
from urllib.parse import quote, unquote_to_bytes

import orjson
import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from service import create_app
from service.requestlog import EscapingFormatter, escape, request_line
from tests.conftest import AUTH, TODAY, TOKEN
from tests.helpers import free_port, start_service, stop_service, wait_ready

# --- the request log ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw,shown",
    [
        ("\n", "\\x0a"),
        ("\r", "\\x0d"),
        ("\x00", "\\x00"),
        ("\t", "\\x09"),
        ("\x1b[31m", "\\x1b[31m"),  # a terminal escape sequence
        ("\x7f", "\\x7f"),  # DEL
        ("\x85", "\\x85"),  # NEL, a C1 control some viewers break lines on
        ("\x9b", "\\x9b"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
        ("\u202e", "\\u202e"),  # right-to-left override
    ],
)
def test_escape_makes_every_control_character_visible(raw, shown):
    assert escape(f"a{raw}b") == f"a{shown}b"


def test_escape_leaves_ordinary_text_alone():
    text = "/v1/formulas/GetAccountHealth?accountName=Gård Ærø ÿ €"
    assert escape(text) == text


def test_every_control_character_is_escaped_and_nothing_else_changes():
    for code in range(0x3000):
        char = chr(code)
        unsafe = code < 0x20 or 0x7F <= code <= 0x9F or code in (0x2028, 0x2029) or 0x202A <= code <= 0x202E
        unsafe = unsafe or 0x2066 <= code <= 0x2069
        assert (escape(char) != char) == unsafe, hex(code)
        if unsafe:
            assert re.fullmatch(r"\\(x[0-9a-f]{2}|u[0-9a-f]{4})", escape(char)), hex(code)


@pytest.fixture
def log_lines():
    """The `csm` loggers' output as the service writes it (the formatter of `requestlog.configure`)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(EscapingFormatter("%(name)s: %(message)s"))
    logger = logging.getLogger("csm")
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield lambda: stream.getvalue().splitlines(keepends=True)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)


@pytest.mark.parametrize("path", ["/health", "/v1/tables"])
def test_a_request_cannot_forge_a_log_line(ro_client, log_lines, caplog, path):
    caplog.set_level(logging.INFO, logger="csm")
    forged = "%0A2026-11-20 12:00:00,000 INFO csm.requests: GET /v1/tables 200 1.0ms%0D"
    response = ro_client.get(f"{path}{forged}%E2%80%A8?a%0Ab=1&c%C2%85d=2")
    assert response.status_code == 404
    lines = log_lines()
    assert len(lines) == 1, lines  # exactly one line, ending with the one newline the handler adds
    line = lines[0]
    assert line.endswith(" 404 " + line.split(" 404 ")[-1]) and line.count("\n") == 1
    assert "\r" not in line and "\u2028" not in line and "\x85" not in line
    assert f"GET {path}\\x0a2026-11-20 12:00:00,000 INFO csm.requests: GET /v1/tables 200 1.0ms\\x0d\\u2028" in line
    assert "?a\\x0ab,c\\x85d 404" in line
    # the record itself is escaped too (not only the formatted line), for any other handler
    (record,) = [r for r in caplog.records if r.name == "csm.requests"]
    assert "\n" not in record.getMessage() and "\r" not in record.getMessage()


def test_the_method_is_escaped_too(ro_client, caplog):
    caplog.set_level(logging.INFO, logger="csm")
    ro_client.open("/health", method="GET\nX")
    (record,) = [r for r in caplog.records if r.name == "csm.requests"]
    assert record.getMessage().startswith("GET\\x0aX /health 405 ")


def test_request_line_lists_each_parameter_name_once_sorted():
    assert request_line("GET", "/v1/tables", ["b", "a", "b"]) == "GET /v1/tables?a,b"
    assert request_line("GET", "/health", []) == "GET /health"


def test_the_formatter_escapes_any_csm_message_but_keeps_a_traceback(log_lines):
    logger = logging.getLogger("csm.test")
    logger.warning("account %s", "Acme\nINFO forged")
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        logger.exception("failed for %s", "x\ry")
    lines = log_lines()
    assert lines[0] == "csm.test: account Acme\\x0aINFO forged\n"
    assert lines[1] == "csm.test: failed for x\\x0dy\n"
    assert lines[2].startswith("Traceback") and "RuntimeError: boom" in lines[-1]


# --- duplicate parameters ----------------------------------------------------------------------

ENDPOINTS = [
    "/health",
    "/v1/tables",
    "/v1/tables/AccountMaster/schema",
    "/v1/tables/AccountMaster/rows",
    "/v1/tables/AccountMaster/rows/ACC-00001",
    "/v1/formulas/GetAccountHealth",
    "/v1/openapi.json",
]


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize(
    "query,names",
    [
        ("limit=5&limit=6", ["limit"]),
        ("limit=5&limit=5", ["limit"]),  # the same value twice is still ambiguous to a proxy
        ("accountName=Gard%20AS&accountName=Acme", ["accountName"]),
        ("b=1&a=1&b=2&a=2&c=3", ["a", "b"]),
        ("x=&x=", ["x"]),
    ],
)
def test_a_parameter_given_twice_is_a_400_on_every_endpoint(ro_client, path, query, names):
    response = ro_client.get(f"{path}?{query}")
    assert response.status_code == 400 and response.mimetype == "application/json"
    body = response.json
    assert body["ok"] is False and body["status"] == 400 and body["code"] == "duplicate_parameter"
    assert body["errors"] == {name: ["Given more than once."] for name in names}
    assert all(repr(name) in body["error"] for name in names)


def test_a_duplicate_under_v1_without_a_token_is_still_401(ro_client):
    response = ro_client.get("/v1/tables?limit=1&limit=2", headers={"Authorization": "Bearer wrong"})
    assert response.status_code == 401


def test_single_parameters_still_work(ro_client):
    assert ro_client.get("/v1/tables/AccountMaster/rows?limit=2").json["rows"][1]["account_id"] == "ACC-00002"
    assert ro_client.get("/health").json["ok"] is True


# --- JSON only, no redirects -------------------------------------------------------------------

METHODS = ["GET", "HEAD", "OPTIONS", "POST", "PUT", "DELETE", "PATCH", "TRACE"]
SAMPLE_VALUES = {
    "tables.table_schema": [{"name": "AccountMaster"}, {"name": "Nope"}],
    "tables.table_rows": [{"name": "AccountMaster"}, {"name": "AccountHealthHistory"}, {"name": "Alerts"}],
    "tables.table_row": [{"name": "AccountMaster", "row_id": "ACC-00001"}, {"name": "AccountMaster", "row_id": "x"}],
    "formulas.formula": [{"name": "GetAccountHealth"}, {"name": "Nope"}],
    # Writes: bodiless requests are refused (400) before anything is written, and the one row named
    # (ACC-00001) is referenced, so even a DELETE sent here is refused (409).
    "rows.insert_row": [{"name": "AccountMaster"}, {"name": "ViewTemplates"}, {"name": "Nope"}],
    "rows.update_rows": [{"name": "AccountMaster"}, {"name": "AccountHealthHistory"}],
    "rows.update_row": [{"name": "AccountMaster", "row_id": "ACC-00001"}, {"name": "AccountMaster", "row_id": "x"}],
    "rows.delete_row": [{"name": "AccountMaster", "row_id": "ACC-00001"}, {"name": "QuickStartGuide", "row_id": "x"}],
    "actions.run_action": [{"name": "CompleteTask"}, {"name": "Nope"}],  # no body: refused before any write
    "views.one_view": [{"slug": "open-risks"}, {"slug": "nope"}],
}
ODD_PATHS = [
    "/",
    "//",
    "///health",
    "//health",
    "/health/",
    "/health//",
    "/./health",
    "/v1/../health",
    "/%2e%2e/health",
    "/v1",
    "/v1/",
    "//v1/tables",
    "/v1//tables",
    "/v1/tables/",
    "/v1/tables//AccountMaster/rows",
    "/v1/tables/AccountMaster//rows",
    "/v1/tables/AccountMaster/rows/",
    "/v1/tables/AccountMaster/rows//ACC-00001",
    "/v1/tables/%2F/rows",
    "/v1/formulas/",
    "/v1/openapi.json/",
    "/static/x.css",
    "/HEALTH",
    "/health%00",
    "/health;x=1",
    "/v1/tables/Account%0AMaster/rows",
]
QUERIES = ["", "?limit=5&limit=6", "?x=1", "?continuation=garbage", "?limit=0", "?accountName="]


def open_as_sent(client, method: str, target: str, headers=None):
    """Request `target` exactly as gunicorn would pass it on: PATH_INFO is the percent-decoded path
    as sent (the test client would read a leading `//` as a host name), QUERY_STRING the rest."""
    path, _, query = target.partition("?")
    return client.open(
        "/",
        method=method,
        headers=headers,
        environ_overrides={"PATH_INFO": unquote_to_bytes(path).decode("latin-1"), "QUERY_STRING": query},
    )


def every_path(app) -> list[str]:
    """Every route of the JSON service (the dashboard's pages are HTML: tests/test_dashboard.py)."""
    adapter = app.url_map.bind("localhost")
    paths = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/dashboard"):
            continue
        for values in SAMPLE_VALUES.get(rule.endpoint, [{}]):
            paths.append(adapter.build(rule.endpoint, values))
    return sorted(set(paths)) + ODD_PATHS


def check_json_answer(method: str, path: str, status: int, content_type: str | None, data: bytes, location) -> list:
    """What is wrong with one answer (an empty list when nothing is)."""
    problems = []
    where = f"{method} {path} -> {status}"
    if 300 <= status < 400 or location:
        problems.append(f"{where}: a redirect")
    if status >= 500:
        problems.append(f"{where}: a server error")
    if not (content_type or "").startswith("application/json"):
        problems.append(f"{where}: content type {content_type!r}")
    if method == "HEAD":
        return problems
    try:
        body = orjson.loads(data)
    except orjson.JSONDecodeError:
        return [*problems, f"{where}: body is not JSON: {data[:80]!r}"]
    if status == 200 and path.startswith("/v1/openapi.json") and method == "GET":
        return [*problems, *([] if body.get("openapi") else [f"{where}: not the OpenAPI document"])]
    if not isinstance(body, dict) or not isinstance(body.get("ok"), bool):
        problems.append(f"{where}: no ok flag: {body!r:.80}")
    elif not body["ok"]:
        if body.get("status") != status or not body.get("code") or not body.get("error"):
            problems.append(f"{where}: not the error shape: {body!r:.120}")
        if set(body) - {"ok", "status", "code", "error", "errors"}:
            problems.append(f"{where}: extra keys in the error shape: {sorted(body)}")
    return problems


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("authorized", [True, False], ids=["token", "no-token"])
def test_every_route_method_and_odd_path_answers_json(ro_client, method, authorized):
    headers = AUTH if authorized else {"Authorization": ""}
    problems = []
    answered = 0
    for path in every_path(ro_client.application):
        for query in QUERIES:
            response = open_as_sent(ro_client, method, path + query, headers)
            problems += check_json_answer(
                method,
                path + query,
                response.status_code,
                response.headers.get("Content-Type"),
                response.get_data(),
                response.headers.get("Location"),
            )
            answered += 1
    assert answered > 200
    assert not problems, "\n".join(problems[:20])


@settings(max_examples=300, deadline=None, database=None)  # nothing written into the repository
@given(
    method=st.sampled_from(METHODS),
    path=st.lists(
        st.one_of(
            st.sampled_from(["", "v1", "tables", "health", "AccountMaster", "rows", "..", ".", "%2F", "%00", "%0A"]),
            st.text(min_size=1, max_size=6),
        ),
        max_size=6,
    ).map(lambda parts: "/" + "/".join(parts)),
)
def test_any_path_answers_json(ro_client, method, path):
    response = open_as_sent(ro_client, method, quote(path, safe="/%"), AUTH)
    problems = check_json_answer(
        method,
        path,
        response.status_code,
        response.headers.get("Content-Type"),
        response.get_data(),
        response.headers.get("Location"),
    )
    assert not problems, problems


@pytest.mark.parametrize("path", ["/health", *ENDPOINTS[1:]])
def test_options_is_json_with_an_allow_header(ro_client, path):
    response = ro_client.options(path)
    writes = {"/v1/tables/AccountMaster/rows": ["POST"], "/v1/tables/AccountMaster/rows/ACC-00001": ["DELETE", "PATCH"]}
    methods = sorted(["GET", "HEAD", "OPTIONS", *writes.get(path, [])])
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.json == {"ok": True, "methods": methods}
    assert set(response.headers["Allow"].split(", ")) == set(methods)


def test_options_under_v1_still_needs_the_token(ro_client):
    response = ro_client.options("/v1/tables", headers={"Authorization": ""})
    assert response.status_code == 401 and response.json["code"] == "unauthorized"


def test_head_has_the_json_content_type_and_no_body(ro_client):
    for path in ("/health", "/v1/tables", "/v1/nothing", "//health"):
        response = open_as_sent(ro_client, "HEAD", path, AUTH)
        assert response.mimetype == "application/json" and response.get_data() == b""


def test_no_routing_redirect_ever_leaves_the_app(store_path):
    """A route with a trailing slash makes Werkzeug redirect `/probe` to `/probe/`; the app answers 404
    instead, so a route added later cannot bring redirects back."""
    app = create_app({"CSM_DATA": str(store_path), "CSM_TODAY": TODAY, "TESTING": True, "CSM_API_TOKENS": TOKEN})
    app.add_url_rule("/probe/", "probe", lambda: {"ok": True})
    client = app.test_client()
    assert client.get("/probe/").status_code == 200
    for method in ("GET", "HEAD", "POST", "OPTIONS"):
        response = client.open("/probe", method=method)
        assert response.status_code == 404 and "Location" not in response.headers, method
        assert response.mimetype == "application/json"


# --- the real server: raw HTTP, idle and slow clients ------------------------------------------


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """`csm serve` with ONE worker (so a single blocked worker would show), on a private store."""
    from seed import initial_data
    from service.store import Store

    work = tmp_path_factory.mktemp("hardening")
    Store(work / "csm.json", initial=initial_data).ensure()
    env = {**os.environ, "CSM_DATA": str(work / "csm.json"), "CSM_TODAY": TODAY, "CSM_API_TOKENS": TOKEN}
    port = free_port()
    proc = start_service(["serve", "--port", str(port), "--workers", "1"], env, work)
    try:
        wait_ready(f"http://127.0.0.1:{port}/health", proc)
        yield {"port": port, "proc": proc, "output": None}
    finally:
        output = stop_service(proc)
        assert "Traceback" not in output, output


def raw_http(port: int, request: bytes, timeout: float = 5) -> tuple[int, dict[str, str], bytes]:
    """Send bytes exactly as given; (status, headers, body) of the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(request)
        chunks = []
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(status_line.split()[1]), headers, body


def request_bytes(method: str, target: str, extra: str = "") -> bytes:
    return f"{method} {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{extra}\r\n".encode("latin-1")


@pytest.mark.parametrize(
    "raw,status",
    [
        (request_bytes("GET", "//health"), 404),
        (request_bytes("GET", "/v1//tables", f"Authorization: Bearer {TOKEN}\r\n"), 404),
        (request_bytes("GET", "/v1/tables/", f"Authorization: Bearer {TOKEN}\r\n"), 404),
        (request_bytes("OPTIONS", "/health"), 200),
        (request_bytes("OPTIONS", "*"), 404),
        (request_bytes("OPTIONS", "/v1/tables"), 401),
        (request_bytes("DELETE", "/health"), 405),
        (request_bytes("GET", "/health?a=1&a=2"), 400),
        (request_bytes("GET", "http://x/health"), 200),  # absolute form
        # refused by gunicorn's parser, before the app: still JSON in the error shape
        (b"NOT A REQUEST\r\n\r\n", 400),
        (b"GET /health HTTP/9.9\r\nHost: x\r\n\r\n", 400),
        (request_bytes("GET", "/health?" + "a" * 5000), 414),
        (request_bytes("GET", "/health", "".join(f"X-{i}: y\r\n" for i in range(120))), 431),
        (request_bytes("GET", "/health", "Bad\x01Name: y\r\n"), 400),
        (request_bytes("GET", "/health", "X-Big: " + "y" * 9000 + "\r\n"), 431),
        # a client-sent SCRIPT_NAME is no path prefix (it was a 500, and let `//` through)
        (request_bytes("GET", "/health", "SCRIPT_NAME: /nope\r\n"), 200),
        (request_bytes("GET", "/x//health", "SCRIPT_NAME: /x/\r\n"), 404),
        (request_bytes("GET", "/health?bogus=1"), 400),
    ],
    ids=lambda v: v.decode("latin-1")[:40].replace("\r\n", " ") if isinstance(v, bytes) else str(v),
)
def test_the_real_server_answers_json_to_odd_requests(live, raw, status):
    got, headers, body = raw_http(live["port"], raw)
    assert got == status, body
    assert headers["content-type"].startswith("application/json"), (headers, body)
    assert "location" not in headers
    parsed = orjson.loads(body)
    assert parsed["ok"] is (status < 400)
    if status >= 400:
        assert parsed["status"] == status and parsed["code"] and parsed["error"]


def test_head_on_the_real_server(live):
    response = requests.head(f"http://127.0.0.1:{live['port']}/health", timeout=5)
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/json"


def health_within(port: int, seconds: float) -> float:
    started = time.monotonic()
    response = requests.get(f"http://127.0.0.1:{port}/health", timeout=seconds)
    elapsed = time.monotonic() - started
    assert response.status_code == 200 and response.json()["ok"] is True
    assert elapsed < seconds, elapsed
    return elapsed


def test_idle_connections_do_not_starve_the_server(live):
    port = live["port"]
    idle = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(3)]  # connect, send nothing
    try:
        time.sleep(0.2)  # let the worker accept them
        for _ in range(5):
            health_within(port, 1.0)
    finally:
        for sock in idle:
            sock.close()


@pytest.mark.parametrize(
    "opening",
    [b"GET /hea", b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: "],
    ids=["partial-request-line", "partial-headers"],
)
def test_slow_clients_do_not_starve_the_server(live, opening):
    port = live["port"]
    slow = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(3)]
    stop = threading.Event()

    def dribble():  # one byte every 100 ms on each connection, never finishing the request
        while not stop.is_set():
            for sock in slow:
                try:
                    sock.sendall(b"a")
                except OSError:
                    return
            stop.wait(0.1)

    for sock in slow:
        sock.sendall(opening)
    dribbler = threading.Thread(target=dribble, daemon=True)
    dribbler.start()
    try:
        time.sleep(0.3)
        for _ in range(5):
            health_within(port, 1.0)
    finally:
        stop.set()
        dribbler.join(timeout=5)
        for sock in slow:
            sock.close()


def test_the_real_server_logs_one_escaped_line_per_request(tmp_path):
    from seed import initial_data
    from service.store import Store

    Store(tmp_path / "csm.json", initial=initial_data).ensure()
    env = {**os.environ, "CSM_DATA": str(tmp_path / "csm.json"), "CSM_TODAY": TODAY, "CSM_API_TOKENS": TOKEN}
    port = free_port()
    proc = start_service(["serve", "--port", str(port), "--workers", "1"], env, tmp_path)
    try:
        wait_ready(f"http://127.0.0.1:{port}/health", proc)
        status, _, _ = raw_http(port, request_bytes("GET", "/health%0AINFO%20forged%0D?a%0Ab=1"))
        assert status == 404
    finally:
        output = stop_service(proc)
    lines = [line for line in output.splitlines() if "forged" in line]
    assert len(lines) == 1, output
    assert re.search(r"csm\.requests: GET /health\\x0aINFO forged\\x0d\?a\\x0ab 404 \d+\.\dms$", lines[0]), lines


def test_a_body_over_the_limit_is_a_413_in_the_error_shape(store_path):
    """No endpoint takes a body yet; the limit is there for the first one that will."""
    app = create_app({"CSM_DATA": str(store_path), "CSM_TODAY": TODAY, "TESTING": True, "CSM_API_TOKENS": TOKEN})
    from flask import request as flask_request

    app.add_url_rule(
        "/v1/probe", "probe", lambda: {"ok": True, "size": len(flask_request.get_data())}, methods=["POST"]
    )
    client = app.test_client()
    assert client.post("/v1/probe", data=b"x" * 1000, headers=AUTH).json == {"ok": True, "size": 1000}
    response = client.post("/v1/probe", data=b"x" * (1024 * 1024 + 1), headers=AUTH)
    assert response.status_code == 413 and response.mimetype == "application/json"
    assert response.json["code"] == "request_entity_too_large"
