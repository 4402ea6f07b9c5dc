"""Query parameters: a name the endpoint does not take, or one given twice, is an error, not ignored."""

from __future__ import annotations

from collections.abc import Iterable

from flask import request

from schemas import TABLES
from service.errors import ApiError


def only(allowed: Iterable[str]) -> None:
    allowed = set(allowed)
    unknown = sorted(set(request.args.keys()) - allowed)
    if unknown:
        names = ", ".join(repr(n) for n in unknown)
        takes = ", ".join(sorted(allowed)) or "no parameters"
        raise ApiError(
            400,
            "unknown_parameter",
            f"Unknown query parameter {names}; this endpoint takes {takes}.",
            {name: ["Unknown parameter."] for name in unknown},
        )


def reject_duplicates() -> None:
    """Every endpoint (a `before_request` hook): `?limit=5&limit=6` is ambiguous, so it is a 400
    rather than one of the values picked silently (a proxy or cache may pick the other)."""
    repeated = sorted(name for name, values in request.args.lists() if len(values) > 1)
    if repeated:
        names = ", ".join(repr(n) for n in repeated)
        raise ApiError(
            400,
            "duplicate_parameter",
            f"Query parameter {names} is given more than once; give each parameter once.",
            {name: ["Given more than once."] for name in repeated},
        )


def bad(param: str, message: str) -> ApiError:
    return ApiError(400, f"bad_{param}", f"{param}: {message}", {param: [message]})


def whole_number(param: str, low: int, high: int, default: int) -> int:
    """The query parameter as a whole number within [low, high]; `default` when absent."""
    raw = request.args.get(param)
    if raw is None:
        return default
    if raw.isascii() and raw.isdigit() and len(raw) <= 18 and low <= int(raw) <= high:
        return int(raw)
    raise bad(param, f"must be a whole number from {low} to {high:,}; got {raw!r}.")


def account_id(param: str = "account") -> str | None:
    """The query parameter as an account id (ACC-00001), or None when absent."""
    raw = request.args.get(param)
    if raw is not None and TABLES["AccountMaster"].id_number(raw) is None:
        raise bad(param, f"give an account id like ACC-00001; got {raw!r}.")
    return raw
