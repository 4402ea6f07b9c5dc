"""`/v1/autocomplete/accounts?search=`: account names for the pack's `accountName` parameters.

At most 50 results, matched ignoring case and spacing (as the formulas look names up): the names that
start with the text first, then those that contain it, each group alphabetical.  No text (or only
spaces): the first 50 names alphabetically.  Each result is `{"display": name, "value": name}`,
what Coda's autocomplete takes.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import Blueprint, current_app, request

from formulas.pack import normalise
from service.api.params import only
from service.jsonout import json_response

bp = Blueprint("autocomplete", __name__, url_prefix="/v1/autocomplete")

MAX_RESULTS = 50


def matching_names(names: Iterable[str], search: str | None, limit: int = MAX_RESULTS) -> list[str]:
    key = normalise(search or "")
    ordered = sorted({(normalise(n), n) for n in names if n})
    starts = [name for norm, name in ordered if norm.startswith(key)]
    if len(starts) >= limit:
        return starts[:limit]
    contains = [name for norm, name in ordered if key in norm and not norm.startswith(key)]
    return (starts + contains)[:limit]


@bp.get("/accounts")
def accounts():
    only(["search"])
    snap = current_app.extensions["csm.snapshots"].current()
    names = (row.get("account_name") for row in snap.rows("AccountMaster").stored)
    results = [{"display": name, "value": name} for name in matching_names(names, request.args.get("search"))]
    return json_response({"ok": True, "results": results})
