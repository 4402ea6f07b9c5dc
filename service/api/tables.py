"""`/v1/tables`: the table list, each table's schema, paged rows and single rows."""

from __future__ import annotations

import orjson
from flask import Blueprint, Response, current_app, request

from schemas import SYNC_TABLES, Table, find_synced
from schemas.describe import describe_table, summarize
from schemas.values import id_problem
from service import paging
from service.api.params import only
from service.errors import ApiError
from service.jsonout import json_response

bp = Blueprint("tables", __name__, url_prefix="/v1/tables")

DEFAULT_LIMIT = 500
MAX_LIMIT = 1000


def snapshot():
    return current_app.extensions["csm.snapshots"].current()


def synced_table(name: str) -> Table:
    table = find_synced(name)
    if table is None:
        names = ", ".join(t.name for t in SYNC_TABLES)
        raise ApiError(404, "unknown_table", f'Table "{name}" does not exist; tables are: {names}.')
    return table


@bp.get("")
def list_tables():
    only(())
    snap = snapshot()
    tables = [{**summarize(t), "row_count": len(snap.rows(t.name))} for t in SYNC_TABLES]
    return json_response({"ok": True, "tables": tables, "data_version": snap.version})


@bp.get("/<name>/schema")
def table_schema(name: str):
    only(())
    return json_response({"ok": True, "schema": describe_table(synced_table(name))})


def _limit() -> int:
    raw = request.args.get("limit")
    if raw is None:
        return DEFAULT_LIMIT
    if raw.isascii() and raw.isdigit() and 1 <= int(raw) <= MAX_LIMIT:
        return int(raw)
    raise ApiError(
        400,
        "bad_limit",
        f"limit must be a whole number from 1 to {MAX_LIMIT}; got {raw!r}.",
        {"limit": [f"Must be a whole number from 1 to {MAX_LIMIT}."]},
    )


@bp.get("/<name>/rows")
def table_rows(name: str):
    table = synced_table(name)
    only(("limit", "continuation"))
    limit = _limit()
    snap = snapshot()
    continuations = current_app.extensions["csm.continuations"]
    token = request.args.get("continuation")
    after = 0
    if token is not None:  # an empty continuation is a bad one, not the first page
        try:
            version, after = continuations.decode(token, table.name)
        except paging.BadToken as exc:
            raise ApiError(
                400, "bad_continuation", f"continuation: {exc}.", {"continuation": [str(exc).capitalize() + "."]}
            ) from None
        if version != snap.version:
            raise ApiError(
                409,
                "data_changed",
                f"The data changed during this sync (version {version} -> {snap.version}); "
                "start the sync again to get a consistent set of rows.",
            )
    rows = snap.rows(table.name)
    positions, last = rows.page_after(after, limit)
    continuation = continuations.encode(table.name, snap.version, last) if last is not None else None
    # Assembled from each row's cached JSON: a page costs a join, not a serialisation.
    body = b"".join(
        (
            b'{"ok":true,"rows":[',
            rows.page_json(positions),
            b'],"continuation":',
            orjson.dumps(continuation),
            b',"data_version":',
            str(snap.version).encode(),
            b"}",
        )
    )
    return Response(body, mimetype="application/json")


@bp.get("/<name>/rows/<row_id:row_id>")
def table_row(name: str, row_id: str):
    table = synced_table(name)
    only(())
    snap = snapshot()  # held for the request: a snapshot's tables refer to it only weakly
    rows = snap.rows(table.name)
    i = rows.index.get(row_id)
    if i is None:
        message = (
            id_problem(table, row_id) if table.id_number(row_id) is None else f"{table.name} has no row {row_id!r}."
        )
        raise ApiError(404, "unknown_row", message)
    return Response(b'{"ok":true,"row":' + rows.json(i) + b"}", mimetype="application/json")
