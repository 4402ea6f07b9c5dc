"""`POST /v1/actions/<Name>`: the pack's actions (`service.actions` does the work).

The body is a JSON object of the action's parameters (camelCase, as declared in
`schemas.pack_actions`).  The action runs in one store transaction on behalf of the request's
token and answers `{"ok": true, "row": ...}`: the row it wrote, as served (derived columns
recomputed), so that Coda updates the synced row in place.
"""

from __future__ import annotations

from flask import Blueprint, current_app

from service import actions
from service.api.params import only
from service.api.rows import json_body, served_row, write_transaction
from service.config import today_from
from service.errors import ApiError
from service.jsonout import json_response
from service.writes import WriteRefused

bp = Blueprint("actions", __name__, url_prefix="/v1/actions")


@bp.post("/<name>")
def run_action(name: str):
    only(())
    try:
        actions.action(name)  # an unknown action is a 404 whatever the body
    except WriteRefused as exc:
        raise ApiError(exc.status, exc.code, exc.message, exc.errors) from None
    body = json_body()
    today = today_from(current_app.config["CSM_TODAY"])()
    with write_transaction() as tx:
        table, row_id = actions.run(tx, name, body, today)
    return json_response({"ok": True, "row": served_row(table, row_id)})
