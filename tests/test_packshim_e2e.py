"""End to end with the real Coda Packs SDK: validate, build, then run every sync table and
formula of the generated pack against the live service, with the SDK's schema checks on; then
write through it -- two-way sync edits (executeUpdate), the actions and the autocompletes --
first against a stub fetcher that records what the pack sends, then against a second live
service, re-syncing to see what landed.

Never skipped: `.ci/test` installs Node.js and the pinned SDK (`.ci/bootstrap-node`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import json
import os
import shutil
import subprocess
from zoneinfo import ZoneInfo

import pytest
import requests

from packshim.checks import normalise_key
from packshim.generate import HERE, generate, write
from schemas import SYNC_TABLES, get_table
from schemas.pack_formulas import PACK_FORMULAS
from seed import initial_data
from service.store import Store
from tests.helpers import ROOT, free_port, start_service, stop_service, wait_ready

NODE_MODULES = HERE / "node_modules"
TODAY = "2026-11-20"
ACCOUNT_NAMES = ["Acme Financial Services", "Nordic Logistics Group", "HealthTech Solutions", "Gard AS"]
BLANK_ACCOUNT = {
    "account_name": "Blank Slate Ltd",
    "industry_vertical": "Retail",
    "contract_type": "Standard",
    "contract_start_date": "2026-01-01",
    "contract_end_date": "2026-12-31",
    "renewal_date": "2026-12-31",
    "arr": 10_000,
}


def npx(args, cwd, tmp):
    env = {**os.environ, "TMPDIR": str(tmp)}
    return subprocess.run(["npx", "--no-install", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


@contextlib.contextmanager
def served_pack(work, **settings):
    """The service under gunicorn on a free loopback port (with `settings` as environment), and a
    pack generated for it whose credentials file holds the service's token."""
    assert (NODE_MODULES / "@codahq" / "packs-sdk").is_dir(), "run .ci/bootstrap-node (the README's test command does)"
    port = free_port()
    store = Store(work / "csm.json", initial=initial_data)
    with store.transaction() as tx:  # an account with no rows at all: its health is null
        tx.insert("AccountMaster", BLANK_ACCOUNT)
    env = {**os.environ, "CSM_DATA": str(store.path), "CSM_TODAY": TODAY, "CSM_API_TOKENS": "e2e-token", **settings}
    proc = start_service(["serve", "--port", str(port), "--workers", "2"], env, work)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(f"{base}/health", proc)
        pack_dir = work / "pack"
        write(generate(base), pack_dir)
        (pack_dir / "node_modules").symlink_to(NODE_MODULES)
        (pack_dir / ".coda-credentials.json").write_text(json.dumps({"credentials": {"token": "e2e-token"}}))
        tmp = work / "tmp"
        tmp.mkdir()
        yield {"base": base, "dir": pack_dir, "tmp": tmp}
    finally:
        stop_service(proc)


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """A service the tests only read from (their row counts hold), and its pack."""
    with served_pack(tmp_path_factory.mktemp("e2e")) as served:
        yield served


def test_typescript_accepts_the_generated_pack(live):
    result = npx(["tsc", "-p", "tsconfig.json"], live["dir"], live["tmp"])
    assert result.returncode == 0, result.stdout + result.stderr


def test_coda_validate_and_build(live):
    result = npx(["coda", "validate", "pack.ts"], live["dir"], live["tmp"])
    assert result.returncode == 0, result.stdout + result.stderr
    result = npx(["coda", "build", "pack.ts", "-o", "build"], live["dir"], live["tmp"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert (live["dir"] / "build" / "bundle.js").is_file()


def run_plan(live, steps, manifest=None):
    """Run `steps` through tests/support/pack_harness.js on the built pack; one result per step.

    `manifest` is the pack.ts beside which the harness finds `.coda-credentials.json` (the
    token the pack sends); by default the pack's own folder.
    """
    if not (live["dir"] / "build" / "bundle.js").is_file():
        result = npx(["coda", "build", "pack.ts", "-o", "build"], live["dir"], live["tmp"])
        assert result.returncode == 0, result.stdout + result.stderr
    plan = live["tmp"] / f"plan-{next(PLANS)}.json"
    plan.write_text(json.dumps({"steps": steps}))
    result = subprocess.run(
        [
            "node",
            str(ROOT / "tests" / "support" / "pack_harness.js"),
            str(live["dir"] / "build" / "bundle.js"),
            str(manifest or live["dir"] / "pack.ts"),
            str(plan),
        ],
        cwd=live["dir"],
        env={**os.environ, "TMPDIR": str(live["tmp"])},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    results = json.loads(result.stdout)["results"]
    assert len(results) == len(steps)
    return results


PLANS = itertools.count()
PORTFOLIO_CALLS = ([], ["Sarah Chen"], ["  james OKAFOR "], ["PER-00003"])
MORE_PARAMS = {"CreateReferenceID": ["obj", 7], "CalculatePlatformROI": ["Last 12M"]}


@pytest.fixture(scope="module")
def harness(live):
    """Every sync table and a battery of formula calls through the SDK's development harness."""
    calls = []
    for spec in PACK_FORMULAS:
        if spec.name == "GetPortfolioSummary":
            continue  # a CSM's name, not an account's: PORTFOLIO_CALLS
        for name in ACCOUNT_NAMES:
            params = [name, *MORE_PARAMS.get(spec.name, [])]
            calls.append({"name": spec.name, "params": params})
    calls += [{"name": "GetPortfolioSummary", "params": p} for p in PORTFOLIO_CALLS]
    calls.append({"name": "GetPortfolioSummary", "params": ["Sara Chen"]})
    calls.append({"name": "GetQBRBrief", "params": ["Acme Financial Services", "2026-09-22", "2026-09-22"]})
    calls.append({"name": "GetAccountHealth", "params": ["  healthtech SOLUTIONS "]})
    calls.append({"name": "GetAccountHealth", "params": ["Acme Financial"]})
    calls.append({"name": "GetAccountHealth", "params": ["Blank Slate Ltd"]})
    calls.append({"name": "FormatAccountSummary", "params": ["Blank Slate Ltd"]})
    calls.append({"name": "CreateReferenceID", "params": ["Gard AS", "O", 1]})
    steps = [{"op": "sync", "table": t.name} for t in SYNC_TABLES]
    steps += [{"op": "formula", **call} for call in calls]
    results = run_plan(live, steps)
    tables = {t.name: r for t, r in zip(SYNC_TABLES, results, strict=False)}
    formulas = [{**call, **r} for call, r in zip(calls, results[len(SYNC_TABLES) :], strict=True)]
    return {"tables": tables, "formulas": formulas}


AUTH = {"Authorization": "Bearer e2e-token"}


def service_rows(base, table):
    rows, url = [], f"{base}/v1/tables/{table}/rows?limit=1000"
    while url:
        body = requests.get(url, headers=AUTH, timeout=10).json()
        rows += body["rows"]
        url = (
            f"{base}/v1/tables/{table}/rows?limit=1000&continuation={body['continuation']}"
            if body["continuation"]
            else None
        )
    return rows


def test_every_table_syncs_with_the_services_row_count(live, harness):
    for table in SYNC_TABLES:
        synced = harness["tables"][table.name]
        assert synced["ok"], (table.name, synced.get("error"))
        assert len(synced["rows"]) == len(service_rows(live["base"], table.name)), table.name


def test_every_reference_points_at_a_row_of_its_target_table(harness):
    ids = {}
    for table in SYNC_TABLES:
        id_col = normalise_key(table.id_key)
        ids[table.name] = {row[id_col] for row in harness["tables"][table.name]["rows"]}
    checked = 0
    for table in SYNC_TABLES:
        for row in harness["tables"][table.name]["rows"]:
            for f in table.reference_fields:
                value = row.get(normalise_key(f.key))
                if value is None:
                    continue
                target = get_table(f.ref)
                for ref in value if f.many else [value]:
                    assert ref[normalise_key(target.id_key)] in ids[f.ref], (table.name, f.key, ref)
                    assert ref[normalise_key(target.display_key)], (table.name, f.key, ref)
                    checked += 1
    assert checked > 300


def test_values_arrive_as_the_service_serves_them(live, harness):
    served = {r["account_id"]: r for r in service_rows(live["base"], "AccountMaster")}
    for row in harness["tables"]["AccountMaster"]["rows"]:
        mine = served[row["AccountId"]]
        assert row.get("HealthScore") == mine["health_score"]
        assert row["Arr"] == mine["arr"]
        assert row["RenewalRiskLevel"] == mine["renewal_risk_level"]
    apis = {r["api_id"]: r for r in service_rows(live["base"], "APIPortfolio")}
    for row in harness["tables"]["APIPortfolio"]["rows"]:
        expected = apis[row["ApiId"]]["sla_compliance_percent"]
        assert row["SlaCompliancePercent"] == pytest.approx(expected / 100)  # Percent hint: a fraction


def test_formula_results_equal_the_services(live, harness):
    ok_calls = [
        c
        for c in harness["formulas"]
        if c["params"] and c["params"][0] in ACCOUNT_NAMES and c["params"][1:] == MORE_PARAMS.get(c["name"], [])
    ]
    assert len(ok_calls) == 4 * (len(PACK_FORMULAS) - 1)
    ok_calls += [
        c for c in harness["formulas"] if c["name"] == "GetPortfolioSummary" and c["params"] in PORTFOLIO_CALLS
    ]
    assert len(ok_calls) == 4 * len(PACK_FORMULAS)
    for call in ok_calls:
        spec = next(s for s in PACK_FORMULAS if s.name == call["name"])
        query = {p.name: v for p, v in zip(spec.params, call["params"], strict=False)}
        expected = requests.get(
            f"{live['base']}/v1/formulas/{call['name']}", params=query, headers=AUTH, timeout=10
        ).json()
        assert call["ok"], call
        assert call["result"] == expected["result"], call
    spaced = next(c for c in harness["formulas"] if c["params"] == ["  healthtech SOLUTIONS "])
    assert spaced["ok"] and spaced["result"] == 63.7


def test_no_data_gives_an_explained_error_not_a_made_up_number(harness):
    health = next(
        c for c in harness["formulas"] if c["params"] == ["Blank Slate Ltd"] and c["name"] == "GetAccountHealth"
    )
    # The service answers null; the SDK rejects null from a Number formula, so the pack explains instead.
    assert health["ok"] is False
    assert "Blank Slate Ltd has no health score yet" in health["error"]
    summary = next(
        c for c in harness["formulas"] if c["name"] == "FormatAccountSummary" and c["params"] == ["Blank Slate Ltd"]
    )
    assert (
        summary["result"] == "Blank Slate Ltd | ARR $10K | Health n/a | Renewal 2026-12-31 (41 days) | CSM unassigned"
    )


def test_formula_errors_surface_as_errors_not_values(harness):
    unknown = next(c for c in harness["formulas"] if c["params"] == ["Acme Financial"])
    assert unknown["ok"] is False
    assert "No account named 'Acme Financial'. Did you mean 'Acme Financial Services'?" in unknown["error"]
    bad_type = next(c for c in harness["formulas"] if c["params"] == ["Gard AS", "O", 1])
    assert bad_type["ok"] is False and "entityType must be 2 to 6 letters" in bad_type["error"]
    no_one = next(c for c in harness["formulas"] if c["params"] == ["Sara Chen"])
    assert (
        no_one["ok"] is False
        and "No one in PeopleTeam is named 'Sara Chen'. Did you mean 'Sarah Chen'?" in (no_one["error"])
    )


def test_the_portfolio_summary_through_the_sdk_with_and_without_its_optional_name(harness):
    results = {
        tuple(c["params"]): c.get("result") or c.get("error")
        for c in harness["formulas"]
        if c["name"] == "GetPortfolioSummary"
    }
    # The live store adds Blank Slate Ltd (no data, no CSM) to the seed's four.
    assert results[()].startswith("All accounts: 5 accounts | ARR $3.2M | at risk $350K (1) | avg health 77.0 (2 80+")
    assert "1 no data" in results[()]
    example_params, example_result = next(s for s in PACK_FORMULAS if s.name == "GetPortfolioSummary").example
    assert results[example_params] == example_result
    assert results[("  james OKAFOR ",)].startswith("James Okafor: 1 account | ARR $350K | at risk $350K (1)")
    assert results[("PER-00003",)].startswith("Lisa Martinez: 0 accounts")  # the AE is no one's CSM


def test_the_qbr_brief_through_the_sdk_with_its_optional_dates(harness):
    spec = next(s for s in PACK_FORMULAS if s.name == "GetQBRBrief")
    example = next(c for c in harness["formulas"] if c["name"] == spec.name and tuple(c["params"]) == spec.example[0])
    assert example["ok"] and example["result"] == spec.example[1]
    dated = next(c for c in harness["formulas"] if c["name"] == spec.name and len(c["params"]) == 3)
    assert dated["ok"], dated
    assert dated["result"].startswith("# QBR brief: Acme Financial Services (2026-09-22 to 2026-09-22)")
    assert "3-year ROI 479%" in dated["result"]


def test_the_platform_roi_through_the_sdk_with_its_period_from_the_options(harness):
    spec = next(s for s in PACK_FORMULAS if s.name == "CalculatePlatformROI")
    call = next(c for c in harness["formulas"] if c["name"] == spec.name and tuple(c["params"]) == spec.example[0])
    assert call["ok"] and call["result"] == spec.example[1]


def test_the_committed_shim_builds_too(tmp_path):
    """The copy in packshim/ (for the documented default URL) is itself a valid pack."""
    work = tmp_path / "committed"
    work.mkdir()
    for name in ("pack.ts", "runtime.ts", "package.json", "tsconfig.json"):
        shutil.copy(HERE / name, work / name)
    (work / "node_modules").symlink_to(NODE_MODULES)
    result = npx(["coda", "validate", "pack.ts"], work, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


# --- two-way sync: what the pack sends, through the SDK's executeUpdate, with a stub service ---


@pytest.fixture(scope="module")
def raw_rows(live):
    """Synced rows in the pack's own keys: the form Coda hands to executeUpdate."""
    tables = ("APIPortfolio", "ActivitiesTasks", "PeopleTeam")
    results = run_plan(live, [{"op": "sync", "table": name, "raw": True} for name in tables])
    assert all(r["ok"] for r in results), results
    return {name: r["rows"] for name, r in zip(tables, results, strict=True)}


def batch_answer(*results):
    return [{"status": 200, "body": {"ok": True, "results": list(results)}}]


def test_edits_reach_the_batch_endpoint_in_the_services_own_form(live, raw_rows):
    api = next(r for r in raw_rows["APIPortfolio"] if "uptime_percent" in r and "last_deployed_date" in r)
    other_api = next(r for r in raw_rows["APIPortfolio"] if r["api_id"] != api["api_id"])
    served = {r["api_id"]: r for r in service_rows(live["base"], "APIPortfolio")}[api["api_id"]]
    assert api["uptime_percent"] == pytest.approx(served["uptime_percent"] / 100)  # Coda holds a fraction
    edited = {**api, "uptime_percent": 0.819, "last_deployed_date": "2026-11-30T11:00:00.000Z"}
    del edited["owner_team"]  # a cleared cell
    renamed = {**other_api, "api_name": "Renamed API"}
    updates = [
        {
            "previousValue": api,
            "newValue": edited,
            "updatedFields": ["uptime_percent", "last_deployed_date", "owner_team"],
        },
        {"previousValue": other_api, "newValue": renamed, "updatedFields": ["api_name"]},
    ]
    answer_row = {**served, "uptime_percent": 81.9, "last_deployed_date": "2026-12-01", "owner_team": None}
    conflict = {"ok": False, "status": 409, "code": "conflict", "error": "API-00002: api_name changed since your sync."}
    [result] = run_plan(
        live,
        [
            {
                "op": "update",
                "table": "APIPortfolio",
                "updates": updates,
                "timezone": "Pacific/Auckland",  # 11:00 UTC on Nov 30 is Dec 1 there
                "stub": batch_answer({"ok": True, "row": answer_row}, conflict),
            }
        ],
    )
    assert result["ok"], result
    [request] = result["requests"]
    assert request["method"] == "POST"
    assert request["url"] == f"{live['base']}/v1/tables/APIPortfolio/rows/batch"
    assert request["body"] == {
        "updates": [
            {
                "id": api["api_id"],
                "previous": {
                    "uptime_percent": served["uptime_percent"],  # back to 0-100, without binary noise
                    "last_deployed_date": served["last_deployed_date"],
                    "owner_team": served["owner_team"],
                },
                "changes": {"uptime_percent": 81.9, "last_deployed_date": "2026-12-01", "owner_team": None},
            },
            {
                "id": other_api["api_id"],
                "previous": {"api_name": other_api["api_name"]},
                "changes": {"api_name": "Renamed API"},
            },
        ]
    }
    ok, refused = result["results"]
    assert ok["ok"] and ok["row"]["uptime_percent"] == pytest.approx(0.819)  # shaped like a synced row
    assert ok["row"]["last_deployed_date"] == "2026-12-01" and "owner_team" not in ok["row"]
    assert refused == {"ok": False, "error": conflict["error"], "userVisible": True}


def test_edits_too_large_for_one_request_go_in_several_and_one_too_large_alone_fails_alone(live, raw_rows):
    tasks = raw_rows["ActivitiesTasks"][:4]
    long_text = "é" * 200_000  # 400 KB as UTF-8: two fit in one request, not three
    updates = [
        {"previousValue": t, "newValue": {**t, "description": long_text}, "updatedFields": ["description"]}
        for t in tasks[:3]
    ]
    huge = "x" * 1_000_000
    updates.append(
        {"previousValue": tasks[3], "newValue": {**tasks[3], "description": huge}, "updatedFields": ["description"]}
    )
    rows = {r["task_id"]: r for r in service_rows(live["base"], "ActivitiesTasks")}
    answers = [{"ok": True, "row": rows[t["task_id"]]} for t in tasks[:3]]
    stub = [
        {"status": 200, "body": {"ok": True, "results": answers[:2]}},
        {"status": 200, "body": {"ok": True, "results": answers[2:]}},
    ]
    [result] = run_plan(live, [{"op": "update", "table": "ActivitiesTasks", "updates": updates, "stub": stub}])
    assert result["ok"], result
    sizes = [len(json.dumps(r["body"], ensure_ascii=False).encode()) for r in result["requests"]]
    assert [len(r["body"]["updates"]) for r in result["requests"]] == [2, 1] and max(sizes) < 1024 * 1024
    assert [r["ok"] for r in result["results"]] == [True, True, True, False]
    assert "too large to send" in result["results"][3]["error"]


def test_a_later_request_that_fails_leaves_the_earlier_results_and_fails_only_its_rows(live, raw_rows):
    tasks = raw_rows["ActivitiesTasks"][:3]
    long_text = "é" * 200_000
    updates = [
        {"previousValue": t, "newValue": {**t, "description": long_text}, "updatedFields": ["description"]}
        for t in tasks
    ]
    rows = {r["task_id"]: r for r in service_rows(live["base"], "ActivitiesTasks")}
    busy = {"ok": False, "status": 503, "code": "store_unavailable", "error": "The data store is unavailable."}
    stub = [
        {"status": 200, "body": {"ok": True, "results": [{"ok": True, "row": rows[t["task_id"]]} for t in tasks[:2]]}},
        {"status": 503, "body": busy},
    ]
    [result] = run_plan(live, [{"op": "update", "table": "ActivitiesTasks", "updates": updates, "stub": stub}])
    assert result["ok"] and [r["ok"] for r in result["results"]] == [True, True, False]
    assert result["results"][2]["error"] == busy["error"]


def test_dates_inside_a_list_of_objects_are_sent_as_days(live):
    plan = service_rows(live["base"], "SuccessPlanTracker")[0]
    raw = run_plan(live, [{"op": "sync", "table": "SuccessPlanTracker", "raw": True}])[0]["rows"][0]
    milestones = [{**m, "due_date": "2026-12-31T23:30:00.000Z"} for m in raw["milestones"]]
    update = {"previousValue": raw, "newValue": {**raw, "milestones": milestones}, "updatedFields": ["milestones"]}
    stub = batch_answer({"ok": True, "row": plan})
    [result] = run_plan(
        live,
        [
            {
                "op": "update",
                "table": "SuccessPlanTracker",
                "updates": [update],
                "timezone": "Pacific/Auckland",
                "stub": stub,
            }
        ],
    )
    sent = result["requests"][0]["body"]["updates"][0]["changes"]["milestones"]
    assert {m["due_date"] for m in sent} == {"2027-01-01"}  # 23:30 UTC on Dec 31 is Jan 1 in Auckland


def test_a_reference_edit_is_sent_as_the_served_reference_object(live, raw_rows):
    task = raw_rows["ActivitiesTasks"][0]
    other = next(r for r in raw_rows["ActivitiesTasks"] if r["account"] != task["account"])
    moved = {**task, "account": other["account"], "status": "Done"}
    update = {"previousValue": task, "newValue": moved, "updatedFields": ["account", "status"]}
    [result] = run_plan(
        live,
        [
            {
                "op": "update",
                "table": "ActivitiesTasks",
                "updates": [update],
                "stub": batch_answer({"ok": True, "row": {**task, "account": other["account"], "status": "Done"}}),
            }
        ],
    )
    assert result["requests"][0]["body"] == {
        "updates": [
            {
                "id": task["task_id"],
                "previous": {"account": task["account"], "status": task["status"]},
                "changes": {"account": other["account"], "status": "Done"},
            }
        ]
    }
    assert result["results"][0]["row"]["account"] == other["account"]


def test_a_date_edited_in_the_docs_timezone_keeps_its_day(live, raw_rows):
    task = raw_rows["ActivitiesTasks"][0]
    steps = [
        {
            "op": "update",
            "table": "ActivitiesTasks",
            "timezone": timezone,
            "updates": [
                {"previousValue": task, "newValue": {**task, "due_date": value}, "updatedFields": ["due_date"]}
            ],
            "stub": batch_answer({"ok": True, "row": {"task_id": task["task_id"]}}),
        }
        for timezone, value in [
            ("America/Los_Angeles", "2026-12-05T08:00:00.000Z"),  # midnight in Los Angeles
            ("America/Los_Angeles", "2026-12-05T07:59:00.000Z"),  # still Dec 4 there
            ("UTC", "2026-12-05"),  # a plain day stays as it is
        ]
    ]
    days = [r["requests"][0]["body"]["updates"][0]["changes"]["due_date"] for r in run_plan(live, steps)]
    assert days == ["2026-12-05", "2026-12-04", "2026-12-05"]


def test_a_refused_batch_is_one_error_with_the_services_message(live, raw_rows):
    person = raw_rows["PeopleTeam"][0]
    update = {"previousValue": person, "newValue": {**person, "title": "Head of CS"}, "updatedFields": ["title"]}
    refusal = {"ok": False, "status": 403, "code": "read_only_token", "error": "This token may only read."}
    short = {"status": 200, "body": {"ok": True, "results": []}}
    whole, mismatched = run_plan(
        live,
        [
            {"op": "update", "table": "PeopleTeam", "updates": [update], "stub": [{"status": 403, "body": refusal}]},
            {"op": "update", "table": "PeopleTeam", "updates": [update], "stub": [short]},
        ],
    )
    assert whole == {
        "ok": False,
        "error": "This token may only read.",
        "userVisible": True,
        "requests": whole["requests"],
    }
    assert mismatched["ok"] is False and mismatched["userVisible"]
    assert mismatched["error"] == "The CSM Cockpit service answered 0 results for 1 edits."


# --- actions and autocomplete: what the pack sends, with a stub service ---


def test_an_action_sends_its_parameters_as_json_and_returns_the_row_with_identity(live):
    engagement = service_rows(live["base"], "EngagementLog")[0]
    steps = [
        {
            "op": "formula",
            "name": "LogEngagement",
            # the doc is in Auckland: Coda passes midnight there, which is still Nov 17 in UTC
            "params": ["Acme Financial Services", "QBR", "Positive", {"$date": "2026-11-18T00:00:00+13:00"}, 8, None],
            "timezone": "Pacific/Auckland",
            "stub": [{"status": 200, "body": {"ok": True, "row": engagement}}],
        },
        {
            "op": "formula",
            "name": "CompleteTask",
            "params": ["TSK-00003"],
            "stub": [{"status": 404, "body": {"ok": False, "status": 404, "code": "unknown_row", "error": "No task."}}],
        },
    ]
    logged, missing = run_plan(live, steps)
    assert logged["ok"], logged
    [request] = logged["requests"]
    assert request["method"] == "POST" and request["url"] == f"{live['base']}/v1/actions/LogEngagement"
    auckland_today = dt.datetime.now(ZoneInfo("Pacific/Auckland")).date().isoformat()
    assert request["headers"]["X-CSM-Today"] == auckland_today  # the doc's today, not the service's
    assert request["body"] == {  # optional parameters left out are not sent
        "accountName": "Acme Financial Services",
        "engagementType": "QBR",
        "sentiment": "Positive",
        "engagementDate": "2026-11-18",
        "relationshipDepthScore": 8,
    }
    row = logged["result"]  # checked against the table's schema by the SDK, keys as Coda names them
    assert row["EngagementId"] == engagement["engagement_id"]
    assert row["Account"]["AccountId"] == engagement["account"]["account_id"]
    assert missing == {"ok": False, "error": "No task.", "userVisible": True, "requests": missing["requests"]}
    assert missing["requests"][0]["body"] == {"taskId": "TSK-00003"}


def test_account_parameters_autocomplete_from_the_service_and_options_from_the_list(live):
    names = [{"display": "Acme Financial Services", "value": "Acme Financial Services"}]
    steps = [
        {
            "op": "autocomplete",
            "name": "GetAccountHealth",
            "param": "accountName",
            "search": "acme & co",
            "stub": [{"status": 200, "body": {"ok": True, "results": names}}],
        },
        {"op": "autocomplete", "name": "LogEngagement", "param": "engagementType", "search": "review"},
    ]
    accounts, options = run_plan(live, steps)
    assert accounts["ok"] and accounts["result"] == names
    assert accounts["requests"][0]["url"] == f"{live['base']}/v1/autocomplete/accounts?search=acme%20%26%20co"
    assert options["ok"] and [o["value"] for o in options["result"]] == ["Technical Review", "Success Plan Review"]


# --- writing through the pack, end to end: a second service the pack edits ---

WRITE_AUTH = {"Authorization": "Bearer e2e-token"}
READ_AUTH = {"Authorization": "Bearer read-token"}


@pytest.fixture(scope="module")
def writable(tmp_path_factory):
    """A service the pack writes to, with a read-only token besides the pack's own; `reader` is
    a pack.ts whose credentials file holds that read-only token."""
    work = tmp_path_factory.mktemp("e2e-writes")
    settings = {"CSM_API_TOKENS": "writer=e2e-token", "CSM_API_READ_TOKENS": "reader=read-token"}
    with served_pack(work, **settings) as served:
        reader = work / "reader"
        reader.mkdir()
        shutil.copy(served["dir"] / "pack.ts", reader / "pack.ts")
        (reader / "node_modules").symlink_to(NODE_MODULES)
        (reader / ".coda-credentials.json").write_text(json.dumps({"credentials": {"token": "read-token"}}))
        yield {**served, "reader": reader / "pack.ts"}


def raw_sync(served, *tables):
    """Each table's rows in the pack's own keys (what Coda hands to executeUpdate), by id."""
    results = run_plan(served, [{"op": "sync", "table": name, "raw": True} for name in tables])
    assert all(r["ok"] for r in results), results
    return [{row[get_table(name).id_key]: row for row in r["rows"]} for name, r in zip(tables, results, strict=True)]


def synced(result, table):
    """A checked sync's rows (Coda's names for the keys), by id."""
    assert result["ok"], result
    return {row[normalise_key(get_table(table).id_key)]: row for row in result["rows"]}


def served_by_id(base, table):
    return {row[get_table(table).id_key]: row for row in service_rows(base, table)}


def edit(row, **changes):
    """One executeUpdate update: `row` as last synced, with `changes` made in Coda."""
    return {"previousValue": row, "newValue": {**row, **changes}, "updatedFields": list(changes)}


def person_ref(person):
    return {"person_id": person["person_id"], "full_name": person["full_name"]}


def test_edits_in_synced_rows_land_in_the_store_and_survive_a_resync(writable):
    tasks, people, accounts, apis = raw_sync(writable, "ActivitiesTasks", "PeopleTeam", "AccountMaster", "APIPortfolio")
    task = next(t for t in tasks.values() if t["status"] not in ("Done", "Waiting"))
    person = next(iter(people.values()))
    account = next(iter(accounts.values()))
    current_csm = account.get("customer_success_manager", {}).get("person_id")
    csm = next(p for p in people.values() if p["person_id"] != current_csm)
    api = next(iter(apis.values()))
    updates = [
        ("ActivitiesTasks", edit(task, status="Waiting")),
        ("PeopleTeam", edit(person, title="VP Customer Success")),
        ("AccountMaster", edit(account, customer_success_manager=person_ref(csm))),  # a reference object
        # a fraction and an ISO date-time, as Coda holds them (the doc is in Los Angeles)
        ("APIPortfolio", edit(api, uptime_percent=0.9991, last_deployed_date="2026-11-19T08:00:00.000Z")),
    ]
    steps = [{"op": "update", "table": table, "updates": [update]} for table, update in updates]
    steps += [{"op": "sync", "table": table} for table, _ in updates]
    results = run_plan(writable, steps)
    for (table, _), result in zip(updates, results, strict=False):
        assert result["ok"] and result["results"][0]["ok"], (table, result)
    assert results[0]["results"][0]["row"]["status"] == "Waiting"  # the row as stored, shaped for Coda
    assert results[3]["results"][0]["row"]["uptime_percent"] == pytest.approx(0.9991)

    resynced = [synced(r, table) for (table, _), r in zip(updates, results[4:], strict=True)]
    assert resynced[0][task["task_id"]]["Status"] == "Waiting"
    assert resynced[1][person["person_id"]]["Title"] == "VP Customer Success"
    assert resynced[2][account["account_id"]]["CustomerSuccessManager"]["PersonId"] == csm["person_id"]
    assert resynced[3][api["api_id"]]["UptimePercent"] == pytest.approx(0.9991)
    assert resynced[3][api["api_id"]]["LastDeployedDate"] == "2026-11-19"

    assert served_by_id(writable["base"], "ActivitiesTasks")[task["task_id"]]["status"] == "Waiting"
    assert served_by_id(writable["base"], "PeopleTeam")[person["person_id"]]["title"] == "VP Customer Success"
    stored_account = served_by_id(writable["base"], "AccountMaster")[account["account_id"]]
    assert stored_account["customer_success_manager"] == person_ref(csm)
    stored_api = served_by_id(writable["base"], "APIPortfolio")[api["api_id"]]
    assert stored_api["uptime_percent"] == 99.91 and stored_api["last_deployed_date"] == "2026-11-19"


def test_logging_an_engagement_moves_the_accounts_derived_columns(writable):
    [before] = run_plan(writable, [{"op": "sync", "table": "AccountMaster"}])
    account = next(
        a
        for a in synced(before, "AccountMaster").values()
        if a.get("LastEngagementDate", "") < TODAY and a.get("StakeholderEngagement", 0) < 90
    )
    today_in_la = {"$date": f"{TODAY}T00:00:00-08:00"}  # Coda passes midnight in the doc's timezone
    params = [account["AccountName"], "QBR", "Very Positive", today_in_la, 10, "Renewal plan agreed."]
    logged, after = run_plan(
        writable,
        [{"op": "formula", "name": "LogEngagement", "params": params}, {"op": "sync", "table": "AccountMaster"}],
    )
    assert logged["ok"], logged
    row = logged["result"]
    assert row["EngagementId"].startswith("ENG-") and row["EngagementDate"] == TODAY
    assert row["Account"] == {"AccountId": account["AccountId"], "AccountName": account["AccountName"]}
    moved = synced(after, "AccountMaster")[account["AccountId"]]
    assert moved["LastEngagementDate"] == TODAY
    assert moved["StakeholderEngagement"] > account.get("StakeholderEngagement", 0)
    assert row["EngagementId"] in served_by_id(writable["base"], "EngagementLog")


def test_a_conflicting_edit_and_a_bad_value_change_nothing_while_good_rows_land(writable):
    [tasks] = raw_sync(writable, "ActivitiesTasks")
    good, stale, bad, also_good = [t for t in tasks.values() if t["status"] not in ("Done", "Cancelled")][:4]
    stale_previous = {**stale, "status": "Cancelled"}  # what Coda last saw is not what is stored
    updates = [
        edit(good, priority="Critical" if good["priority"] != "Critical" else "Low"),
        {"previousValue": stale_previous, "newValue": {**stale, "status": "Done"}, "updatedFields": ["status"]},
        edit(bad, status="Finished"),  # not an option
        edit(also_good, task_title="Prepare the renewal deck"),
    ]
    before = served_by_id(writable["base"], "ActivitiesTasks")
    [result] = run_plan(writable, [{"op": "update", "table": "ActivitiesTasks", "updates": updates}])
    assert result["ok"], result
    landed, conflict, invalid, landed_too = result["results"]
    assert landed["ok"] and landed_too["ok"]
    assert landed["row"]["priority"] == updates[0]["newValue"]["priority"]

    # The per-row errors are the service's own messages for exactly these edits.
    expected = requests.post(
        f"{writable['base']}/v1/tables/ActivitiesTasks/rows/batch",
        json={
            "updates": [
                {"id": stale["task_id"], "previous": {"status": "Cancelled"}, "changes": {"status": "Done"}},
                {"id": bad["task_id"], "previous": {"status": bad["status"]}, "changes": {"status": "Finished"}},
            ]
        },
        headers=WRITE_AUTH,
        timeout=10,
    ).json()["results"]
    assert [e["code"] for e in expected] == ["conflict", "invalid_row"]
    assert conflict == {"ok": False, "error": expected[0]["error"], "userVisible": True}
    assert invalid == {"ok": False, "error": expected[1]["error"], "userVisible": True}

    after = served_by_id(writable["base"], "ActivitiesTasks")
    assert after[stale["task_id"]] == before[stale["task_id"]]
    assert after[bad["task_id"]] == before[bad["task_id"]]
    assert after[good["task_id"]]["priority"] == updates[0]["newValue"]["priority"]
    assert after[also_good["task_id"]]["task_title"] == "Prepare the renewal deck"


def test_a_read_only_token_cannot_write_through_the_pack(writable):
    [tasks] = raw_sync(writable, "ActivitiesTasks")
    task = next(t for t in tasks.values() if t["status"] != "Done")
    before = served_by_id(writable["base"], "ActivitiesTasks")
    steps = [
        {"op": "update", "table": "ActivitiesTasks", "updates": [edit(task, status="Done")]},
        {"op": "formula", "name": "CompleteTask", "params": [task["task_id"]]},
        {"op": "sync", "table": "ActivitiesTasks"},
    ]
    update, action, sync = run_plan(writable, steps, manifest=writable["reader"])
    refusal = requests.post(
        f"{writable['base']}/v1/tables/ActivitiesTasks/rows/batch", json={"updates": []}, headers=READ_AUTH, timeout=10
    )
    assert refusal.status_code == 403 and refusal.json()["code"] == "read_only_token"
    assert update == {"ok": False, "error": refusal.json()["error"], "userVisible": True}
    assert action == {"ok": False, "error": refusal.json()["error"], "userVisible": True}
    assert len(synced(sync, "ActivitiesTasks")) == len(before)  # reading is fine
    assert served_by_id(writable["base"], "ActivitiesTasks") == before


def test_actions_return_their_row_with_its_id(writable):
    tasks = served_by_id(writable["base"], "ActivitiesTasks")
    task = next(t for t in tasks.values() if t["status"] not in ("Done", "Cancelled"))
    metrics = service_rows(writable["base"], "PlatformHealthMetrics")
    names = [(m["account"]["account_id"], m["metric_name"].casefold()) for m in metrics]
    metric = next(m for m, key in zip(metrics, names, strict=True) if names.count(key) == 1)
    due = {"$date": "2026-12-01T00:00:00-08:00"}
    steps = [
        {"op": "formula", "name": "CompleteTask", "params": [task["task_id"]]},
        {
            "op": "formula",
            "name": "RecordMetricValue",
            "params": [metric["account"]["account_name"], metric["metric_name"], 42.5],
        },
        {"op": "formula", "name": "CreateTask", "params": ["Gard AS", "Call the sponsor", due, "High"]},
        {"op": "sync", "table": "ActivitiesTasks"},
    ]
    completed, recorded, created, sync = run_plan(writable, steps)
    assert completed["ok"], completed
    assert completed["result"]["TaskId"] == task["task_id"]
    assert completed["result"]["Status"] == "Done" and completed["result"]["CompletedDate"] == TODAY
    assert recorded["ok"], recorded
    assert recorded["result"]["MetricId"] == metric["metric_id"] and recorded["result"]["CurrentValue"] == 42.5
    assert served_by_id(writable["base"], "PlatformHealthMetrics")[metric["metric_id"]]["current_value"] == 42.5
    assert created["ok"], created
    new_id = created["result"]["TaskId"]
    assert new_id not in tasks
    resynced = synced(sync, "ActivitiesTasks")[new_id]
    assert resynced["TaskTitle"] == "Call the sponsor" and resynced["DueDate"] == "2026-12-01"
    assert resynced["Priority"] == "High" and resynced["Account"]["AccountName"] == "Gard AS"


def test_account_names_autocomplete_from_the_live_service(writable):
    [acme, everyone] = run_plan(
        writable,
        [
            {"op": "autocomplete", "name": "LogEngagement", "param": "accountName", "search": "acme"},
            {"op": "autocomplete", "name": "GetAccountHealth", "param": "accountName", "search": ""},
        ],
    )
    served = requests.get(
        f"{writable['base']}/v1/autocomplete/accounts", params={"search": "acme"}, headers=WRITE_AUTH, timeout=10
    ).json()["results"]
    assert acme["ok"] and acme["result"] == served
    assert {"display": "Acme Financial Services", "value": "Acme Financial Services"} in acme["result"]
    assert everyone["ok"] and len(everyone["result"]) > 1


def test_the_history_tables_sync_read_only_with_their_references_for_charts(live, harness):
    history = harness["tables"]["AccountHealthHistory"]["rows"]
    served = {r["snapshot_id"]: r for r in service_rows(live["base"], "AccountHealthHistory")}
    assert len(history) == len(served) == 60
    for row in history:
        mine = served[row["SnapshotId"]]
        assert row["Account"]["AccountId"] == mine["account"]["account_id"]
        assert row["Account"]["AccountName"] == mine["account"]["account_name"]
        assert (row["SnapshotDate"][:10], row.get("HealthScore")) == (mine["snapshot_date"], mine["health_score"])
    values = harness["tables"]["MetricHistory"]["rows"]
    assert len(values) == 240 and all(v["Metric"]["MetricId"].startswith("MET-") for v in values)
