"""One log line per request: method, path, status, milliseconds.  No headers, so no tokens.

The query string is logged without its values (parameter names only): a
continuation is long and an account name is customer data.

Everything a client controls (the method, the path, the parameter names) is
escaped before it is logged: C0 controls, DEL, C1 controls and the Unicode line
and paragraph separators become visible escapes (`\\x0a`, `\\u2028`), so no
request can end its log line early and forge another, or send escape sequences
to a terminal.  The handler's formatter applies the same escaping to every
message of the `csm` loggers, as a second line of defence.
"""

from __future__ import annotations

import logging
import re
import sys
import time

from flask import Flask, g, request

log = logging.getLogger("csm.requests")

# C0 controls and DEL, C1 controls, U+2028/U+2029 (line and paragraph separators), and the
# bidirectional overrides and isolates that can make a log line read differently from its bytes.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escape_char(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape(text: str) -> str:
    """`text` with every control or line-breaking character as a visible escape."""
    return _UNSAFE.sub(_escape_char, text)


class EscapingFormatter(logging.Formatter):
    """A formatter whose message part never spans lines (a traceback, if any, still follows)."""

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 (logging's name)
        return escape(super().formatMessage(record))


def configure(level: int = logging.INFO) -> None:
    """Send the service's logs to stderr (gunicorn's error log), once per process."""
    root = logging.getLogger("csm")
    if not root.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(EscapingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
        root.setLevel(level)
        root.propagate = False


def request_line(method: str, path: str, names) -> str:
    """`METHOD path?name,name`, every client-controlled part escaped."""
    params = ",".join(escape(n) for n in sorted(set(names)))
    where = escape(path) + (f"?{params}" if params else "")
    return f"{escape(method)} {where}"


def sent_path() -> str:
    """The path as the client sent it (percent-decoded), not Werkzeug's tidied `request.path`,
    which drops leading slashes: `//health` is logged as `//health`."""
    raw = request.environ.get("PATH_INFO") or "/"
    return raw.encode("latin-1", "replace").decode("utf-8", "replace")


def init_app(app: Flask) -> None:
    @app.before_request
    def _start_timer():
        g.csm_started = time.perf_counter()

    @app.after_request
    def _log(response):
        started = g.pop("csm_started", None)
        elapsed = (time.perf_counter() - started) * 1000 if started is not None else 0.0
        log.info(
            "%s %d %.1fms",
            request_line(request.method, sent_path(), request.args.keys()),
            response.status_code,
            elapsed,
        )
        return response
