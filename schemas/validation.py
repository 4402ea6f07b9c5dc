"""marshmallow schemas built from the catalog, and the checks that need the store.

`load_row` validates what a client wants to write: unknown keys are rejected,
types are strict (no string-to-number coercion here: the CLI converts strings
by field type before it calls this), enums and ranges are enforced, derived,
automatic and id fields cannot be written.  `check_links` then checks what
only the store can tell: references name existing rows, unique values are
unique.  Both report errors as ``{field: [message, ...]}``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from schemas.catalog import get_table
from schemas.fields import Field
from schemas.table import Table

Errors = dict[str, Any]


class RowInvalid(ValueError):
    """A row failed validation; `errors` maps each field to its problems."""

    def __init__(self, table: str, errors: Errors, row_id: str | None = None) -> None:
        self.table = table
        self.errors = errors
        self.row_id = row_id
        where = f"{table} {row_id}" if row_id else table
        super().__init__(f"{where}: {describe(errors)}")


def describe(errors: Errors) -> str:
    """One line naming every field and its first problem: `arr: Not a number.; ...`."""
    parts = []
    for key, problem in sorted(errors.items(), key=lambda kv: str(kv[0])):
        if isinstance(problem, dict):
            parts.append(f"{key}.{describe(problem)}")
        else:
            msgs = problem if isinstance(problem, list) else [problem]
            parts.append(f"{key}: {msgs[0]}")
    return "; ".join(parts)


# --- strict field types ----------------------------------------------------------


class StrictNumber(fields.Field):
    """A JSON number: ints and finite floats, never bools or strings."""

    default_error_messages = {"invalid": "Not a number."}

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> float | int:
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or value != value
            or value
            in (
                float("inf"),
                float("-inf"),
            )
        ):
            raise self.make_error("invalid")
        return value


class StrictInteger(fields.Field):
    default_error_messages = {"invalid": "Not a whole number."}

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> int:
        if isinstance(value, bool):
            raise self.make_error("invalid")
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if not isinstance(value, int):
            raise self.make_error("invalid")
        return value


class IsoDate(fields.Field):
    default_error_messages = {"invalid": "Not a date in the form YYYY-MM-DD."}

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        try:
            if not isinstance(value, str) or len(value) != 10:
                raise ValueError
            return dt.date.fromisoformat(value).isoformat()
        except ValueError:
            raise self.make_error("invalid") from None


class IsoDateTime(fields.Field):
    """An ISO 8601 date-time, stored in UTC as `YYYY-MM-DDTHH:MM:SSZ`."""

    default_error_messages = {"invalid": "Not a date-time in the form YYYY-MM-DDTHH:MM:SSZ."}

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        try:
            if not isinstance(value, str) or len(value) < 16:
                raise ValueError
            parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise self.make_error("invalid") from None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=dt.UTC)
        return parsed.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class RowId(fields.String):
    """An id of the target table's form; whether the row exists is `check_links`'s job."""

    def __init__(self, target: Table, **kw: Any) -> None:
        pattern = target.id_pattern
        super().__init__(
            validate=validate.Regexp(pattern, error=f"Not an id of {target.name} (like {target.make_id(1)})."), **kw
        )


def _not_blank(value: str) -> bool:
    if not value.strip():
        raise ValidationError("Must not be blank.")
    return True


def _no_duplicates(values: list) -> bool:
    if len(set(values)) != len(values):
        raise ValidationError("Lists the same id twice.")
    return True


def _marshmallow_field(f: Field) -> fields.Field:
    kw: dict[str, Any] = {"required": f.required, "allow_none": not f.required}
    checks: list[Callable] = []
    if f.minimum is not None or f.maximum is not None:
        checks.append(validate.Range(min=f.minimum, max=f.maximum))
    kind = f.kind
    if kind in ("text", "long_text"):
        checks.append(_not_blank if f.required else validate.Length(max=100_000))
        return fields.String(validate=checks, **kw)
    if kind == "email":
        return fields.Email(**kw)
    if kind == "url":
        return fields.URL(**kw)
    if kind in ("integer", "slider"):
        return StrictInteger(validate=checks, **kw)
    if kind in ("number", "currency", "percent"):
        return StrictNumber(validate=checks, **kw)
    if kind == "date":
        return IsoDate(**kw)
    if kind == "datetime":
        return IsoDateTime(**kw)
    if kind == "boolean":
        return fields.Boolean(truthy={True}, falsy={False}, **kw)
    if kind == "select":
        return fields.String(validate=validate.OneOf(f.options), **kw)
    if kind == "ref":
        return RowId(get_table(f.ref), **kw)
    if kind == "refs":
        return fields.List(RowId(get_table(f.ref), required=True), validate=_no_duplicates, **kw)
    if kind == "text_list":
        return fields.List(fields.String(validate=_not_blank), **kw)
    if kind == "object_list":
        return fields.List(fields.Nested(_item_schema(f), unknown=RAISE), **kw)
    raise AssertionError(f"no marshmallow field for kind {kind!r}")


def _item_schema(f: Field) -> type[Schema]:
    declared = {sub.key: _marshmallow_field(sub) for sub in f.item_fields}
    return Schema.from_dict(declared, name=f"{f.key}_item")


@cache
def write_schema(table_name: str) -> Schema:
    """The marshmallow schema for rows written to `table_name` (writable fields only)."""
    table = get_table(table_name)
    declared = {f.key: _marshmallow_field(f) for f in table.writable_fields}
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
        clean = write_schema(table.name).load(writable, partial=partial)
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
    taken: Callable[[str, Any], bool],
) -> Errors:
    """Problems only the store can see: dangling references and duplicate unique values.

    `exists(table_name, row_id)` says whether a row exists; `taken(key, value)`
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
        if f.unique and row.get(f.key) is not None and taken(f.key, unique_form(row[f.key])):
            errors[f.key] = [f"Another {table.name} row already has {row[f.key]!r}."]
    return errors


def unique_form(value: Any) -> Any:
    """What uniqueness compares: text trimmed, inner spaces collapsed, case folded."""
    return " ".join(value.split()).casefold() if isinstance(value, str) else value
