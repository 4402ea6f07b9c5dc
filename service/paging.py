"""Opaque continuation tokens for keyset paging.

A token names the table, the data version the sync started on and the id
number of the last row served, with a short keyed digest so that a token that
was altered, truncated or made up is refused with a 400 instead of paging from
some arbitrary place.  Tokens are not secret; the digest only catches damage.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

import orjson

_KEY = b"csm-cockpit/continuation/v1"
_DIGEST = 8


class BadToken(ValueError):
    pass


def encode(table: str, version: int, after: int) -> str:
    body = orjson.dumps([table, version, after])
    mac = hmac.new(_KEY, body, hashlib.blake2b).digest()[:_DIGEST]
    return base64.urlsafe_b64encode(mac + body).decode().rstrip("=")


def decode(token: str, table: str) -> tuple[int, int]:
    """(version, after) from a token issued for `table`; BadToken otherwise."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (ValueError, TypeError):
        raise BadToken("not a continuation token issued by this service") from None
    mac, body = raw[:_DIGEST], raw[_DIGEST:]
    expected = hmac.new(_KEY, body, hashlib.blake2b).digest()[:_DIGEST]
    if len(raw) <= _DIGEST or not hmac.compare_digest(mac, expected):
        raise BadToken("not a continuation token issued by this service")
    try:
        name, version, after = orjson.loads(body)
        if not (isinstance(name, str) and isinstance(version, int) and isinstance(after, int)):
            raise ValueError
    except ValueError:  # orjson.JSONDecodeError is a ValueError too
        raise BadToken("not a continuation token issued by this service") from None
    if name != table:
        raise BadToken(f"this continuation token belongs to table {name}, not {table}")
    return version, after
