"""Finding rows by a name a person typed: ignoring case and spacing, with the closest names for a miss.

Shared by the formulas (a CSM's name) and the actions (a metric's or an owner's name).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def normalise(name: str) -> str:
    return " ".join(name.split()).casefold()


def matching(rows: Iterable[dict], key: str, text: str) -> list[dict]:
    """The rows whose `key` is `text`, ignoring case and spacing."""
    wanted = normalise(text)
    return [r for r in rows if isinstance(r.get(key), str) and normalise(r[key]) == wanted]


def closest(rows: Iterable[dict], key: str, text: str, limit: int = 3) -> list[str]:
    """Up to `limit` names of `key` closest to `text`, best first."""
    names = {normalise(r[key]): r[key] for r in rows if isinstance(r.get(key), str)}
    return [names[n] for n in difflib.get_close_matches(normalise(text), sorted(names), n=limit, cutoff=0.5)]
