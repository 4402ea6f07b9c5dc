"""Small helpers shared by tests."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def walk(client, table: str, limit: int) -> list[dict]:
    """Every row of a table, page by page, following continuations."""
    rows: list[dict] = []
    url = f"/v1/tables/{table}/rows?limit={limit}"
    while True:
        response = client.get(url)
        assert response.status_code == 200, response.json
        body = response.json
        rows.extend(body["rows"])
        if body["continuation"] is None:
            return rows
        assert len(body["rows"]) == limit
        url = f"/v1/tables/{table}/rows?limit={limit}&continuation={body['continuation']}"


def start_service(args: list[str], env: dict, cwd) -> subprocess.Popen:
    """`csm <args>` in its own process group.  Its output goes to a file, not a pipe: a
    pipe nobody reads fills up and stalls a busy server on its next log line."""
    log = tempfile.NamedTemporaryFile(prefix="csm-serve-", suffix=".log", delete=False)  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "service", *args],
        cwd=cwd,
        env={**env, "PYTHONPATH": str(ROOT)},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    proc.log_path = Path(log.name)
    log.close()
    return proc


def service_output(proc: subprocess.Popen) -> str:
    return proc.log_path.read_text(errors="replace")


def wait_ready(url: str, proc: subprocess.Popen, timeout: float = 30) -> requests.Response:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, service_output(proc)
        try:
            return requests.get(url, timeout=5)
        except (requests.ConnectionError, requests.Timeout):  # not up yet, or still building its snapshot
            time.sleep(0.1)
    raise AssertionError(f"{url} never answered")


def stop_service(proc: subprocess.Popen) -> str:
    """Stop the server (SIGTERM, then SIGKILL) and return everything it printed."""
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    output = service_output(proc)
    proc.log_path.unlink(missing_ok=True)
    return output


def run_serve(args: list[str], env: dict, cwd=None, timeout: float = 60) -> subprocess.CompletedProcess:
    """`csm serve <args>` expected to stop by itself (a refusal), with its output captured."""
    return subprocess.run(
        [sys.executable, "-m", "service", "serve", *args],
        env={**env, "PYTHONPATH": str(ROOT)},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@contextlib.contextmanager
def seeded_service(work, token: str, today: str = "2026-11-20") -> Iterator[str]:
    """A fresh store from the seed in `work`, served by `csm serve` (2 workers) on a free loopback
    port with `token`; yields the base URL, and checks on the way out that nothing crashed."""
    from seed import initial_data
    from service.store import Store

    Store(work / "csm.json", initial=initial_data).ensure()
    env = {**os.environ, "CSM_DATA": str(work / "csm.json"), "CSM_TODAY": today, "CSM_API_TOKENS": token}
    port = free_port()
    proc = start_service(["serve", "--port", str(port), "--workers", "2"], env, work)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(f"{base}/health", proc)
        yield base
    finally:
        output = stop_service(proc)
        assert "Traceback" not in output, output
