"""`GET /v1/changes`: the change log, oldest first, filtered and paged (`service.changes`)."""

from __future__ import annotations

from dataclasses import replace

import orjson
from flask import Blueprint, Response, current_app, request

from schemas import TABLES
from service.api.params import only
from service.changes import BadFilter, parse_filters, select
from service.errors import ApiError
from service.store import StoreError

bp = Blueprint("changes", __name__, url_prefix="/v1/changes")

DEFAULT_LIMIT = 500
MAX_LIMIT = 1000
PARAMS = ("since", "table", "id", "account", "limit", "continuation")


def _bad(param: str, message: str) -> ApiError:
    return ApiError(400, f"bad_{param}", f"{param}: {message}", {param: [message]})


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
    try:
        filters = parse_filters(args.get("since"), args.get("table"), args.get("id"))
    except BadFilter as exc:
        raise _bad(exc.param, exc.message) from None
    query = replace(
        filters,
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
