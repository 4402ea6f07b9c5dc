"""`csm serve`: gunicorn on the embedded store, a token on first run, and clear refusals."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys

import requests

from tests.helpers import ROOT, free_port, run_serve, service_output, start_service, stop_service, wait_ready


def test_first_run_creates_store_and_secrets_and_prints_a_working_curl(tmp_path):
    port = free_port()
    env = {**os.environ, "CSM_TODAY": "2026-11-20"}
    for name in ("CSM_DATA", "CSM_API_TOKENS", "CSM_SECRET_KEY"):
        env.pop(name, None)
    proc = start_service(["serve", "--port", str(port), "--workers", "2"], env, tmp_path)
    try:
        assert wait_ready(f"http://127.0.0.1:{port}/health", proc).status_code == 200
        instance = tmp_path / "instance"
        token_path = instance / "api-token"
        token = token_path.read_text().strip()
        assert len(token) >= 32 and stat.S_IMODE(token_path.stat().st_mode) == 0o600
        assert len((instance / "secret-key").read_text().strip()) >= 32
        assert stat.S_IMODE((instance / "secret-key").stat().st_mode) == 0o600
        assert stat.S_IMODE(instance.stat().st_mode) == 0o700
        assert (instance / "csm.json").exists()
        url = f"http://127.0.0.1:{port}/v1/tables"
        assert requests.get(url, timeout=5).status_code == 401
        response = requests.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=5)
        assert response.status_code == 200 and len(response.json()["tables"]) == 18
        # the curl printed at start-up works as printed, from the folder the service was started in
        curl = next(line for line in service_output(proc).splitlines() if line.strip().startswith("try: curl"))
        if shutil.which("curl"):
            shell = subprocess.run(
                [
                    "bash",
                    "-c",
                    curl.strip().removeprefix("try: ").replace("curl -s", "curl -s -o /dev/null -w '%{http_code}'"),
                ],
                cwd=tmp_path,
                capture_output=True,
                text=True,
                timeout=10,
            )
            assert shell.stdout == "200", shell
        # the dashboard printed at start-up answers: its sign-in page, then the overview with the token
        line = next(line for line in service_output(proc).splitlines() if line.strip().startswith("dashboard:"))
        dashboard = line.split()[1]
        assert dashboard == f"http://127.0.0.1:{port}/dashboard"
        with requests.Session() as browser:
            signin = browser.get(dashboard, timeout=5)
            assert signin.url.startswith(f"{dashboard}/signin") and 'name="token"' in signin.text
            overview = browser.post(f"{dashboard}/signin", data={"token": token}, timeout=5)
            assert overview.url == dashboard and "HealthTech Solutions" in overview.text
    finally:
        output = stop_service(proc)
    assert f"at http://127.0.0.1:{port}" in output
    assert "API token created in instance/api-token: (hidden; --show-token prints it)" in output
    assert (
        f"""curl -s -H "Authorization: Bearer $(cat instance/api-token)" http://127.0.0.1:{port}/v1/tables""" in output
    )
    assert "Booting worker" in output and "Using worker: gthread" in output  # gunicorn, threaded
    # one request line per request, with timing, and never the token: not even at start-up
    assert re.search(r"csm\.requests: GET /v1/tables 200 \d+\.\dms", output)
    assert re.search(r"csm\.requests: GET /v1/tables 401 \d+\.\dms", output)
    assert token not in output


def test_refuses_a_non_loopback_bind_without_tokens(tmp_path):
    env = {**os.environ}
    env.pop("CSM_API_TOKENS", None)
    result = run_serve(["--host", "0.0.0.0", "--port", str(free_port())], env, tmp_path)
    assert result.returncode == 1
    assert "Error: refusing to listen on 0.0.0.0 without CSM_API_TOKENS" in result.stderr
    assert not (tmp_path / "instance").exists()


def test_an_explicit_store_that_is_missing_is_a_clear_startup_error(tmp_path):
    env = {**os.environ, "CSM_DATA": str(tmp_path / "nowhere.json")}
    result = run_serve(["--port", str(free_port())], env)
    assert result.returncode == 1
    assert f"Error: no store at {tmp_path / 'nowhere.json'}; create one with" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unreadable_store_is_a_clear_startup_error(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("not json")
    result = run_serve(["--port", str(free_port())], {**os.environ, "CSM_DATA": str(bad)})
    assert result.returncode == 1
    assert "is not valid JSON" in result.stderr and "Traceback" not in result.stderr


def test_readme_names_the_two_setup_commands():
    readme = (ROOT / "README.md").read_text()
    assert "bash .ci/serve" in readme and "bash .ci/test" in readme
    assert "bash .ci/test" in (ROOT / ".ci" / "run").read_text()


def test_a_bad_change_log_setting_stops_the_start_before_the_banner(tmp_path):
    env = {**os.environ, "CSM_DATA": str(tmp_path / "instance" / "csm.json"), "CSM_CHANGES_KEEP": "5"}
    result = run_serve(["--port", str(free_port())], env, tmp_path)
    assert result.returncode == 1 and "serving" not in result.stdout
    assert result.stderr.strip().splitlines() == [
        "Error: CSM_CHANGES_KEEP must be a whole number from 100 to 1000000000; got '5'"
    ]


def test_packshim_generate_into_a_path_it_cannot_use_is_one_error_line(tmp_path):
    (tmp_path / "afile").write_text("x")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "service",
            "packshim",
            "generate",
            "--base-url",
            "https://x.example",
            "--out",
            str(tmp_path / "afile" / "sub"),
        ],  # fmt: skip
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1 and result.stderr.startswith("Error: cannot write the pack to ")
    assert "Not a directory" in result.stderr and "unexpected" not in result.stderr
