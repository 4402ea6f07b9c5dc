"""Bearer-token authentication for every `/v1` route (design §5).

Tokens come from `CSM_API_TOKENS` (comma-separated), else from a token file
beside the store (`api-token`, created by `csm serve` on the embedded
default's first run).  Comparison is constant-time: both sides are hashed to a
fixed length and every configured token is compared, so neither a token's
length nor its position leaks.  Tokens are never logged.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Iterable
from pathlib import Path

from flask import Flask, request

from service.errors import ApiError

TOKEN_FILE_NAME = "api-token"


def parse_tokens(value: str | Iterable[str] | None) -> list[str]:
    if value is None:
        return []
    items = value.split(",") if isinstance(value, str) else list(value)
    return [t.strip() for t in items if t and t.strip()]


def token_file(store_path: str | os.PathLike) -> Path:
    return Path(store_path).with_name(TOKEN_FILE_NAME)


def read_token_file(path: Path) -> list[str]:
    try:
        return parse_tokens(path.read_text(encoding="utf-8").splitlines())
    except FileNotFoundError:
        return []


def ensure_token_file(path: Path) -> tuple[str, bool]:
    """The token in `path`, creating the file (mode 0600) with a new random token if needed."""
    existing = read_token_file(path)
    if existing:
        return existing[0], False
    path.parent.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(token + "\n")
    return token, True


def configured_tokens(config: dict) -> list[str]:
    explicit = config.get("CSM_API_TOKENS")
    if explicit is None:
        explicit = os.environ.get("CSM_API_TOKENS")
    tokens = parse_tokens(explicit)
    if tokens:
        return tokens
    return read_token_file(token_file(config["CSM_DATA"]))


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()


class TokenCheck:
    def __init__(self, tokens: list[str]) -> None:
        self._digests = [_digest(t) for t in tokens]

    def __bool__(self) -> bool:
        return bool(self._digests)

    def accepts(self, token: str) -> bool:
        given = _digest(token)
        ok = False
        for known in self._digests:  # no early exit
            ok |= hmac.compare_digest(given, known)
        return ok


def _unauthorized(message: str) -> ApiError:
    error = ApiError(401, "unauthorized", message)
    error.headers = {"WWW-Authenticate": 'Bearer realm="csm-cockpit"'}
    return error


def init_app(app: Flask) -> None:
    check = TokenCheck(configured_tokens(app.config))
    app.extensions["csm.tokens"] = check

    @app.before_request
    def require_token():
        if not request.path.startswith("/v1"):
            return None
        if not check:
            raise _unauthorized("No API tokens are configured on the server; set CSM_API_TOKENS.")
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise _unauthorized("Send the API token as 'Authorization: Bearer <token>'.")
        if not check.accepts(token.strip()):
            raise _unauthorized("The API token is not valid.")
        return None
