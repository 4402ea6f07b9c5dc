"""`csm serve` starts gunicorn on the embedded store and says how to reach it (the README's command)."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from tests.helpers import ROOT, free_port, start_service, stop_service, wait_ready


def test_serve_creates_the_store_and_prints_the_url_and_a_curl(tmp_path):
    port = free_port()
    env = {**os.environ, "CSM_TODAY": "2026-11-20"}
    env.pop("CSM_DATA", None)
    proc = start_service(["serve", "--port", str(port), "--workers", "2"], env, tmp_path)
    try:
        response = wait_ready(f"http://127.0.0.1:{port}/v1/tables", proc)
        assert response.status_code == 200
        assert len(response.json()["tables"]) == 16
        assert (tmp_path / "instance" / "csm.json").exists()
    finally:
        output = stop_service(proc)
    assert f"at http://127.0.0.1:{port}" in output
    assert re.search(rf"curl -s http://127\.0\.0\.1:{port}/v1/tables", output)
    assert "Booting worker" in output  # gunicorn, not the development server


def test_serve_refuses_an_unreadable_store_clearly(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("not json")
    env = {**os.environ, "CSM_DATA": str(bad), "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "service", "serve", "--port", str(free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 1
    assert "is not valid JSON" in result.stderr
    assert "Traceback" not in result.stderr


def test_readme_names_the_two_setup_commands():
    readme = (ROOT / "README.md").read_text()
    assert "bash .ci/serve" in readme and "bash .ci/test" in readme
    assert "bash .ci/test" in (ROOT / ".ci" / "run").read_text()
