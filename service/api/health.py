"""`/health`: liveness, the data version and row counts, without auth."""

from __future__ import annotations

from flask import Blueprint, current_app

from service.api.params import only
from service.jsonout import json_response
from service.version import __version__

bp = Blueprint("health", __name__)


@bp.get("/health")
def health():
    only(())
    snap = current_app.extensions["csm.snapshots"].current()
    counts = {name: len(rows) for name, rows in snap.tables.items()}
    return json_response({"ok": True, "version": __version__, "data_version": snap.version, "row_counts": counts})
