"""A served value as a page shows it: references by name (an account linking to its page), money and
percentages by their kind's `shown`, lists joined, yes/no for booleans, empty for nothing.

View formatting rules (`views/definitions.json`: a column, a value it equals, a style such as "red"
or "red text") become CSS classes here; the stylesheet says what each looks like.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from schemas import Table, get_table
from schemas.kinds import KINDS
from views.evaluate import plain

STYLES = ("red", "yellow", "blue", "green")
WRAPPED_KINDS = ("text", "long_text")


@dataclass(frozen=True)
class Cell:
    text: str
    account_id: str | None = None  # a reference to an account: the page links to it
    wrap: bool = False  # running text, which may wrap; figures never do


def cell(table: Table, key: str, value: Any) -> Cell:
    f = table.by_key.get(key)
    if value is None or value == "" or value == []:
        return Cell("")
    if f is not None and f.ref:
        target = get_table(f.ref)
        items = value if isinstance(value, list) else [value]
        names = [str(v.get(target.display_key) or v.get(target.id_key)) if isinstance(v, dict) else str(v)
                 for v in items]  # fmt: skip
        account = items[0].get("account_id") if f.ref == "AccountMaster" and len(items) == 1 else None
        return Cell(", ".join(names), account if isinstance(account, str) else None)
    if isinstance(value, bool):
        return Cell("Yes" if value else "No")
    if isinstance(value, list):
        return Cell(", ".join(str(v) for v in value if not isinstance(v, dict | list)))
    kind = KINDS[f.kind] if f is not None else None
    if kind is not None and kind.shown is not None and isinstance(value, int | float):
        return Cell(kind.shown(f, value))
    if isinstance(value, float) and value.is_integer():
        return Cell(str(int(value)))
    if isinstance(value, str) and f is not None:
        # Without the status emoji some derived labels start with: a screen may have no emoji font, and
        # the view's formatting gives the colour.
        return Cell(str(plain(value, f)), wrap=f.kind in WRAPPED_KINDS)
    return Cell(str(value))


def row_classes(table: Table, row: dict, formatting: list[dict] | tuple[dict, ...]) -> list[str]:
    """CSS classes from the view's formatting rules that this row meets (the first rule of each kind,
    row colour or text colour, wins, as in a Coda conditional format listed first)."""
    out: list[str] = []
    fill = text = False
    for rule in formatting:
        f = table.by_key.get(rule.get("column", ""))
        if f is None or plain(row.get(f.key), f) != plain(rule.get("equals"), f):
            continue
        colour, _, what = str(rule.get("style", "")).partition(" ")
        if colour not in STYLES:
            continue
        if what == "text" and not text:
            out.append(f"text-{colour}")
            text = True
        elif not what and not fill:
            out.append(f"fill-{colour}")
            fill = True
    return out
