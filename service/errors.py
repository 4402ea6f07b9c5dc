"""One error shape everywhere (design §5), for our errors and Werkzeug's alike.

`{"ok": false, "status": 404, "code": "unknown_table", "error": "...", "errors": {...}}`
-- `errors` only for validation problems.  No traceback ever reaches a client; anything unexpected is
logged and answered with a JSON 500.  The one exception to JSON: under /dashboard, errors are the
dashboard's pages (`service.dashboard.html_error`).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app
from werkzeug.exceptions import HTTPException

from service.errorshape import error_body
from service.jsonout import json_response
from service.store import StoreError
from service.writes import WriteRefused


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, errors: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.errors = status, code, message, errors
        self.headers: dict[str, str] = {}


def _http_code(exc: HTTPException) -> str:
    return (exc.name or "error").lower().replace(" ", "_").replace("'", "")


def _page(status: int, message: str):
    """The error as a page (a Response) for a request to the dashboard (its `html_error`), else None."""
    html_error = current_app.extensions.get("csm.html_errors")
    return html_error(status, message) if html_error else None


def init_app(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError):
        # A dashboard page when a check that runs on every request refused it (a repeated parameter).
        page = _page(exc.status, exc.message)
        response = page or json_response(error_body(exc.status, exc.code, exc.message, exc.errors), exc.status)
        response.headers.update(exc.headers)
        return response

    @app.errorhandler(WriteRefused)
    def _write_refused(exc: WriteRefused):
        return json_response(exc.body(), exc.status)

    @app.errorhandler(StoreError)
    def _store_error(exc: StoreError):
        app.logger.error("store unavailable: %s", exc)
        message = "The data store is unavailable; try again later."
        return _page(503, message) or json_response(error_body(503, "store_unavailable", message), 503)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        status = exc.code or 500
        message = {
            404: "No such endpoint; see GET /v1/tables.",
            405: "Method not allowed here.",
            413: "The request body is larger than the 1 MiB limit; send fewer rows or updates at a time.",
        }.get(status, exc.description or exc.name)
        page = _page(status, "No such page." if status == 404 else message)
        response = page or json_response(error_body(status, _http_code(exc), message), status)
        if status == 405 and exc.valid_methods:
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        app.logger.exception("unhandled error")
        message = "Internal error; it has been logged."
        return _page(500, message) or json_response(error_body(500, "internal_error", message), 500)
