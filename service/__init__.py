"""The CSM Cockpit HTTP service: a Flask app factory over the store's snapshot."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask

from seed import initial_data
from service import errors
from service.api import formulas, health, tables
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
    store = Store(app.config["CSM_DATA"], initial=initial_data)
    app.extensions["csm.store"] = store
    app.extensions["csm.snapshots"] = SnapshotCache(store, today_from(app.config["CSM_TODAY"]))
    errors.init_app(app)
    app.register_blueprint(health.bp)
    app.register_blueprint(tables.bp)
    app.register_blueprint(formulas.bp)
    return app
