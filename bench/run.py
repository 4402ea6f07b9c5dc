"""The whole benchmark in one command: `bash bench/run` (or `python -m bench.run`).

For 1,000 and 10,000 synthetic accounts (bench/portfolio.py), in one run on this machine:
store size; parse, derive and snapshot-build times; a locked atomic edit; then gunicorn (sync
workers, one per core) on loopback under wrk at 8 connections -- /health as the floor, a
500-row page, a formula -- a full walk of AccountMaster, the time from a CLI edit to the
service showing it, RSS per worker; and Datasette serving the same rows from SQLite under the
same wrk run, as the peer.  At 1,000 accounts also edits/s through the batch write endpoint
(bench/writes.py: 1 and 4 clients, batches of 1 and 100) and where one edit's time goes.
Writes bench/RESULTS.md.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

import orjson
import requests

from bench import portfolio, writes
from formulas import derive_all
from formulas.derive import derive_core
from service import writes as service_writes
from service.changelog import log_path
from service.snapshot import build
from service.store import Store, gc_paused, ordered_rows
from tests.helpers import free_port, start_service, stop_service, wait_ready

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "bench" / ".cache"
TOKEN = "bench-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
TODAY = dt.date(2026, 11, 20)
WRK_SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
SIZES = [int(n) for n in os.environ.get("BENCH_SIZES", "1000,10000").split(",")]
# Writes are measured at the design's scale point only: at 10,000 accounts one edit is seconds.
WRITE_SIZES = {int(n) for n in os.environ.get("BENCH_WRITE_SIZES", "1000").split(",") if n}
WRITE_SECONDS = int(os.environ.get("BENCH_WRITE_SECONDS", "15"))
WRITE_RUNS = [(1, 1), (4, 1), (1, 100), (4, 100)]  # (clients, batch)


def median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def stored_rows(data: dict) -> dict[str, list[dict]]:
    return {name: ordered_rows(data, name) for name in data if not name.startswith("_")}


def offline(path: Path, n: int) -> dict:
    raw = path.read_bytes()
    data = orjson.loads(raw)
    out = {"size_mb": len(raw) / 1e6, "rows": sum(len(v) for k, v in data.items() if not k.startswith("_"))}
    out["parse_ms"] = median_time(lambda: Store(path).read(), 5) * 1000
    tables = stored_rows(data)

    def paused(fn):
        def run():
            with gc_paused():  # as the snapshot build runs it
                fn(tables, TODAY)

        return run

    out["derive_core_ms"] = median_time(paused(derive_core), 7) * 1000
    out["derive_all_ms"] = median_time(paused(derive_all), 3) * 1000
    out["build_ms"] = median_time(lambda: build(orjson.loads(path.read_bytes()), TODAY), 3) * 1000

    def serve_everything():
        snap = build(orjson.loads(path.read_bytes()), TODAY)
        for rows in snap.tables.values():
            rows.page_json(range(len(rows)))

    out["serve_all_ms"] = median_time(serve_everything, 3) * 1000
    work = CACHE / "edit.json"
    shutil.copyfile(path, work)
    store = Store(work)
    counter = iter(range(10**6))

    def edit():
        with store.transaction() as tx:
            tx.update("AccountMaster", "ACC-00001", {"arr": 1_000_000 + next(counter)})

    out["edit_ms"] = median_time(edit, 5) * 1000
    out["automate"] = automate_runs(work)
    if n in WRITE_SIZES:
        tasks = ordered_rows(orjson.loads(path.read_bytes()), writes.TABLE)
        edits = writes.TaskEdits(tasks)  # stored rows: the same keys hold the same values as served

        def edit_batch():
            ids = edits.ids[:100]
            updates = [service_writes.Update(i, edits.changes(i), None) for i in ids]
            with store.transaction() as tx:
                assert service_writes.apply_batch(tx, writes.TABLE, updates) == ids
            for i, u in zip(ids, updates, strict=True):
                edits.seen[i] = u.changes

        out["edit100_ms"] = median_time(edit_batch, 5) * 1000
        out["write_breakdown_ms"] = writes.breakdown(path)
    work.unlink()
    log_path(work).unlink(missing_ok=True)
    return out


def automate_runs(path: Path) -> dict:
    """`csm automate`'s work (the four rules, no webhook) on the portfolio: the day's first run, and
    a second the same day, which finds nothing to do."""
    from service.automations.runner import Settings
    from service.automations.runner import run as automate

    out = {}
    for key in ("first", "again"):
        started = time.perf_counter()
        report = automate(Store(path), TODAY, Settings())
        out[f"{key}_ms"] = (time.perf_counter() - started) * 1000
        assert report.ok, [r.errors for r in report.rules]
        out[f"{key}_created"] = sum(len(r.outcome.created) + len(r.outcome.alerts) for r in report.rules)
    assert out["again_created"] == 0
    return out


WRK_LINE = re.compile(r"Requests/sec:\s+([\d.]+)")
PCT = re.compile(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.M)


def wrk(url: str, headers: dict | None = None, connections: int = 8) -> dict:
    args = ["wrk", "-t2", f"-c{connections}", f"-d{WRK_SECONDS}s", "--latency", "--timeout", "5s"]
    for k, v in (headers or {}).items():
        args += ["-H", f"{k}: {v}"]
    result = subprocess.run([*args, url], capture_output=True, text=True, timeout=WRK_SECONDS + 60)
    text = result.stdout
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    pct = {p: float(v) * scale[u] for p, v, u in PCT.findall(text)}
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    return {
        "rps": float(WRK_LINE.search(text).group(1)),
        "p50_ms": pct.get("50"),
        "p99_ms": pct.get("99"),
        "non_2xx": int(errors.group(1)) if errors else 0,
    }


def worker_rss_mb(master_pid: int) -> list[float]:
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    out = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        kb = int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1))
        out.append(kb / 1024)
    return out


def walk(base: str, session: requests.Session, table: str, limit: int = 500) -> list[dict]:
    """Every row of a table, following continuations as Coda does."""
    rows, url = [], f"{base}/v1/tables/{table}/rows?limit={limit}"
    while url:
        body = session.get(url, timeout=60).json()
        rows += body["rows"]
        token = body["continuation"]
        url = f"{base}/v1/tables/{table}/rows?limit={limit}&continuation={token}" if token else None
    return rows


def edit_to_visible(base: str, db: Path, session: requests.Session) -> dict:
    new_arr = 1_234_567
    url = f"{base}/v1/tables/AccountMaster/rows/ACC-00002"
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "service", "--db", str(db), "update", "AccountMaster", "ACC-00002", "--set",
         f"arr={new_arr}"],  # fmt: skip
        cwd=ROOT, check=True, capture_output=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    committed = time.perf_counter()
    streak, first = 0, None
    while streak < 10:  # ten answers in a row, from whichever workers, all showing the edit
        row = session.get(url, timeout=60).json()["row"]
        if row["arr"] == new_arr:
            first = first or time.perf_counter()
            streak += 1
        else:
            streak = 0
    done = time.perf_counter()
    return {
        "cli_ms": (committed - start) * 1000,
        "first_visible_after_commit_ms": (first - committed) * 1000,
        "all_workers_after_commit_ms": (done - committed) * 1000,
    }


def api_writes(base: str, session: requests.Session) -> list[dict]:
    """Edits/s through the batch endpoint for each (clients, batch) of WRITE_RUNS, in one run."""
    edits = writes.TaskEdits(walk(base, session, writes.TABLE, 1000))
    writes.drive(base, AUTH, edits, 1, 1, 1)  # warm-up: the first write, and the change log created
    return [writes.drive(base, AUTH, edits, c, b, WRITE_SECONDS) for c, b in WRITE_RUNS]


def datasette_python() -> Path:
    venv = CACHE / "venv-datasette"
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "datasette==0.65.*"], check=True)
    return python


def peer_db(rows: list[dict], path: Path) -> None:
    path.unlink(missing_ok=True)
    keys = list(rows[0])
    with sqlite3.connect(path) as db:
        db.execute(f"create table AccountMaster ({', '.join(f'[{k}]' for k in keys)}, primary key (account_id))")
        db.executemany(
            f"insert into AccountMaster values ({', '.join('?' for _ in keys)})",
            [[json.dumps(r[k]) if isinstance(r[k], dict | list) else r[k] for k in keys] for r in rows],
        )


DASHBOARD_PAGES = {
    "dash_overview": "/dashboard",
    "dash_account": "/dashboard/accounts/ACC-00003",
    "dash_view": "/dashboard/views/renewal-risk",
}


def dashboard_pages(base: str) -> dict:
    """The dashboard's pages under wrk, signed in (the session cookie as a header): req/s, latency, bytes."""
    browser = requests.Session()
    signed = browser.post(f"{base}/dashboard/signin", data={"token": TOKEN}, timeout=120)
    assert signed.url == f"{base}/dashboard", signed.url
    cookie = "; ".join(f"{c.name}={c.value}" for c in browser.cookies)
    out = {}
    for key, path in DASHBOARD_PAGES.items():
        page = browser.get(f"{base}{path}", timeout=120)
        assert page.status_code == 200, (path, page.status_code)
        out[key] = wrk(f"{base}{path}", {"Cookie": cookie})
        out[f"{key}_bytes"] = len(page.content)
    return out


def live(path: Path, n: int) -> dict:
    db = CACHE / f"live-{n}.json"
    shutil.copyfile(path, db)
    env = {**os.environ, "CSM_DATA": str(db), "CSM_TODAY": TODAY.isoformat(), "CSM_API_TOKENS": TOKEN}
    port = free_port()
    proc = start_service(["serve", "--port", str(port)], env, CACHE)
    base = f"http://127.0.0.1:{port}"
    out: dict = {}
    try:
        wait_ready(f"{base}/health", proc, timeout=120)
        session = requests.Session()
        session.headers.update(AUTH)
        for _ in range(20):  # every worker builds its snapshot before anything is timed
            session.get(f"{base}/health", timeout=120)
        rows = walk(base, session, "AccountMaster", 1000)
        out["walk_rows"] = len(rows)
        out["walk_ms"] = median_time(lambda: walk(base, session, "AccountMaster"), 3) * 1000
        out["health"] = wrk(f"{base}/health")
        out["page"] = wrk(f"{base}/v1/tables/AccountMaster/rows?limit=500", AUTH)
        out["page_tasks"] = wrk(f"{base}/v1/tables/ActivitiesTasks/rows?limit=500", AUTH)
        out["page_bytes"] = len(session.get(f"{base}/v1/tables/AccountMaster/rows?limit=500", timeout=60).content)
        out["page_tasks_bytes"] = len(
            session.get(f"{base}/v1/tables/ActivitiesTasks/rows?limit=500", timeout=60).content
        )
        out["formula"] = wrk(f"{base}/v1/formulas/GetAccountHealth?accountName=Account%2000042", AUTH)
        out.update(dashboard_pages(base))
        out["rss_mb"] = worker_rss_mb(proc.pid)
        out["edit"] = edit_to_visible(base, db, session)
        if n in WRITE_SIZES:
            out["writes"] = api_writes(base, session)

        peer = CACHE / "peer.db"
        peer_db(rows, peer)
        pport = free_port()
        dproc = subprocess.Popen(
            [str(datasette_python()), "-m", "datasette", "serve", str(peer), "--port", str(pport),
             "--setting", "max_returned_rows", "1000", "--setting", "default_page_size", "500"],  # fmt: skip
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        try:
            purl = f"http://127.0.0.1:{pport}/peer/AccountMaster.json?_size=500&_shape=objects"
            wait_ready(purl, dproc, timeout=60)
            assert len(requests.get(purl, timeout=10).json()["rows"]) == min(500, len(rows))
            out["peer"] = wrk(purl)
        finally:
            os.killpg(dproc.pid, 15)
            dproc.wait(timeout=15)
    finally:
        stop_service(proc)
        db.unlink(missing_ok=True)
        log_path(db).unlink(missing_ok=True)
    return out


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())  # fmt: skip
    mem = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1)) / 1024 / 1024
    return f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB RAM, Python {platform.python_version()}, {platform.system()}"


def main() -> None:
    CACHE.mkdir(parents=True, exist_ok=True)
    if "--report-only" in sys.argv:  # rewrite RESULTS.md from the last run's figures
        from bench.report import write_report

        saved = json.loads((CACHE / "last-results.json").read_text())
        write_report({int(n): r for n, r in saved.items()}, machine(), ROOT / "bench" / "RESULTS.md")
        return
    results = {}
    for n in SIZES:
        path = CACHE / f"portfolio-{n}.json"
        if not path.exists():
            print(f"generating {n} accounts ...", flush=True)
            start = time.perf_counter()
            portfolio.write(n, path)
            print(f"  {time.perf_counter() - start:.1f} s", flush=True)
        print(f"measuring {n} accounts ...", flush=True)
        results[n] = {**offline(path, n), **live(path, n)}
        print(json.dumps(results[n], indent=1), flush=True)
    from bench.report import write_report

    (CACHE / "last-results.json").write_text(json.dumps(results, indent=1))
    write_report(results, machine(), ROOT / "bench" / "RESULTS.md")
    print("wrote bench/RESULTS.md")


if __name__ == "__main__":
    main()
