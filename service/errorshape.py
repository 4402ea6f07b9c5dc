"""The one error shape (design §5) as plain data, for the HTTP errors and the per-row results of a batch.

`{"ok": false, "status": 404, "code": "unknown_table", "error": "...", "errors": {...}}` --
`errors` only for validation problems.  Validation messages come from marshmallow, whose
messages for items of a list are keyed by position (integers, which JSON cannot key an
object with), and from whatever field names a client sent (a body of 100,000 unknown keys
would echo all of them, and a 500 KB key would come back in the message): all made safe here, once.
"""

from __future__ import annotations

from typing import Any

MAX_FIELDS = 50  # fields named in one `errors`; the rest are counted


MAX_TEXT = 1000  # characters of a message, or of a field name, that an answer repeats


def error_body(status: int, code: str, message: str, errors: dict | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"ok": False, "status": status, "code": code, "error": _cut(message)}
    if errors:
        body["errors"] = safe_errors(errors)
    return body


def safe_errors(errors: dict) -> dict[str, Any]:
    """`errors` with every key a string (cut to MAX_TEXT), at most MAX_FIELDS at the top level."""
    out: dict[str, Any] = {}
    items = list(errors.items())
    for key, value in items[:MAX_FIELDS]:
        if isinstance(value, dict):
            out[_cut(str(key))] = safe_errors(value)
        else:
            out[_cut(str(key))] = (
                [_cut(m) if isinstance(m, str) else m for m in value] if isinstance(value, list) else value
            )
    if len(items) > MAX_FIELDS:
        out["_more"] = [f"and {len(items) - MAX_FIELDS} more fields"]
    return out


def _cut(text: str) -> str:
    """A client's 500 KB key or id, quoted back in a message, is cut: the answer stays small."""
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"
