"""Crash safety: SIGKILL a writer in the middle of a stream of writes, then check the store.

Every write that was acknowledged (its transaction returned) must be there, the file must
parse and pass the integrity check, and the lock must be free for the next writer.
"""

from __future__ import annotations

import fcntl
import os
import random
import signal
import subprocess
import sys
import time

import orjson
import pytest

from service.integrity import integrity_problems
from service.store import Store
from tests.helpers import ROOT

WRITER = """
import sys
from service.store import Store
store = Store(sys.argv[1])
i = 0
while True:
    with store.transaction() as tx:
        row_id = tx.insert("ActivitiesTasks", {"account": "ACC-00001", "task_title": f"crash test {i}"})
    print(row_id, flush=True)  # acknowledged: the transaction has returned
    i += 1
"""


@pytest.fixture(scope="module")
def heavy_store(tmp_path_factory, seeded_file):
    """A store of a few MB, so that each write takes long enough to be interrupted."""
    path = tmp_path_factory.mktemp("heavy") / "csm.json"
    store = Store(seeded_file)
    data, _ = store.read()
    heavy = Store(path, initial=lambda: data)
    with heavy.transaction() as tx:
        tx.insert_many(
            "MetricHistory",
            [({"metric": "MET-00001", "value_date": f"2020-01-{1 + i % 28:02d}", "value": float(i)}, None)
             for i in range(6000)],
        )  # fmt: skip
    return path


def kill_one_writer(path, rng, *, while_writing: bool = False) -> bool:
    """Run a writer, SIGKILL it after a few acknowledged writes, check everything; True if
    the kill landed while it was writing the file (its temp file was left behind).

    With `while_writing`, the kill is aimed: it is sent the moment the writer's temp file
    appears, i.e. in the middle of writing the new version."""
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    acked = []
    target = rng.randint(2, 12)
    while len(acked) < target:
        line = proc.stdout.readline()
        assert line, proc.stderr.read()
        acked.append(line.strip())
    if while_writing:
        deadline = time.monotonic() + 10
        while not list(path.parent.glob(f".{path.name}.*.tmp")) and time.monotonic() < deadline:
            pass
    else:
        time.sleep(rng.random() * 0.04)  # land anywhere in the next transaction
    os.kill(proc.pid, signal.SIGKILL)
    rest, _ = proc.communicate(timeout=30)
    acked += [line.strip() for line in rest.splitlines() if line.strip()]
    assert proc.returncode == -signal.SIGKILL
    mid_write = bool(list(path.parent.glob(f".{path.name}.*.tmp")))

    data = orjson.loads(path.read_bytes())  # the file parses
    ids = {row["task_id"] for row in data["ActivitiesTasks"].values()}
    assert set(acked) <= ids, "an acknowledged write was lost"
    assert integrity_problems(data) == []

    lock = os.open(str(path) + ".lock", os.O_RDWR)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free: the dead writer's lock went with it
        fcntl.flock(lock, fcntl.LOCK_UN)
    finally:
        os.close(lock)
    with Store(path).transaction() as tx:  # and the next writer proceeds
        tx.insert("ActivitiesTasks", {"account": "ACC-00001", "task_title": "after the crash"})
    assert not list(path.parent.glob(f".{path.name}.*.tmp")), "a dead writer's temp file was left behind"
    return mid_write


def test_killed_writers_lose_no_acknowledged_write(heavy_store, tmp_path):
    """Kills at random points, then kills aimed at the write itself until two have landed there."""
    rng = random.Random(20261120)
    attempts = 0

    def fresh_store():
        nonlocal attempts
        attempts += 1
        path = tmp_path / f"run{attempts}" / "csm.json"
        path.parent.mkdir()
        path.write_bytes(heavy_store.read_bytes())
        return path

    for _ in range(4):
        kill_one_writer(fresh_store(), rng)
    mid_write = 0
    while mid_write < 2 and attempts < 40:
        mid_write += kill_one_writer(fresh_store(), rng, while_writing=True)
    assert mid_write == 2, f"only {mid_write} of {attempts - 4} aimed kills landed while the file was being written"
