"""Bearer-token authentication for every `/v1` route (design §5), and the service's secret files.

Tokens come from `CSM_API_TOKENS` (comma-separated, `name=token` or bare),
else from a token file beside the store (`api-token`, created by `csm serve` on
the embedded default's first run), plus the read-only `CSM_API_READ_TOKENS`
(parsed in `service.config`).  Comparison is constant-time: both sides are
hashed to a fixed length and every configured token is compared, so neither a
token's length nor its position leaks.  Tokens are never logged.  A read-only
token may only GET, HEAD or OPTIONS; views find the request's token name and
whether it may write in `flask.g.token_name` and `flask.g.can_write`.

Secret files (the token file, the continuation signing key) follow one set of
rules: created 0600 in a folder created 0700 (an existing folder is left as
it is), atomically (a temp file written in full, then hard-linked into place,
so two processes starting at once never read a half-written secret and agree
on the winner's), opened without following symlinks, and refused -- with a
one-line message saying how to fix it -- when the file is not a regular file,
not owned by the current user, or readable or writable by group or others.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import hmac
import os
import secrets
import stat
from collections.abc import Callable, Iterable
from pathlib import Path

from flask import Flask, g, request

from service.config import ApiToken, api_tokens
from service.errors import ApiError
from service.store import make_private_dir

TOKEN_FILE_NAME = "api-token"
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MAX_SECRET_FILE_BYTES = 64 * 1024


class SecretFileError(Exception):
    """A secret file that cannot be used safely; the message is one line and says how to fix it."""


def parse_tokens(value: str | Iterable[str] | None) -> list[str]:
    if value is None:
        return []
    items = value.split(",") if isinstance(value, str) else list(value)
    return [t.strip() for t in items if t and t.strip()]


def token_file(store_path: str | os.PathLike) -> Path:
    return Path(store_path).with_name(TOKEN_FILE_NAME)


# --- secret files ---------------------------------------------------------------------------


def read_secret_file(path: Path) -> str | None:
    """The text of the secret file at `path`, None if there is none; SecretFileError if it is unsafe."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC  # O_NONBLOCK: a FIFO must not hang us
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise SecretFileError(
                f"{path} is a symbolic link, which a secret file must not be; replace it with the file itself"
            ) from None
        raise SecretFileError(f"cannot read {path}: {exc.strerror}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise SecretFileError(f"{path} is not a regular file; remove it and start again to create a new one")
        if st.st_uid != os.geteuid():
            raise SecretFileError(
                f"{path} is owned by user id {st.st_uid}, not by this user ({os.geteuid()}); "
                f"fix it with: chown {os.geteuid()} {path}"
            )
        if st.st_mode & 0o077:
            raise SecretFileError(
                f"{path} is open to group or others (mode {stat.S_IMODE(st.st_mode):04o}); "
                f"fix it with: chmod 600 {path}"
            )
        chunks = []
        size = 0
        while size <= MAX_SECRET_FILE_BYTES:
            chunk = os.read(fd, MAX_SECRET_FILE_BYTES + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        raw = b"".join(chunks)
    finally:
        os.close(fd)
    if len(raw) > MAX_SECRET_FILE_BYTES:
        raise SecretFileError(f"{path} is too large to be a secret file ({MAX_SECRET_FILE_BYTES} bytes at most)")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise SecretFileError(f"{path} is not UTF-8 text; remove it and start again to create a new one") from None


def ensure_secret_file(path: Path, make: Callable[[], str]) -> tuple[str, bool]:
    """(text, created): the secret file's text, first creating it with `make()` if there is none.

    The new file is written in full under a temporary name, then hard-linked to `path`: the link
    either appears complete or fails with EEXIST, in which case another process won the race and
    its secret is the one read and returned.
    """
    existing = read_secret_file(path)
    if existing is not None:
        return existing, False
    folder = path.parent
    try:
        make_private_dir(folder)  # folders it creates are 0700, parents included
        tmp = folder / f".{path.name}.{os.getpid()}.{secrets.token_hex(8)}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    except OSError as exc:
        raise SecretFileError(f"cannot create {path}: {exc.strerror}") from None
    created = True
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(make())
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            created = False  # another process got there first: use its secret
        except OSError as exc:
            raise SecretFileError(f"cannot create {path}: {exc.strerror}") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    text = read_secret_file(path)
    if text is None:  # removed between the link and the read: not a state to guess our way out of
        raise SecretFileError(f"{path} disappeared while it was being created; start again")
    return text, created


# --- tokens ---------------------------------------------------------------------------------


def read_token_file(path: Path) -> list[str]:
    """The tokens in `path` (one a line), [] if there is no such file; SecretFileError if it is unsafe."""
    text = read_secret_file(path)
    return parse_tokens(text.splitlines()) if text is not None else []


def ensure_token_file(path: Path) -> tuple[str, bool]:
    """The token in `path`, creating the file (mode 0600) with a new random token if needed."""
    text, created = ensure_secret_file(path, lambda: secrets.token_urlsafe(32) + "\n")
    tokens = parse_tokens(text.splitlines())
    if not tokens:
        raise SecretFileError(f"{path} holds no token; delete it and start again to create a new one")
    return tokens[0], created


def configured_tokens(config: dict) -> list[ApiToken]:
    """Every accepted token (ConfigError for a bad setting, SecretFileError for an unsafe token file)."""
    return api_tokens(config, lambda: read_token_file(token_file(config["CSM_DATA"])))


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()


class TokenCheck:
    def __init__(self, tokens: list[ApiToken | str]) -> None:
        entries = [
            t if isinstance(t, ApiToken) else ApiToken(f"token{n}", t, True, "") for n, t in enumerate(tokens, 1)
        ]
        self._known = [(_digest(t.token), t) for t in entries]

    def __bool__(self) -> bool:
        return bool(self._known)

    @property
    def entries(self) -> list[ApiToken]:
        return [entry for _, entry in self._known]

    def match(self, token: str) -> ApiToken | None:
        """The configured token equal to `token`, or None; every token is compared, with no early exit."""
        given = _digest(token)
        found = None
        for digest, entry in self._known:
            same = hmac.compare_digest(given, digest)
            found = entry if same else found
        return found

    def accepts(self, token: str) -> bool:
        return self.match(token) is not None


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
        entry = check.match(token.strip())
        if entry is None:
            raise _unauthorized("The API token is not valid.")
        g.token_name, g.can_write = entry.name, entry.can_write
        if not entry.can_write and request.method not in READ_METHODS:
            raise ApiError(
                403,
                "read_only_token",
                f'The API token "{entry.name}" is read-only (CSM_API_READ_TOKENS): it may read, not '
                f"{request.method}; use a token from CSM_API_TOKENS to write.",
            )
        return None
