"""Shared fixtures: a fresh store per test (tmp_path), a read-only app per session."""

from __future__ import annotations

import os
import shutil

import pytest
from hypothesis import settings

from seed import initial_data
from service import create_app
from service.store import Store

# In CI the property tests explore the same (derandomised) examples on every run, so a landing
# cannot fail by the luck of the draw; locally they keep searching new ground each time.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

TODAY = "2026-11-20"


@pytest.fixture(autouse=True)
def _no_real_slack(monkeypatch):
    """A developer's own webhook in the environment is never posted to by a test."""
    monkeypatch.delenv("CSM_SLACK_WEBHOOK_URL", raising=False)
    monkeypatch.delenv("CSM_ACCOUNT_URL", raising=False)


TOKEN = "test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def authed(app):
    """A test client that sends the bearer token on every request."""
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = AUTH["Authorization"]
    return client


@pytest.fixture(scope="session")
def seeded_file(tmp_path_factory):
    """A store file created from the seed once; tests copy it instead of rebuilding."""
    path = tmp_path_factory.mktemp("seeded") / "csm.json"
    Store(path, initial=initial_data).ensure()
    return path


@pytest.fixture
def store_path(tmp_path, seeded_file):
    path = tmp_path / "csm.json"
    shutil.copyfile(seeded_file, path)
    return path


@pytest.fixture
def store(store_path):
    return Store(store_path, initial=initial_data)


@pytest.fixture
def app(store_path):
    return create_app({"CSM_DATA": str(store_path), "CSM_TODAY": TODAY, "TESTING": True, "CSM_API_TOKENS": TOKEN})


@pytest.fixture
def client(app):
    return authed(app)


@pytest.fixture(scope="session")
def ro_client(seeded_file, tmp_path_factory):
    """For tests that only read: one app over a private copy of the seeded store."""
    path = tmp_path_factory.mktemp("ro") / "csm.json"
    shutil.copyfile(seeded_file, path)
    return authed(create_app({"CSM_DATA": str(path), "CSM_TODAY": TODAY, "TESTING": True, "CSM_API_TOKENS": TOKEN}))


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def csm(store_path, monkeypatch):
    """Run `csm --db <the test's store> ...` in-process; returns click's Result."""
    from click.testing import CliRunner

    from service.cli import cli

    monkeypatch.setenv("CSM_TODAY", TODAY)
    runner = CliRunner()

    def run(*args, input=None, db=store_path):
        return runner.invoke(cli, ["--db", str(db), *args], input=input)

    return run


def assert_refused(csm, result, store_path, before: bytes, *needles: str) -> None:
    """A refusal as promised: exit 1, one `Error:` naming the problem, no traceback, the store
    byte-identical and still valid."""
    assert result.exit_code == 1, result.output
    assert result.output.startswith("Error: "), result.output
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.exception
    for needle in needles:
        assert needle in result.output, result.output
    assert store_path.read_bytes() == before
    check = csm("validate")
    assert check.exit_code == 0, check.output
