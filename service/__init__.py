"""The CSM Cockpit HTTP service: a Flask app factory over the store's snapshot."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask

from service import auth, errors, requestlog
from service.api import formulas, health, openapi, tables
from service.config import data_path, today_from
from service.snapshot import SnapshotCache
from service.store import Store


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    app.config.from_mapping(
        CSM_DATA=str(data_path()),
        CSM_TODAY=os.environ.get("CSM_TODAY") or None,
    )
    if test_config:
        app.config.update(test_config)
    # The running service never creates a store: `csm serve` does that on the
    # embedded default's first run; a store that vanishes later is a 503, not the seed.
    store = Store(app.config["CSM_DATA"])
    app.extensions["csm.store"] = store
    app.extensions["csm.snapshots"] = SnapshotCache(store, today_from(app.config["CSM_TODAY"]))
    if not app.testing:
        requestlog.configure()
    requestlog.init_app(app)
    auth.init_app(app)
    errors.init_app(app)
    app.register_blueprint(health.bp)
    app.register_blueprint(tables.bp)
    app.register_blueprint(formulas.bp)
    app.register_blueprint(openapi.bp)
    return app
