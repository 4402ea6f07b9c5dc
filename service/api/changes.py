"""`GET /v1/changes`: the change log, oldest first, filtered and paged (`service.changes`)."""

from __future__ import annotations

from dataclasses import replace

import orjson
from flask import Blueprint, Response, current_app, request

from service.api.params import account_id, bad, only, whole_number
from service.changes import BadFilter, parse_filters, select
from service.errors import ApiError
from service.store import StoreError

bp = Blueprint("changes", __name__, url_prefix="/v1/changes")

DEFAULT_LIMIT = 500
MAX_LIMIT = 1000
PARAMS = ("since", "table", "id", "account", "limit", "continuation")


@bp.get("")
def list_changes():
    only(PARAMS)
    args = request.args
    try:
        filters = parse_filters(args.get("since"), args.get("table"), args.get("id"))
    except BadFilter as exc:
        raise bad(exc.param, exc.message) from None
    query = replace(
        filters,
        account=account_id(),
        after_seq=whole_number("continuation", 0, 10**18 - 1, 0),
    )
    limit = whole_number("limit", 1, MAX_LIMIT, DEFAULT_LIMIT)
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
