"""`GET /v1/automations` (the automation log, newest run first) and `GET /v1/automations/alerts`
(the alerts the rules raised and whether Slack received them, newest first).

Read from the current snapshot like every other read: a run's log is visible once it commits.
"""

from __future__ import annotations

from flask import Blueprint, current_app, request

from schemas import get_table
from schemas.tables.automation import DELIVERIES, RULES
from service.api.params import account_id, bad, only, whole_number
from service.automations.runs import TABLE as RUNS
from service.automations.runs import recent
from service.jsonout import json_response

bp = Blueprint("automations", __name__, url_prefix="/v1/automations")

DEFAULT_LIMIT = 20
MAX_LIMIT = 200


def _choice(param: str, options: tuple[str, ...]) -> str | None:
    raw = request.args.get(param)
    if raw is not None and raw not in options:
        raise bad(param, f"must be one of {', '.join(options)}; got {raw!r}.")
    return raw


@bp.get("")
def list_runs():
    only(("limit", "rule"))
    limit = whole_number("limit", 1, MAX_LIMIT, DEFAULT_LIMIT)
    rule = _choice("rule", RULES)
    snap = current_app.extensions["csm.snapshots"].current()
    runs = recent(snap.stored.get(RUNS, ()), limit=limit, rules=(rule,) if rule else ())
    return json_response({"ok": True, "runs": runs, "data_version": snap.version})


@bp.get("/alerts")
def list_alerts():
    only(("account", "rule", "delivery", "limit"))
    limit = whole_number("limit", 1, MAX_LIMIT, DEFAULT_LIMIT)
    account, rule, delivery = account_id(), _choice("rule", RULES), _choice("delivery", DELIVERIES)
    snap = current_app.extensions["csm.snapshots"].current()
    table = get_table("Alerts")
    chosen = [
        a
        for a in reversed(snap.stored.get(table.name, ()))
        # .get: a hand-edited row missing a key is left out of a filter, not a 500 (`csm validate` names it)
        if (account is None or a.get("account") == account)
        and (rule is None or a.get("rule") == rule)
        and (delivery is None or a.get("delivery") == delivery)
    ][:limit]
    return json_response({"ok": True, "alerts": [snap.serve(table, a) for a in chosen], "data_version": snap.version})
