"""Turning values typed by people (CLI `--set`, CSV cells, hand-written JSON) into typed values.

Each field's kind decides: numbers and booleans are parsed, select options are
matched ignoring case, references accept an id (`PER-00001`) or a display name
(`Sarah Chen`), lists accept JSON or comma-separated text, and an empty string
clears the field.  Anything that cannot be converted raises ConversionError
naming the field; the catalog's validation then checks the converted values.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from schemas import Field, Table, get_table, kinds
from schemas.values import ConversionError, Resolver, id_problem

__all__ = ["ConversionError", "Resolver", "StoreResolver", "convert_row", "convert_text", "convert_value"]


def convert_text(f: Field, text: str, resolve: Resolver) -> Any:
    """The typed value for `text` given for field `f` (its kind decides: `schemas.kinds`)."""
    return kinds.from_text(f, text, resolve)


def convert_value(f: Field, value: Any, resolve: Resolver) -> Any:
    """Like convert_text, for values that may already be typed (JSON input): only strings are converted,
    and references given by name are resolved wherever they appear."""
    if isinstance(value, str) and not kinds.KINDS[f.kind].text_is_value:
        return convert_text(f, value, resolve)
    if f.many and isinstance(value, list):
        return [kinds.resolve_reference(f, resolve, v) if isinstance(v, str) else v for v in value]
    return value


def convert_row(table: Table, values: Mapping[str, Any], resolve: Resolver, *, from_text: bool) -> dict[str, Any]:
    """Convert every known field of a row; unknown keys pass through for validation to reject."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        f = table.by_key.get(key)
        if f is None or f.derived or f.auto or f.kind == "id":
            out[key] = value
        elif from_text:
            out[key] = convert_text(f, "" if value is None else str(value), resolve)
        else:
            out[key] = convert_value(f, value, resolve)
    return out


class StoreResolver:
    """Resolves references over the store's rows: ids pass through, display names are looked up.

    The name index of a table is built on first use; call `forget(table)` after
    inserting into it so that later rows can refer to the new ones by name.
    """

    def __init__(self, rows_of: Callable[[str], list[dict]]) -> None:
        self._rows_of = rows_of
        self._index: dict[str, dict[str, list[str]]] = {}

    def forget(self, table_name: str) -> None:
        self._index.pop(table_name, None)

    def __call__(self, table_name: str, text: str) -> str:
        table = get_table(table_name)
        if table.id_number(text) is not None:
            return text
        if table.canonical_id(text):  # an id spelt another way is refused, never taken as a second spelling
            raise ConversionError("", id_problem(table, text))
        if table_name not in self._index:
            index: dict[str, list[str]] = {}
            for row in self._rows_of(table_name):
                label = row.get(table.display_key)
                if isinstance(label, str):
                    index.setdefault(" ".join(label.split()).casefold(), []).append(row[table.id_key])
            self._index[table_name] = index
        matches = self._index[table_name].get(" ".join(text.split()).casefold(), [])
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise ConversionError(
                "", f"{text!r} names more than one {table_name} row ({', '.join(matches)}); use an id."
            )
        raise ConversionError(
            "", f"No {table_name} row is called {text!r} (give its name or an id like {table.make_id(1)})."
        )
