"""One log line per request: method, path, status, milliseconds.  No headers, so no tokens.

The query string is logged without its values (parameter names only): a
continuation is long and an account name is customer data.
"""

from __future__ import annotations

import logging
import sys
import time

from flask import Flask, g, request

log = logging.getLogger("csm.requests")


def configure(level: int = logging.INFO) -> None:
    """Send the service's logs to stderr (gunicorn's error log), once per process."""
    root = logging.getLogger("csm")
    if not root.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
        root.setLevel(level)
        root.propagate = False


def init_app(app: Flask) -> None:
    @app.before_request
    def _start_timer():
        g.csm_started = time.perf_counter()

    @app.after_request
    def _log(response):
        started = g.pop("csm_started", None)
        elapsed = (time.perf_counter() - started) * 1000 if started is not None else 0.0
        params = ",".join(sorted(request.args.keys()))
        where = f"{request.path}?{params}" if params else request.path
        log.info("%s %s %d %.1fms", request.method, where, response.status_code, elapsed)
        return response
