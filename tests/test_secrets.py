"""Secrets and their files: the API token file, the continuation signing key, the start-up banner.

Secret files are created 0600 (in a folder created 0700), atomically, never through a symlink,
and refused with a one-line fix when their owner or mode is wrong.  Continuations are signed
with a secret key (CSM_SECRET_KEY, else the key file shared by every worker), and anything but
a token this service issued, with exactly the body it issued, is a 400.
"""

from __future__ import annotations

import base64
import os
import re
import stat
import subprocess
import sys
import textwrap
import time

import pytest
from itsdangerous import URLSafeSerializer

from service import create_app, paging
from service.auth import (
    SecretFileError,
    configured_tokens,
    ensure_secret_file,
    ensure_token_file,
    read_secret_file,
    token_file,
)
from tests.conftest import AUTH, TODAY, TOKEN
from tests.helpers import ROOT, free_port, run_serve, start_service, stop_service, wait_ready

KEY = "k" * 40


@pytest.fixture(autouse=True)
def _no_secrets_from_the_environment(monkeypatch):
    for name in ("CSM_SECRET_KEY", "CSM_API_TOKENS"):
        monkeypatch.delenv(name, raising=False)


def make_app(store_path, **config):
    return create_app(
        {"CSM_DATA": str(store_path), "CSM_TODAY": TODAY, "TESTING": True, "CSM_API_TOKENS": TOKEN, **config}
    )


def mode(path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


# --- secret files --------------------------------------------------------------------------------


def test_a_new_secret_file_is_0600_in_a_new_0700_folder(tmp_path):
    path = tmp_path / "fresh" / "deeper" / "api-token"
    token, created = ensure_token_file(path)
    assert created and len(token) >= 32
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700
    assert ensure_token_file(path) == (token, False)
    assert not [p for p in path.parent.iterdir() if p.name != "api-token"]  # no temp file left behind


def test_an_existing_folder_keeps_its_mode(tmp_path):
    folder = tmp_path / "shared"
    folder.mkdir(mode=0o755)
    os.chmod(folder, 0o755)
    ensure_token_file(folder / "api-token")
    assert mode(folder) == 0o755 and mode(folder / "api-token") == 0o600


@pytest.mark.parametrize("bad_mode", [0o644, 0o640, 0o604, 0o620, 0o602, 0o660, 0o666, 0o610, 0o601])
def test_a_secret_file_open_to_group_or_others_is_refused_with_the_fix(tmp_path, bad_mode):
    path = tmp_path / "api-token"
    path.write_text("a-token-of-some-length-000000000000\n")
    os.chmod(path, bad_mode)
    with pytest.raises(SecretFileError) as caught:
        read_secret_file(path)
    message = str(caught.value)
    assert str(path) in message and f"chmod 600 {path}" in message and "\n" not in message


def test_owner_only_modes_are_accepted(tmp_path):
    path = tmp_path / "api-token"
    path.write_text("tok\n")
    for good in (0o600, 0o400, 0o700):
        os.chmod(path, good)
        assert read_secret_file(path) == "tok\n"


def test_a_secret_file_owned_by_someone_else_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "api-token"
    path.write_text("tok\n")
    os.chmod(path, 0o600)
    me = os.geteuid()
    monkeypatch.setattr("service.auth.os.geteuid", lambda: me + 1)
    with pytest.raises(SecretFileError, match=f"owned by user id {me}, not by this user"):
        read_secret_file(path)


def test_a_symlinked_secret_file_is_refused_even_to_a_safe_target(tmp_path):
    target = tmp_path / "elsewhere"
    target.write_text("tok\n")
    os.chmod(target, 0o600)
    link = tmp_path / "api-token"
    link.symlink_to(target)
    with pytest.raises(SecretFileError, match="is a symbolic link"):
        read_secret_file(link)
    with pytest.raises(SecretFileError, match="is a symbolic link"):
        ensure_token_file(link)
    dangling = tmp_path / "secret-key"
    dangling.symlink_to(tmp_path / "nowhere")  # would create the target if followed
    with pytest.raises(SecretFileError):
        ensure_secret_file(dangling, lambda: "x" * 40)
    assert not (tmp_path / "nowhere").exists()


def test_a_fifo_or_folder_in_place_of_a_secret_is_refused_without_hanging(tmp_path):
    fifo = tmp_path / "api-token"
    os.mkfifo(fifo, 0o600)
    with pytest.raises(SecretFileError, match="not a regular file"):
        read_secret_file(fifo)
    folder = tmp_path / "secret-key"
    folder.mkdir(mode=0o700)
    with pytest.raises(SecretFileError, match="not a regular file"):
        read_secret_file(folder)


def test_an_empty_token_file_is_a_clear_error(tmp_path):
    path = tmp_path / "api-token"
    path.write_text("\n")
    os.chmod(path, 0o600)
    with pytest.raises(SecretFileError, match="holds no token"):
        ensure_token_file(path)


RACER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from service.auth import ensure_token_file
    start = float(sys.argv[2])
    while time.time() < start:
        pass
    token, created = ensure_token_file(Path(sys.argv[1]))
    print(token, created)
    """
)


def test_processes_racing_to_create_the_token_all_get_the_winners(tmp_path):
    path = tmp_path / "instance" / "api-token"
    start = str(time.time() + 1.0)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, str(path), start],
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(12)
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=30)
        assert proc.returncode == 0, err
        token, created = out.split()
        results.append((token, created == "True"))
    assert len({token for token, _ in results}) == 1  # everyone read the one file, in full
    assert sum(created for _, created in results) == 1  # exactly one process created it
    assert path.read_text().strip() == results[0][0] and mode(path) == 0o600
    assert sorted(p.name for p in path.parent.iterdir()) == ["api-token"]


def test_a_half_written_secret_is_never_visible(tmp_path, monkeypatch):
    """The file appears under its name only when complete: at the moment of the link, the
    temporary file already holds everything, and nothing is ever written to the final name."""
    seen = []
    real_link = os.link

    def spy_link(src, dst, *args, **kwargs):
        with open(src) as fh:
            seen.append((fh.read(), os.path.exists(dst)))
        return real_link(src, dst, *args, **kwargs)

    monkeypatch.setattr("service.auth.os.link", spy_link)
    text, created = ensure_secret_file(tmp_path / "secret-key", lambda: "s" * 64 + "\n")
    assert created and text == "s" * 64 + "\n"
    assert seen == [("s" * 64 + "\n", False)]


def test_the_app_refuses_an_unsafe_token_file(store_path):
    path = token_file(store_path)
    path.write_text("file-token\n")
    os.chmod(path, 0o644)
    with pytest.raises(SecretFileError, match=f"chmod 600 {path}"):
        configured_tokens({"CSM_DATA": str(store_path)})
    with pytest.raises(SecretFileError):
        create_app({"CSM_DATA": str(store_path), "TESTING": True})


# --- the continuation key ------------------------------------------------------------------------


def first_page_token(client, table="EngagementLog", limit=5) -> str:
    response = client.get(f"/v1/tables/{table}/rows?limit={limit}", headers=AUTH)
    assert response.status_code == 200
    return response.json["continuation"]


def test_the_key_file_is_generated_beside_the_store_not_in_the_repository(store_path):
    app = make_app(store_path)
    key_path = paging.key_file(store_path)
    assert key_path.parent == store_path.parent and key_path.name == "secret-key"
    assert mode(key_path) == 0o600 and len(key_path.read_text().strip()) >= 32
    assert first_page_token(app.test_client())
    assert str(ROOT) not in str(key_path.resolve())


def test_a_continuation_from_one_app_is_good_on_another_over_the_same_store(store_path):
    """Two gunicorn workers are two apps over one store: they share the key file."""
    one, two = make_app(store_path).test_client(), make_app(store_path).test_client()
    token = first_page_token(one)
    response = two.get(f"/v1/tables/EngagementLog/rows?limit=5&continuation={token}", headers=AUTH)
    assert response.status_code == 200 and len(response.json["rows"]) == 5


def test_a_token_signed_with_another_key_is_a_400(store_path, tmp_path):
    client = make_app(store_path).test_client()
    other = URLSafeSerializer("another-key-" + "x" * 40, salt=paging.SALT, signer_kwargs=paging.SIGNER_KWARGS)
    version = client.get("/health").json["data_version"]
    forged = other.dumps(["EngagementLog", version, 5])
    response = client.get(f"/v1/tables/EngagementLog/rows?continuation={forged}", headers=AUTH)
    assert response.status_code == 400 and response.json["code"] == "bad_continuation"
    # and a store elsewhere has its own key: its continuations are not good here
    elsewhere = tmp_path / "elsewhere" / "csm.json"
    elsewhere.parent.mkdir()
    elsewhere.write_bytes(store_path.read_bytes())
    token = first_page_token(make_app(elsewhere).test_client())
    response = client.get(f"/v1/tables/EngagementLog/rows?continuation={token}", headers=AUTH)
    assert response.status_code == 400 and response.json["code"] == "bad_continuation"


def test_csm_secret_key_overrides_the_key_file(store_path, monkeypatch):
    from_file = make_app(store_path).test_client()  # creates the key file
    with_key = make_app(store_path, CSM_SECRET_KEY=KEY).test_client()
    token = first_page_token(with_key)
    url = f"/v1/tables/EngagementLog/rows?continuation={token}"
    assert from_file.get(url, headers=AUTH).status_code == 400
    assert make_app(store_path, CSM_SECRET_KEY=KEY).test_client().get(url, headers=AUTH).status_code == 200
    monkeypatch.setenv("CSM_SECRET_KEY", KEY)  # the environment, as in production
    assert make_app(store_path).test_client().get(url, headers=AUTH).status_code == 200


def test_with_csm_secret_key_no_key_file_is_written(store_path, monkeypatch):
    monkeypatch.setenv("CSM_SECRET_KEY", KEY)
    make_app(store_path)
    assert not paging.key_file(store_path).exists()


def test_a_short_csm_secret_key_is_refused(store_path):
    with pytest.raises(SecretFileError, match="CSM_SECRET_KEY is too short"):
        make_app(store_path, CSM_SECRET_KEY="short")


def test_an_unsafe_key_file_stops_the_app(store_path):
    path = paging.key_file(store_path)
    path.write_text("x" * 64 + "\n")
    os.chmod(path, 0o640)
    with pytest.raises(SecretFileError, match=f"chmod 600 {path}"):
        make_app(store_path)


@pytest.fixture
def keyed(store_path):
    """A client, the serializer of its key, and the current data version."""
    client = make_app(store_path, CSM_SECRET_KEY=KEY).test_client()
    serializer = client.application.extensions["csm.continuations"].serializer
    return client, serializer, client.get("/health").json["data_version"]


def get_rows(client, token):
    return client.get(f"/v1/tables/EngagementLog/rows?limit=5&continuation={token}", headers=AUTH)


def test_a_well_formed_token_still_pages(keyed):
    client, serializer, version = keyed
    assert get_rows(client, serializer.dumps(["EngagementLog", version, 5])).status_code == 200
    assert get_rows(client, serializer.dumps(["EngagementLog", version + 1, 5])).status_code == 409


@pytest.mark.parametrize(
    "body",
    [
        None,
        5,
        "EngagementLog",
        {"table": "EngagementLog", "version": "V", "after": 5},
        [],
        ["EngagementLog"],
        ["EngagementLog", "V"],
        ["EngagementLog", "V", 5, 6],  # an extra item
        ["EngagementLog", "V", -1],  # negative
        ["EngagementLog", -1, 5],
        ["EngagementLog", "V", True],  # a bool is not a number
        ["EngagementLog", True, 5],
        ["EngagementLog", "V", 5.0],
        ["EngagementLog", "V", "5"],
        ["EngagementLog", "V", None],
        ["EngagementLog", "V", 2**64],  # a huge number
        ["EngagementLog", 2**64, 5],
        [None, "V", 5],
        [["EngagementLog"], "V", 5],
        [5, "V", 5],
    ],
    ids=repr,
)
def test_a_signed_token_with_an_odd_body_is_a_400(keyed, body):
    client, serializer, version = keyed
    if isinstance(body, list):
        body = [version if item == "V" else item for item in body]
    response = get_rows(client, serializer.dumps(body))
    assert response.status_code == 400, response.json
    assert response.json["code"] == "bad_continuation" and "continuation" in response.json["errors"]


def test_a_signed_payload_that_is_not_even_json_is_a_400(keyed):
    client, serializer, _ = keyed
    signer = serializer.make_signer(serializer.salt)
    for payload in (b"not json", b'["EngagementLog",' + b"9" * 5000 + b",1]", b"[" * 100000, b"\xff\xfe"):
        token = signer.sign(base64.urlsafe_b64encode(payload).rstrip(b"=")).decode()
        assert get_rows(client, token).status_code == 400


def test_forged_truncated_and_garbage_tokens_are_400(keyed):
    client, serializer, version = keyed
    token = serializer.dumps(["EngagementLog", version, 5])
    body, _, signature = token.rpartition(".")
    flip = {"A": "B"}
    candidates = [
        token[:-1],
        token[:-10],
        token[: len(body)],
        token + "x",
        body + "." + signature[::-1],
        body.replace(body[3], flip.get(body[3], "A"), 1) + "." + signature,
        "." + signature,
        body + ".",
        ".",
        "..",
        "a.b.c",
        "garbage",
        "!!!",
        "%00",
        "%E2%80%A8",
        "é",
        "A" * 20000,
        base64.urlsafe_b64encode(os.urandom(60)).decode(),
    ]
    for bad in candidates:
        response = get_rows(client, bad)
        assert response.status_code == 400, (bad[:40], response.status_code)
        assert response.json["code"] == "bad_continuation"


def test_a_token_of_another_table_names_it(keyed):
    client, serializer, version = keyed
    token = serializer.dumps(["RiskRegister", version, 1])
    response = get_rows(client, token)
    assert response.status_code == 400 and "RiskRegister" in response.json["error"]


# --- csm serve: refusals and the banner -----------------------------------------------------------


def clean_env(**extra):
    env = {**os.environ, "CSM_TODAY": TODAY, **extra}
    for name in ("CSM_DATA", "CSM_API_TOKENS", "CSM_SECRET_KEY"):
        if name not in extra:
            env.pop(name, None)
    return env


@pytest.mark.parametrize("name", ["api-token", "secret-key"])
@pytest.mark.parametrize("problem", ["group-readable", "world-writable", "symlink"])
def test_serve_refuses_an_unsafe_secret_file_in_one_line(tmp_path, name, problem):
    instance = tmp_path / "instance"
    instance.mkdir(mode=0o700)
    path = instance / name
    content = "x" * 64 + "\n"
    if problem == "symlink":
        target = tmp_path / "target"
        target.write_text(content)
        os.chmod(target, 0o600)
        path.symlink_to(target)
    else:
        path.write_text(content)
        os.chmod(path, 0o640 if problem == "group-readable" else 0o602)
    result = run_serve(["--port", str(free_port())], clean_env(), tmp_path)
    assert result.returncode == 1, result
    assert "Traceback" not in result.stderr and result.stdout == ""
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("Error: instance/" + name)
    assert ("chmod 600 instance/" + name) in line if problem != "symlink" else "symbolic link" in line


def test_serve_refuses_a_short_secret_key(tmp_path):
    result = run_serve(["--port", str(free_port())], clean_env(CSM_SECRET_KEY="short"), tmp_path)
    assert result.returncode == 1 and "Error: CSM_SECRET_KEY is too short" in result.stderr
    assert "Traceback" not in result.stderr


def banner_of(args, env, cwd) -> str:
    port = free_port()
    proc = start_service(["serve", "--port", str(port), "--workers", "1", *args], env, cwd)
    try:
        wait_ready(f"http://127.0.0.1:{port}/health", proc)
    finally:
        output = stop_service(proc)
    return output


def test_tokens_from_the_environment_are_never_printed(tmp_path):
    secret = "env-token-" + "z" * 30
    output = banner_of(["--show-token"], clean_env(CSM_API_TOKENS=f"{secret},second-{secret}"), tmp_path)
    assert secret not in output
    assert "API token: one of CSM_API_TOKENS (never printed;" in output
    assert re.search(r'try: curl -s -H "Authorization: Bearer \$CSM_TOKEN" http://127\.0\.0\.1:\d+/v1/tables\n', output)
    assert not (tmp_path / "instance" / "api-token").exists()


def test_show_token_prints_the_file_token(tmp_path):
    output = banner_of(["--show-token"], clean_env(), tmp_path)
    token = (tmp_path / "instance" / "api-token").read_text().strip()
    assert f"API token created in instance/api-token: {token}" in output
    assert output.count(token) == 1
    assert 'curl -s -H "Authorization: Bearer $(cat instance/api-token)"' in output


def test_a_gunicorn_worker_that_finds_an_unsafe_secret_stops_the_server_in_one_line(tmp_path):
    """The same check inside gunicorn (the file went bad after `csm serve` looked): gunicorn halts
    with our one-line reason instead of a traceback per worker."""
    store = tmp_path / "csm.json"
    store.write_bytes((ROOT / "seed" / "seed.json").read_bytes())
    key = tmp_path / "secret-key"
    key.write_text("x" * 64 + "\n")
    os.chmod(key, 0o644)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "python:service.gunicorn_conf",
            "--bind",
            f"127.0.0.1:{free_port()}",
            "--workers",
            "1",
        ],
        env={**clean_env(CSM_DATA=str(store), CSM_API_TOKENS=TOKEN), "PYTHONPATH": str(ROOT)},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert f"Error: {key} is open to group or others (mode 0644); fix it with: chmod 600 {key}" in result.stderr
    assert "Traceback" not in result.stderr
