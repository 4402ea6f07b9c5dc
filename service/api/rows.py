"""Writing rows over HTTP: `POST/PATCH/DELETE /v1/tables/<T>/rows...` (`service.writes` does the work).

Each request is one store transaction, recorded in the change log as `api:<token name>`.
After the commit the service answers from a snapshot built from the data it just wrote
(no second read of the file), so the row returned carries its recomputed derived columns.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator

import orjson
from flask import Blueprint, current_app, g, request
from werkzeug.exceptions import RequestEntityTooLarge

from service import writes
from service.api.params import only
from service.errors import ApiError
from service.jsonout import json_response
from service.store import Transaction

bp = Blueprint("rows", __name__, url_prefix="/v1/tables")


def source() -> str:
    return f"api:{getattr(g, 'token_name', None) or 'unnamed'}"


@contextlib.contextmanager
def write_transaction() -> Iterator[Transaction]:
    """A store transaction on behalf of the request's token (a WriteRefused is answered by
    `service.errors` in the error shape, and nothing is written)."""
    store = current_app.extensions["csm.store"]
    with store.transaction(source=source()) as tx:
        yield tx
    if tx.version is not None and tx.stat is not None:
        # The answer is served from exactly what this request committed: another writer's commit
        # a moment later (even deleting the row) must not turn a done write into an error.
        g.committed = current_app.extensions["csm.snapshots"].adopt(tx.data, tx.stat)


def served_row(table_name: str, row_id: str) -> dict:
    """The row as this request's commit left it (derived columns and references filled in); as the
    service now serves it when the request changed nothing."""
    snap = g.get("committed") or current_app.extensions["csm.snapshots"].current()
    row = snap.rows(table_name).get(row_id)
    if row is None:  # nothing was written, and another writer deleted the row since
        raise ApiError(409, "data_changed", f"{table_name} {row_id} was deleted by another writer; read it again.")
    return row


def json_body() -> object:
    """The request body as one JSON value: at most MAX_CONTENT_LENGTH bytes (else 413), strict JSON
    (no NaN, valid UTF-8), and no key given twice in one object (which value would be meant?)."""
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    codings = [c.strip() for c in request.headers.get("Transfer-Encoding", "").lower().split(",")]
    if request.content_length is None and "chunked" in codings:
        # No length to check up front: read one byte past the limit to know it was passed.
        raw = request.environ["wsgi.input"].read(limit + 1)
        if len(raw) > limit:
            raise RequestEntityTooLarge()
    else:
        raw = request.get_data(cache=False)
    try:
        value = orjson.loads(raw)
        if _depth(value) > MAX_DEPTH:
            raise ApiError(
                400, "bad_body", f"The body is nested more than {MAX_DEPTH} levels deep; no write needs that."
            )
        if b"{" in raw:
            json.loads(raw, object_pairs_hook=_no_repeated_keys)
        return value
    except orjson.JSONDecodeError as exc:
        message = (
            "The body is empty; send a JSON object." if not raw.strip() else f"The body is not valid JSON ({exc})."
        )
        raise ApiError(400, "bad_body", message) from None
    except RepeatedKey as exc:
        message = f"The body gives the key {exc.args[0]!r} twice in one object; give each key once."
        raise ApiError(400, "bad_body", message) from None


MAX_DEPTH = 32  # a batch's milestone value is 7 levels down; orjson alone allows 1,024 (Python's json, ~1,000)


def _depth(value: object) -> int:
    """How deeply `value` nests lists and objects, counted without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            if level <= MAX_DEPTH:  # past the limit the answer is known
                stack.extend((child, level + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


class RepeatedKey(ValueError):
    pass


def _no_repeated_keys(pairs: list[tuple[str, object]]) -> dict:
    out: dict = {}
    for key, value in pairs:
        if key in out:
            raise RepeatedKey(key[:100])
        out[key] = value
    return out


@bp.post("/<name>/rows")
def insert_row(name: str):
    only(())
    body = json_body()
    with write_transaction() as tx:
        row_id = writes.insert(tx, name, body)
    return json_response({"ok": True, "row": served_row(name, row_id)}, 201)


@bp.patch("/<name>/rows/<row_id:row_id>")
def update_row(name: str, row_id: str):
    only(())
    body = json_body()
    with write_transaction() as tx:
        writes.update(tx, name, row_id, body)
    return json_response({"ok": True, "row": served_row(name, row_id)})


@bp.post("/<name>/rows/batch")
def update_rows(name: str):
    only(())
    body = json_body()
    writes.writable_table(name)  # a malformed batch is refused before the store is locked and read
    updates = writes.parse_batch(body)
    with write_transaction() as tx:
        outcomes = writes.apply_batch(tx, name, updates)
    results = [
        outcome.body() if isinstance(outcome, writes.WriteRefused) else {"ok": True, "row": served_row(name, outcome)}
        for outcome in outcomes
    ]
    return json_response({"ok": True, "results": results})


@bp.delete("/<name>/rows/<row_id:row_id>")
def delete_row(name: str, row_id: str):
    only(("cascade",))
    raw = request.args.get("cascade", "false")
    if raw not in ("true", "false"):
        raise ApiError(
            400, "bad_parameter", f"cascade must be true or false; got {raw!r}.", {"cascade": ["true or false."]}
        )
    with write_transaction() as tx:
        report = writes.delete(tx, name, row_id, cascade=raw == "true")
    return json_response({"ok": True, **report})
