"""JSON responses serialised with orjson (14x faster than json.dumps on a page, design §6)."""

from __future__ import annotations

import orjson
from flask import Response


def json_response(payload: object, status: int = 200) -> Response:
    return Response(orjson.dumps(payload), status=status, mimetype="application/json")
