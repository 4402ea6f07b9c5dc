"""Turning values typed by people (CLI `--set`, CSV cells, hand-written JSON) into typed values.

Each field's kind decides: numbers and booleans are parsed, select options are
matched ignoring case, references accept an id (`PER-00001`) or a display name
(`Sarah Chen`), lists accept JSON or comma-separated text, and an empty string
clears the field.  Anything that cannot be converted raises ConversionError
naming the field; the catalog's validation then checks the converted values.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from schemas import Field, Table, get_table

TRUE = {"true", "t", "yes", "y", "1", "on"}
FALSE = {"false", "f", "no", "n", "0", "off"}

# resolve(table_name, text) -> id, raising ConversionError; built from the store by the caller.
Resolver = Callable[[str, str], str]


class ConversionError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _number(f: Field, text: str) -> int | float:
    cleaned = text.replace(",", "").replace("_", "").strip()
    try:
        value = float(cleaned)
    except ValueError:
        raise ConversionError(f.key, f"Not a number: {text!r}.") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ConversionError(f.key, f"Not a number: {text!r}.")
    return int(value) if value.is_integer() and "." not in cleaned and "e" not in cleaned.lower() else value


def _integer(f: Field, text: str) -> int:
    value = _number(f, text)
    if isinstance(value, float) and not value.is_integer():
        raise ConversionError(f.key, f"Not a whole number: {text!r}.")
    return int(value)


def _list(f: Field, text: str) -> list[Any]:
    stripped = text.strip()
    if stripped.startswith("["):
        try:
            value = json.loads(stripped)
        except ValueError:
            raise ConversionError(f.key, f"Not a JSON list: {text!r}.") from None
        if not isinstance(value, list):
            raise ConversionError(f.key, f"Not a list: {text!r}.")
        return value
    return [part.strip() for part in stripped.split(",") if part.strip()]


def convert_text(f: Field, text: str, resolve: Resolver) -> Any:
    """The typed value for `text` given for field `f`."""
    if text.strip() == "":
        return [] if f.kind in ("refs", "text_list", "object_list") else None
    kind = f.kind
    if kind in ("integer", "slider"):
        return _integer(f, text)
    if kind in ("number", "currency", "percent"):
        return _number(f, text)
    if kind == "boolean":
        lowered = text.strip().lower()
        if lowered in TRUE:
            return True
        if lowered in FALSE:
            return False
        raise ConversionError(f.key, f"Not true or false: {text!r}.")
    if kind == "select":
        for option in f.options:
            if option.casefold() == text.strip().casefold():
                return option
        return text.strip()  # validation names the allowed options
    if kind == "ref":
        return _resolve(f, resolve, text.strip())
    if kind == "refs":
        return [_resolve(f, resolve, str(item).strip()) for item in _list(f, text)]
    if kind == "text_list":
        return [str(item) for item in _list(f, text)]
    if kind == "object_list":
        try:
            value = json.loads(text)
        except ValueError:
            raise ConversionError(f.key, f"Not a JSON list of objects: {text!r}.") from None
        return value
    return text


def convert_value(f: Field, value: Any, resolve: Resolver) -> Any:
    """Like convert_text, for values that may already be typed (JSON input): only strings are converted,
    and references given by name are resolved wherever they appear."""
    if isinstance(value, str) and f.kind not in ("text", "long_text", "email", "url", "date", "datetime", "id"):
        return convert_text(f, value, resolve)
    if f.kind == "refs" and isinstance(value, list):
        return [_resolve(f, resolve, v) if isinstance(v, str) else v for v in value]
    return value


def _resolve(f: Field, resolve: Resolver, text: str) -> str:
    try:
        return resolve(f.ref, text)
    except ConversionError as exc:
        raise ConversionError(f.key, exc.message) from None


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
        if table.id_number(text.upper()) is not None:
            return text.upper()
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
