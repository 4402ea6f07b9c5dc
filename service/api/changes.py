"""`GET /v1/changes`: the change log, oldest first, filtered and paged (`service.changes`)."""

from __future__ import annotations

import orjson
from flask import Blueprint, Response, current_app, request

from schemas import TABLES, UnknownTable, get_table
from service.api.params import only
from service.changes import Query, parse_since, select
from service.errors import ApiError
from service.store import StoreError

bp = Blueprint("changes", __name__, url_prefix="/v1/changes")

DEFAULT_LIMIT = 500
MAX_LIMIT = 1000
PARAMS = ("since", "table", "id", "account", "limit", "continuation")


def _bad(param: str, message: str) -> ApiError:
    return ApiError(400, f"bad_{param}", f"{param}: {message}", {param: [message]})


def _since(raw: str | None) -> str | None:
    try:
        return parse_since(raw)
    except ValueError as exc:
        raise _bad("since", str(exc)) from None


def _table(raw: str | None) -> str | None:
    if raw is None:
        return None
    try:
        return get_table(raw).name
    except UnknownTable:
        raise _bad("table", f"no table {raw!r}; tables are: {', '.join(TABLES)}.") from None


def _row_id(raw: str | None, table: str | None) -> tuple[str | None, str | None]:
    """(id, its table): an id names its table by its prefix."""
    if raw is None:
        return None, table
    owner = next((t for t in TABLES.values() if t.id_number(raw) is not None), None)
    if owner is None:
        raise _bad("id", f"{raw!r} is not a row id (ids look like ACC-00001, TSK-00012).")
    if table and owner.name != table:
        raise _bad("id", f"{raw} is an id of {owner.name}, not of {table}.")
    return raw, owner.name


def _account(raw: str | None) -> str | None:
    if raw is not None and TABLES["AccountMaster"].id_number(raw) is None:
        raise _bad("account", f"give an account id like ACC-00001; got {raw!r}.")
    return raw


def _number(param: str, raw: str | None, low: int, high: int, default: int) -> int:
    if raw is None:
        return default
    if raw.isascii() and raw.isdigit() and len(raw) <= 18 and low <= int(raw) <= high:
        return int(raw)
    raise _bad(param, f"must be a whole number from {low} to {high:,}; got {raw!r}.")


@bp.get("")
def list_changes():
    only(PARAMS)
    args = request.args
    row_id, table = _row_id(args.get("id"), _table(args.get("table")))
    query = Query(
        since=_since(args.get("since")),
        table=table,
        row_id=row_id,
        account=_account(args.get("account")),
        after_seq=_number("continuation", args.get("continuation"), 0, 10**18 - 1, 0),
    )
    limit = _number("limit", args.get("limit"), 1, MAX_LIMIT, DEFAULT_LIMIT)
    snap = current_app.extensions["csm.snapshots"].current()
    reader = current_app.extensions["csm.changes"]
    try:
        entries = reader.entries(snap.version)
    except OSError as exc:  # a log that is not a regular file, or unreadable: the store's problem, a 503
        raise StoreError(f"cannot read the change log {reader.log.path}: {exc.strerror}") from None
    if query.after_seq and entries.items and query.after_seq < entries.items[0].seq - 1:
        # The records right after the client's continuation were dropped by the retention policy:
        # going on would skip them without a word.
        raise ApiError(
            410,
            "changes_expired",
            f"The change log no longer holds the records after {query.after_seq} (it keeps "
            f"{reader.log.retention.keep_days} days and {reader.log.retention.keep_records:,} records; the oldest "
            f"now is {entries.items[0].seq}); start again with since= a date.",
        )
    found = []
    for entry in select(entries.items, query):
        found.append(entry)
        if len(found) > limit:  # one more than asked: there is a next page
            break
    continuation = orjson.dumps(str(found[limit - 1].seq) if len(found) > limit else None)
    # Assembled from the records' stored bytes: a page costs a read and a join, not a serialisation.
    body = b"".join(
        (
            b'{"ok":true,"changes":[',
            b",".join(entries.raw(e) for e in found[:limit]),
            b'],"continuation":',
            continuation,
            b',"data_version":',
            str(snap.version).encode(),
            b"}",
        )
    )
    return Response(body, mimetype="application/json")
