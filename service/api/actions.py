"""`POST /v1/actions/<Name>`: the pack's actions (`service.actions` does the work).

The body is a JSON object of the action's parameters (camelCase, as declared in
`schemas.pack_actions`).  The action runs in one store transaction on behalf of the request's
token and answers `{"ok": true, "row": ...}`: the row it wrote, as served (derived columns
recomputed), so that Coda updates the synced row in place.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, current_app, request

from schemas.values import parse_date
from service import actions
from service.api.params import only
from service.api.rows import json_body, served_row, write_transaction
from service.config import today_from
from service.errors import ApiError
from service.jsonout import json_response

bp = Blueprint("actions", __name__, url_prefix="/v1/actions")


TODAY_HEADER = "X-CSM-Today"


def action_today() -> dt.date:
    """The action's "today" (a log's default date, a task's completed date, the latest date allowed):
    the doc's own date, which the pack sends as `X-CSM-Today: YYYY-MM-DD` -- a doc in Auckland is a
    day ahead of UTC for half of each day.  It may differ from the service's UTC date by one day at
    most (time zones span UTC-12 to UTC+14).  A date pinned with CSM_TODAY wins (tests, demos)."""
    pinned = current_app.config["CSM_TODAY"]
    clock = today_from(pinned)()
    raw = request.headers.get(TODAY_HEADER)
    if pinned or raw is None:
        return clock
    try:
        day = parse_date(raw)
    except ValueError:
        day = None
    if day is None or abs((day - clock).days) > 1:
        message = f"{TODAY_HEADER} must be the doc's date, YYYY-MM-DD, within a day of {clock}; got {raw[:40]!r}."
        raise ApiError(400, "bad_header", message, {TODAY_HEADER: [message]})
    return day


@bp.post("/<name>")
def run_action(name: str):
    only(())
    actions.action(name)  # an unknown action is a 404 whatever the body
    body = json_body()
    today = action_today()
    with write_transaction() as tx:
        table, row_id = actions.run(tx, name, body, today)
    return json_response({"ok": True, "row": served_row(table, row_id)})
