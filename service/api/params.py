"""Query parameters: a name the endpoint does not take is an error, not silently ignored."""

from __future__ import annotations

from collections.abc import Iterable

from flask import request

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
