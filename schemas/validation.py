"""marshmallow schemas built from the catalog, and the checks that need the store.

`load_row` validates what a client wants to write: unknown keys are rejected,
types are strict (no string-to-number coercion here: the CLI converts strings
by field type before it calls this), enums and ranges are enforced, derived,
automatic and id fields cannot be written.  Each field's check comes from its
kind (`schemas.kinds`).  `check_links` then checks what
only the store can tell: references name existing rows, unique values are
unique.  Both report errors as ``{field: [message, ...]}``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

from marshmallow import RAISE, Schema, ValidationError

from schemas.catalog import get_table
from schemas.kinds import field_for
from schemas.table import Table
from schemas.values import IsoDateTime

Errors = dict[str, Any]


class RowInvalid(ValueError):
    """A row failed validation; `errors` maps each field to its problems."""

    def __init__(self, table: str, errors: Errors, row_id: str | None = None) -> None:
        self.table = table
        self.errors = errors
        self.row_id = row_id
        where = f"{table} {row_id}" if row_id else table
        super().__init__(f"{where}: {describe(errors)}")


MAX_DESCRIBED = 20


def describe(errors: Errors) -> str:
    """One line naming each field (the first 20) and its first problem: `arr: Not a number; ...`."""
    parts = []
    items = sorted(errors.items(), key=lambda kv: str(kv[0]))
    for key, problem in items[:MAX_DESCRIBED]:
        if isinstance(problem, dict):
            parts.append(f"{key}.{describe(problem)}")
        else:
            msgs = problem if isinstance(problem, list) else [problem]
            parts.append(f"{key}: {msgs[0]}")
    if len(items) > MAX_DESCRIBED:
        parts.append(f"and {len(items) - MAX_DESCRIBED} more fields")
    # Messages end in a full stop; joined, only the last one keeps it (`a: Bad.; b: Bad.` reads badly).
    return "; ".join(part.removesuffix(".") for part in parts[:-1]) + ("; " if len(parts) > 1 else "") + parts[-1]


@cache
def write_schema(table_name: str) -> Schema:
    """The marshmallow schema for rows written to `table_name` (writable fields only)."""
    table = get_table(table_name)
    declared = {f.key: field_for(f, "write") for f in table.writable_fields}
    cls = Schema.from_dict(declared, name=f"{table.name}Write")
    return cls(unknown=RAISE)


def load_row(table: Table, data: Any, *, partial: bool = False, row_id: str | None = None) -> dict[str, Any]:
    """Validate `data` for `table`; returns the clean values or raises RowInvalid.

    With `partial` (an update), required fields may be left out but not emptied.
    Without it (an insert), missing fields take their declared default or null.
    """
    if not isinstance(data, Mapping):
        raise RowInvalid(table.name, {"_row": ["A row must be a JSON object."]}, row_id)
    errors: Errors = {}
    for key in data:
        f = table.by_key.get(key)
        if f is None:
            continue  # marshmallow reports unknown keys
        if f.kind == "id":
            errors[key] = ["Ids are assigned by the store and cannot be written."]
        elif f.derived:
            errors[key] = ["Derived field: it is computed and cannot be written."]
        elif f.auto:
            errors[key] = ["Set automatically when the row is written."]
    writable = {k: v for k, v in data.items() if k not in errors}
    try:
        # Partial at the top level only: an update may leave fields out, but an item of a list it
        # sends (a milestone) must still be whole -- marshmallow's `partial=True` would relax those too.
        left_out = tuple(f.key for f in table.writable_fields if f.key not in writable) if partial else False
        clean = write_schema(table.name).load(writable, partial=left_out)
    except ValidationError as exc:
        messages = exc.messages if isinstance(exc.messages, dict) else {"_row": exc.messages}
        errors.update(messages)
        clean = {}
    if errors:
        raise RowInvalid(table.name, errors, row_id)
    if not partial:
        for f in table.writable_fields:
            clean.setdefault(f.key, f.default)
    return clean


def check_links(
    table: Table,
    row: Mapping[str, Any],
    exists: Callable[[str, str], bool],
    taken: Callable[[str, Any], str | None],
) -> Errors:
    """Problems only the store can see: dangling references and duplicate unique values.

    `exists(table_name, row_id)` says whether a row exists; `taken(key, value)` names
    whether another row of the table already holds `value` (in `unique_form`).
    """
    errors: Errors = {}
    for f in table.reference_fields:
        if f.derived:
            continue
        value = row.get(f.key)
        ids = value if isinstance(value, list) else [value] if value else []
        missing = [i for i in ids if not exists(f.ref, i)]
        if missing:
            errors[f.key] = [f"No {f.ref} row {i}." for i in missing]
    for f in table.stored_fields:
        holder = taken(f.key, unique_form(row[f.key])) if f.unique and row.get(f.key) is not None else None
        if holder:
            errors[f.key] = [f"{holder} already has {row[f.key]!r}."]
    return errors


def unique_form(value: Any) -> Any:
    """What uniqueness compares: text trimmed, inner spaces collapsed, case folded."""
    return " ".join(value.split()).casefold() if isinstance(value, str) else value


_STAMP = IsoDateTime()


def load_with_stamps(table: Table, values: Any, row_id: str | None) -> tuple[dict[str, Any], dict[str, str]]:
    """`load_row` for a restored row that may carry its automatic stamps: (clean values, stamps).

    A stamp must be a valid date-time and is kept in its stored form (UTC, `...Z`); a missing
    or empty one is left out, to be stamped now.  RowInvalid names every bad field, stamps included.
    """
    if not isinstance(values, dict):
        return load_row(table, values, row_id=row_id), {}
    autos = [f.key for f in table.stored_fields if f.auto and f.key in values]
    stamps: dict[str, str] = {}
    errors: Errors = {}
    for key in autos:
        if values[key] is None or values[key] == "":
            continue
        try:
            stamps[key] = _STAMP.deserialize(values[key])
        except ValidationError as exc:
            errors[key] = exc.messages
    try:
        clean = load_row(table, {k: v for k, v in values.items() if k not in autos}, row_id=row_id)
    except RowInvalid as exc:
        raise RowInvalid(table.name, {**errors, **exc.errors}, row_id) from None
    if errors:
        raise RowInvalid(table.name, errors, row_id)
    return clean, stamps
