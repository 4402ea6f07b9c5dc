"""The pack's four actions (`schemas.pack_actions`) as logic over one store Transaction.

`run(tx, name, body, today)` checks the parameters, writes, and returns `(table, id)` of the row
the action answers with; anything refused is a WriteRefused whose `errors` are keyed by the
parameter's name, and the transaction (so the store) is left unchanged.

Decisions:
- Parameters are strict: an unknown name is refused by name; a string must be a JSON string, a
  number a finite JSON number (not a boolean), a date `YYYY-MM-DD`.  An optional parameter
  given as null or an empty string is left out.  Option lists, ranges and required columns are
  the table's own checks (the row is built and validated by the catalog), reported under the
  parameter that fed the column.
- accountName is found as the formulas find it: by name, ignoring case and spacing, or by id;
  an unknown one is a 404 with the closest names.  metricName is matched the same way among
  that account's metrics, ownerName among the team (by full name or PER id); a name that two
  rows share is a 409 listing their ids rather than a guess.
- LogEngagement's engagementDate and RecordMetricValue's valueDate default to today and may not
  be after it: a log and a measurement record what happened.
- CreateTask: owner defaults to the account's CSM (none if the account has none); source
  "Manual"; priority and status take the table's defaults (Medium, Not Started).
- CompleteTask: status Done and completed_date today; a task already Done is left as it is
  (its completed date kept) and returned.  A cancelled task can be completed.
- RecordMetricValue: one history value per metric and day (a second one that day replaces the
  first).  The metric's current value is set only when the value is its latest (no history
  value on a later day): back-filling an old day adds history without rewinding the metric.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from typing import Any

from formulas.names import closest, matching
from formulas.pack import AccountIndex, UnknownAccount
from schemas import get_table
from schemas.pack_actions import PACK_ACTIONS, PackAction, get_action
from schemas.validation import RowInvalid, describe
from schemas.values import DATE_RANGE, id_problem, parse_date
from service.store import NotFound, Transaction
from service.writes import WriteRefused

Params = dict[str, Any]

# Which column each parameter fills, per action (for building rows and for naming errors).
COLUMNS: dict[str, dict[str, str]] = {
    "LogEngagement": {
        "accountName": "account",
        "engagementType": "engagement_type",
        "sentiment": "sentiment",
        "engagementDate": "engagement_date",
        "relationshipDepthScore": "relationship_depth_score",
        "notes": "notes",
        "nextEngagementDate": "next_engagement_date",
    },
    "CreateTask": {
        "accountName": "account",
        "taskTitle": "task_title",
        "dueDate": "due_date",
        "priority": "priority",
        "taskType": "task_type",
        "ownerName": "owner",
        "description": "description",
    },
    "CompleteTask": {"taskId": "task_id"},
    "RecordMetricValue": {"accountName": "account", "valueDate": "value_date", "value": "value"},
}
_EXTRA_COLUMNS = {"RecordMetricValue": {"current_value": "value", "metric": "metricName"}}


def refused(status: int, code: str, param: str, message: str) -> WriteRefused:
    return WriteRefused(status, code, message, {param: [message]})


# --- parameters ---------------------------------------------------------------------------------


def _value(kind: str, value: Any) -> tuple[Any, str | None]:
    """(the value to use, why it is refused or None)."""
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            return value, "Not a number."
        return value, None
    if not isinstance(value, str):
        return value, "Not a date in the form YYYY-MM-DD." if kind == "date" else "Not text."
    if kind == "date":
        try:
            parse_date(value)
        except ValueError:
            return value, f"Not a date in the form YYYY-MM-DD from {DATE_RANGE[0]} to {DATE_RANGE[1]}."
    return value, None


def read_params(action: PackAction, body: Any) -> Params:
    """The action's parameters from a JSON body, checked for names, presence and JSON types."""
    takes = ", ".join(p.name for p in action.params)
    if not isinstance(body, Mapping):
        raise WriteRefused(400, "bad_body", f"The body must be a JSON object of {action.name}'s parameters: {takes}.")
    known = {p.name for p in action.params}
    unknown = sorted(str(k) for k in body if k not in known)
    if unknown:
        names = ", ".join(repr(n) for n in unknown)
        message = f"Unknown parameter {names}; {action.name} takes {takes}."
        raise WriteRefused(400, "unknown_parameter", message, {n: ["Unknown parameter."] for n in unknown})
    params: Params = {}
    missing: dict[str, list[str]] = {}
    invalid: dict[str, list[str]] = {}
    for p in action.params:
        value = body.get(p.name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if not p.optional:
                missing[p.name] = ["Required."]
            continue
        params[p.name], problem = _value(p.kind, value)
        if problem:
            invalid[p.name] = [problem]
    if invalid or missing:
        code = "invalid_parameter" if invalid else "missing_parameter"
        errors = {**missing, **invalid}
        raise WriteRefused(400, code, f"{action.name}: {describe(errors)}", errors)
    return params


def _not_after_today(params: Params, name: str, today: dt.date) -> str:
    day = params.get(name) or today.isoformat()
    if parse_date(day) > today:
        raise refused(400, "invalid_parameter", name, f"{name} {day} is after today ({today}); record what happened.")
    return day


# --- finding rows by name -----------------------------------------------------------------------


def find_account(tx: Transaction, name: str) -> dict:
    try:
        return AccountIndex(tx.rows("AccountMaster")).find(name)
    except UnknownAccount as exc:
        raise WriteRefused(404, exc.code, exc.message, {exc.param: [exc.message]}) from None


NOUNS = {"metricName": "metric", "ownerName": "person"}


def find_by_name(table_name: str, rows: list[dict], text: str, param: str, scope: str = "") -> dict:
    """The one row whose display name is `text` ignoring case and spacing: 404 naming the closest
    names (`unknown_metric`, `unknown_person`), 409 listing the ids if several rows share it."""
    table, noun = get_table(table_name), NOUNS[param]
    found = matching(rows, table.display_key, text)
    if len(found) == 1:
        return found[0]
    if found:
        ids = ", ".join(r[table.id_key] for r in found)
        message = f"{len(found)} {table.name} rows are named {text.strip()!r}{scope} ({ids}); give the id instead."
        raise refused(409, f"ambiguous_{noun}", param, message)
    close = closest(rows, table.display_key, text)
    hint = f" Did you mean {', '.join(repr(n) for n in close)}?" if close else ""
    raise refused(404, f"unknown_{noun}", param, f"No {noun} named {text.strip()!r}{scope}.{hint}")


def find_person(tx: Transaction, text: str) -> str:
    people = get_table("PeopleTeam")
    if people.id_number(text.strip()) is not None:
        if tx.exists(people.name, text.strip()):
            return text.strip()
        raise refused(404, "unknown_person", "ownerName", f"PeopleTeam has no row {text.strip()!r}.")
    row = find_by_name(people.name, tx.rows(people.name), text, "ownerName")
    return row[people.id_key]


# --- writing ------------------------------------------------------------------------------------


def _param_errors(action: str, exc: RowInvalid) -> WriteRefused:
    by_column = {column: param for param, column in COLUMNS[action].items()} | _EXTRA_COLUMNS.get(action, {})
    errors = {by_column.get(key, key): problem for key, problem in exc.errors.items()}
    return WriteRefused(400, "invalid_parameter", f"{action}: {describe(errors)}", errors)


def _columns(action: str, params: Params) -> dict[str, Any]:
    return {column: params[param] for param, column in COLUMNS[action].items() if param in params}


def _write(action: str, fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except RowInvalid as exc:
        raise _param_errors(action, exc) from None


def log_engagement(tx: Transaction, params: Params, today: dt.date) -> tuple[str, str]:
    account = find_account(tx, params["accountName"])
    day = _not_after_today(params, "engagementDate", today)
    values = {**_columns("LogEngagement", params), "account": account["account_id"], "engagement_date": day}
    return "EngagementLog", _write("LogEngagement", lambda: tx.insert("EngagementLog", values))


def create_task(tx: Transaction, params: Params, today: dt.date) -> tuple[str, str]:
    account = find_account(tx, params["accountName"])
    owner = find_person(tx, params["ownerName"]) if "ownerName" in params else account.get("customer_success_manager")
    values = {**_columns("CreateTask", params), "account": account["account_id"], "owner": owner, "source": "Manual"}
    values = {k: v for k, v in values.items() if v is not None}
    return "ActivitiesTasks", _write("CreateTask", lambda: tx.insert("ActivitiesTasks", values))


def complete_task(tx: Transaction, params: Params, today: dt.date) -> tuple[str, str]:
    tasks, task_id = get_table("ActivitiesTasks"), params["taskId"]
    if tasks.id_number(task_id) is None:
        raise refused(404, "unknown_row", "taskId", id_problem(tasks, task_id))
    try:
        task = tx.get(tasks.name, task_id)
    except NotFound:
        raise refused(404, "unknown_row", "taskId", f"ActivitiesTasks has no row {task_id!r}.") from None
    if task.get("status") != "Done":
        changes = {"status": "Done", "completed_date": today.isoformat()}
        _write("CompleteTask", lambda: tx.update(tasks.name, task_id, changes))
    return tasks.name, task_id


def record_metric_value(tx: Transaction, params: Params, today: dt.date) -> tuple[str, str]:
    account = find_account(tx, params["accountName"])
    metrics = [r for r in tx.rows("PlatformHealthMetrics") if r.get("account") == account["account_id"]]
    scope = f" on {account['account_name']}"
    metric = find_by_name("PlatformHealthMetrics", metrics, params["metricName"], "metricName", scope)
    metric_id, day, value = metric["metric_id"], _not_after_today(params, "valueDate", today), params["value"]
    history = [r for r in tx.rows("MetricHistory") if r.get("metric") == metric_id]
    same_day = next((r for r in history if r.get("value_date") == day), None)
    if same_day is None:
        entry = {"metric": metric_id, "value_date": day, "value": value}
        _write("RecordMetricValue", lambda: tx.insert("MetricHistory", entry))
    elif same_day.get("value") != value:
        _write("RecordMetricValue", lambda: tx.update("MetricHistory", same_day["metric_value_id"], {"value": value}))
    if not any(str(r.get("value_date")) > day for r in history) and metric.get("current_value") != value:
        _write("RecordMetricValue", lambda: tx.update("PlatformHealthMetrics", metric_id, {"current_value": value}))
    return "PlatformHealthMetrics", metric_id


HANDLERS: dict[str, Callable[[Transaction, Params, dt.date], tuple[str, str]]] = {
    "LogEngagement": log_engagement,
    "CreateTask": create_task,
    "CompleteTask": complete_task,
    "RecordMetricValue": record_metric_value,
}


def action(name: str) -> PackAction:
    """The declared action `name`; WriteRefused 404 if there is none."""
    found = get_action(name)
    if found is None:
        names = ", ".join(a.name for a in PACK_ACTIONS)
        raise WriteRefused(404, "unknown_action", f'Action "{name}" does not exist; actions are: {names}.')
    return found


def run(tx: Transaction, name: str, body: Any, today: dt.date) -> tuple[str, str]:
    """Do the action `name` with the JSON `body` inside `tx`; (table, id) of the row to answer with."""
    return HANDLERS[name](tx, read_params(action(name), body), today)
