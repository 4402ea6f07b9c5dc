"""Opaque continuation tokens for keyset paging, signed with the service's secret key.

A token names the table, the data version the sync started on and the id
number of the last row served, signed (HMAC-SHA256, through itsdangerous) so
that a token that was altered, truncated or made up is refused with a 400
instead of paging from some arbitrary place.  The key is a secret: the
setting `CSM_SECRET_KEY`, else a random key generated once into `secret-key`
beside the store (the rules of `service.auth` for secret files: 0600, atomic
creation, no symlinks), so every gunicorn worker -- and every restart --
accepts the continuations of the others.  A token whose signature is valid
but whose body is not exactly `[table, version, after]` (a string and two
non-negative whole numbers) is refused the same way, never a 500.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

from itsdangerous import BadData, URLSafeSerializer

from service.auth import SecretFileError, ensure_secret_file

KEY_FILE_NAME = "secret-key"
MIN_KEY_LENGTH = 32
SALT = "csm-cockpit/continuation/v1"
SIGNER_KWARGS = {"digest_method": hashlib.sha256}
_MAX_NUMBER = 2**63 - 1  # versions and id numbers are far smaller; anything bigger was not issued by us


class BadToken(ValueError):
    pass


def key_file(store_path: str | os.PathLike) -> Path:
    return Path(store_path).with_name(KEY_FILE_NAME)


def secret_key(config: dict) -> str:
    """The signing key: `CSM_SECRET_KEY` (config, then environment), else the key file, created if needed."""
    explicit = config.get("CSM_SECRET_KEY") or os.environ.get("CSM_SECRET_KEY")
    if explicit:
        if len(explicit) < MIN_KEY_LENGTH:
            raise SecretFileError(
                f"CSM_SECRET_KEY is too short ({len(explicit)} characters; at least {MIN_KEY_LENGTH}); generate one "
                "with: python -c 'import secrets; print(secrets.token_urlsafe(48))'"
            )
        return explicit
    path = key_file(config["CSM_DATA"])
    text, _ = ensure_secret_file(path, lambda: secrets.token_urlsafe(48) + "\n")
    key = text.strip()
    if len(key) < MIN_KEY_LENGTH:
        raise SecretFileError(
            f"{path} holds a key of {len(key)} characters (at least {MIN_KEY_LENGTH}); "
            "delete it and start again to generate a new one"
        )
    return key


def _number(value: object) -> bool:
    return type(value) is int and 0 <= value <= _MAX_NUMBER  # type(): a bool is not a number here


class Continuations:
    """Issues and checks the continuation tokens of one key."""

    def __init__(self, key: str | bytes) -> None:
        self.serializer = URLSafeSerializer(key, salt=SALT, signer_kwargs=SIGNER_KWARGS)

    def encode(self, table: str, version: int, after: int) -> str:
        return self.serializer.dumps([table, version, after])

    def decode(self, token: str, table: str) -> tuple[int, int]:
        """(version, after) from a token issued for `table`; BadToken otherwise."""
        try:
            body = self.serializer.loads(token)
        except (BadData, ValueError, TypeError, RecursionError):
            raise BadToken("not a continuation token issued by this service") from None
        if not (
            isinstance(body, list)
            and len(body) == 3
            and isinstance(body[0], str)
            and _number(body[1])
            and _number(body[2])
        ):
            raise BadToken("not a continuation token issued by this service")
        name, version, after = body
        if name != table:
            raise BadToken(f"this continuation token belongs to table {name}, not {table}")
        return version, after
