"""The CSM Cockpit HTTP service: a Flask app factory over the store's snapshot."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask, Request, request
from flask.globals import request_ctx
from werkzeug.exceptions import NotFound
from werkzeug.routing import BaseConverter, RequestRedirect

from service import auth, dashboard, errors, paging, requestlog
from service.api import (
    actions,
    autocomplete,
    automations,
    changes,
    formulas,
    health,
    openapi,
    params,
    rows,
    tables,
    views,
)
from service.changelog import ChangeLogReader
from service.config import changes_retention, data_path, today_from
from service.jsonout import json_response
from service.snapshot import SnapshotCache
from service.store import Store


class RowIdConverter(BaseConverter):
    """A row id segment: anything but `batch`, which names the batch endpoint, so that
    `/rows/batch` answers only POST (and its OPTIONS lists only that) rather than also
    matching `/rows/<id>` as a row called "batch"."""

    regex = r"(?!batch$)[^/]+"


class CockpitFlask(Flask):
    """Flask answering only in JSON: no redirects, and OPTIONS with a JSON body.

    Werkzeug redirects some paths to a canonical form (`//health` to `/health` when it merges
    slashes, a missing trailing slash); a JSON API has no business sending a client elsewhere,
    so any routing redirect is a 404 in the error shape instead.
    """

    @staticmethod
    def refuse_empty_segments() -> None:
        """`//health` is not `/health`: Werkzeug strips leading slashes before matching (and
        `merge_slashes = False` only covers the inner ones), so any empty path segment is a 404 here,
        before a route, the token check or a redirect can see a path other than the one sent."""
        if "//" in request.environ.get("PATH_INFO", ""):
            raise NotFound()

    def raise_routing_exception(self, request: Request):
        if isinstance(request.routing_exception, RequestRedirect):
            raise NotFound()
        super().raise_routing_exception(request)

    def make_default_options_response(self):
        methods = sorted(request_ctx.url_adapter.allowed_methods())
        response = json_response({"ok": True, "methods": methods})
        response.allow.update(methods)
        return response


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = CockpitFlask(__name__, static_folder=None)  # the API's answers are JSON; the dashboard serves its own
    app.url_map.merge_slashes = False  # `/v1//tables` is not `/v1/tables` (and not a redirect to it)
    app.url_map.converters["row_id"] = RowIdConverter
    app.config.from_mapping(
        CSM_DATA=str(data_path()),
        CSM_TODAY=os.environ.get("CSM_TODAY") or None,
        CSM_SECRET_KEY=os.environ.get("CSM_SECRET_KEY") or None,
        # A write's body over 1 MiB is a 413, never read in full (a batch of 100 edits is ~50 KB).
        MAX_CONTENT_LENGTH=1024 * 1024,
    )
    if test_config:
        app.config.update(test_config)
    # The running service never creates a store: `csm serve` does that on the
    # embedded default's first run; a store that vanishes later is a 503, not the seed.
    store = Store(app.config["CSM_DATA"], retention=changes_retention())
    app.extensions["csm.store"] = store
    app.extensions["csm.changes"] = ChangeLogReader(store.changes)
    app.extensions["csm.snapshots"] = SnapshotCache(store, today_from(app.config["CSM_TODAY"]))
    secret = paging.secret_key(app.config)
    app.extensions["csm.continuations"] = paging.Continuations(secret)
    if not app.testing:
        requestlog.configure()
    requestlog.init_app(app)
    app.before_request(app.refuse_empty_segments)
    auth.init_app(app)
    app.before_request(params.reject_duplicates)
    errors.init_app(app)
    app.register_blueprint(health.bp)
    app.register_blueprint(tables.bp)
    app.register_blueprint(rows.bp)
    app.register_blueprint(changes.bp)
    app.register_blueprint(automations.bp)
    app.register_blueprint(views.bp)
    app.register_blueprint(formulas.bp)
    app.register_blueprint(autocomplete.bp)
    app.register_blueprint(actions.bp)
    app.register_blueprint(openapi.bp)
    dashboard.init_app(app, secret)
    return app
