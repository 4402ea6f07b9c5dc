"""The write path of the HTTP API and the pack's actions: insert, update, batch, delete.

Everything here runs inside one store Transaction (`Store.transaction`), so a request is
all or nothing and is recorded in the change log with its source.  Values arrive in the
form the service serves them (JSON): a reference is an id (`"ACC-00001"`) or the served
reference object (`{"account_id": "ACC-00001", "account_name": "..."}`, whose id decides;
the name is only a label and is not checked), a multi-reference a list of those, a date
`YYYY-MM-DD`, a percent 0-100.  The catalog's schema (`schemas.validation`) then validates
every row before it touches the store; derived, id and automatic columns are refused by name.

Decisions:
- Only tables declared `editable` can be written here; the guides that ship with the product
  (ViewTemplates, QuickStartGuide) are refused with 403 and the history collections, which
  are not served, are unknown (404).  The CLI can still write all of them.
- A batch update carries, per row, the values the client last saw (`previous`).  Only the
  fields the update changes are compared, and a field missing from `previous` is not
  checked.  Comparison is on the stored meaning: a reference object is its id, an empty
  string is empty, numbers equal within 1e-9 (a percent that went through Coda's fraction
  and back may come back as 81.89999999999999).  A mismatch is a 409 naming each field
  with its current value, and the row is left alone.
- Updates of one batch apply in order, each seeing those before it; a failed one changes
  nothing and the others still commit, together.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from schemas import SYNC_TABLES, Field, Table, find_synced, get_table
from schemas.validation import RowInvalid, describe
from schemas.values import id_problem
from service.cascade import cascade_delete
from service.changes import same_value
from service.errorshape import error_body
from service.store import NotFound, StillReferenced, Transaction

MAX_BATCH = 1000
MAX_LISTED = 100  # referrers listed in a refused delete's errors (the message names the first 20 and the count)


class WriteRefused(Exception):
    """A write the service refuses: an HTTP status, a code, a one-line message, field errors."""

    def __init__(self, status: int, code: str, message: str, errors: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.errors = status, code, message, errors

    def body(self) -> dict[str, Any]:
        return error_body(self.status, self.code, self.message, self.errors)


def writable_table(name: str) -> Table:
    """The table `name` if the API may write it; WriteRefused (404 or 403) otherwise."""
    table = find_synced(name)
    if table is None:
        names = ", ".join(t.name for t in SYNC_TABLES if t.editable)
        raise WriteRefused(404, "unknown_table", f'Table "{name}" does not exist; tables you can write are: {names}.')
    if not table.editable:
        raise WriteRefused(
            403,
            "read_only_table",
            f"{table.name} ships with the product and cannot be changed through the API; "
            f"maintainers change it with `csm update {table.name} ...`.",
        )
    return table


def _invalid(exc: RowInvalid, row_id: str | None = None) -> WriteRefused:
    where = f"{exc.table} {row_id or exc.row_id}" if (row_id or exc.row_id) else exc.table
    return WriteRefused(400, "invalid_row", f"{where}: {describe(exc.errors)}", exc.errors)


def _unknown_row(table: Table, row_id: object) -> WriteRefused:
    if not isinstance(row_id, str):
        message = f"A row id is a string like {table.make_id(1)}; got {_show(row_id)}."
    elif table.id_number(row_id) is None:
        message = id_problem(table, row_id)
    else:
        message = f"{table.name} has no row {row_id!r}."
    return WriteRefused(404, "unknown_row", message, {table.id_key: [message]})


# --- values -------------------------------------------------------------------------------------


class _BadReference(ValueError):
    pass


def _reference(f: Field, value: Any) -> Any:
    """A reference given as an id or as the served object, as the id the store keeps."""
    target = get_table(f.ref)
    if isinstance(value, Mapping):
        if target.id_key not in value:
            raise _BadReference(f"{_a(target.identity)} reference object needs its {target.id_key!r}.")
        value = value[target.id_key]
    if not isinstance(value, str):
        raise _BadReference(f"Give {_a(target.identity).lower()} id like {target.make_id(1)}, or its reference object.")
    if target.id_number(value) is None:
        raise _BadReference(id_problem(target, value))
    return value


def _a(noun: str) -> str:
    return ("An " if noun[:1] in "AEIOU" else "A ") + noun


def stored_values(table: Table, values: Mapping[str, Any]) -> dict[str, Any]:
    """API JSON values in the store's form (references as ids); RowInvalid names each bad reference.
    Unknown, derived, id and automatic keys pass through for the schema to refuse by name."""
    out: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for key, value in values.items():
        f = table.by_key.get(key)
        if f is None or not f.is_reference or f.derived or value is None:
            out[key] = value
            continue
        if value == "" and not f.many:  # as in the CLI: an empty value clears the reference
            out[key] = None
            continue
        try:
            if f.many:
                if not isinstance(value, list):
                    raise _BadReference(f"Give a list of {get_table(f.ref).identity} ids or reference objects.")
                out[key] = [_reference(f, item) for item in value]
            else:
                out[key] = _reference(f, value)
        except _BadReference as exc:
            errors[key] = [str(exc)]
    if errors:
        raise RowInvalid(table.name, errors)
    return out


def _comparable(f: Field, value: Any) -> Any:
    """A reference as the id it stands for (the served object, or an id), for the conflict check;
    other values as they are (`same_value` compares them by meaning)."""
    if f.is_reference and not f.derived and value is not None and value != "" and value != []:
        try:
            return [_reference(f, v) for v in value] if f.many and isinstance(value, list) else _reference(f, value)
        except _BadReference:
            return value
    return value


# --- operations -------------------------------------------------------------------------------


def insert(tx: Transaction, table_name: str, values: Any) -> str:
    """Insert one row given in the API's JSON form; returns its new id."""
    table = writable_table(table_name)
    if not isinstance(values, Mapping):
        raise WriteRefused(400, "bad_body", "The body must be one row: a JSON object of field values.")
    try:
        clean = stored_values(table, values)
        try:
            return tx.insert(table.name, clean)
        except RowInvalid as exc:
            # The schema's problems come first and stop before the store's checks: add the references
            # to rows that do not exist, so that one answer names every bad field.
            raise RowInvalid(table.name, {**_missing_references(tx, table, clean), **exc.errors}) from None
    except RowInvalid as exc:
        raise _invalid(exc, "(new row)") from None


def _missing_references(tx: Transaction, table: Table, values: Mapping[str, Any]) -> dict[str, list[str]]:
    errors = {}
    for f in table.reference_fields:
        value = values.get(f.key)
        ids = value if isinstance(value, list) else [value]
        target = get_table(f.ref) if not f.derived else None
        missing = [i for i in ids if target and isinstance(i, str) and target.id_number(i) and not tx.exists(f.ref, i)]
        if missing:
            errors[f.key] = [f"No {f.ref} row {i}." for i in missing]
    return errors


def update(tx: Transaction, table_name: str, row_id: Any, changes: Any, previous: Any = None) -> bool:
    """Change one row; with `previous`, only if the changed fields still hold those values.
    Returns whether anything changed."""
    table = writable_table(table_name)
    if not isinstance(row_id, str) or table.id_number(row_id) is None:
        raise _unknown_row(table, row_id)
    try:
        current = tx.get(table.name, row_id)
    except NotFound:
        raise _unknown_row(table, row_id) from None
    if not isinstance(changes, Mapping):
        raise WriteRefused(400, "bad_body", "changes must be a JSON object of field values.")
    if previous is not None and not isinstance(previous, Mapping):
        raise WriteRefused(400, "bad_body", "previous must be a JSON object of the values last seen.")
    unknown = sorted(str(k) for k in previous or () if k not in table.by_key)
    if unknown:  # a misspelt key would silently switch its conflict check off
        message = f"previous names no field of {table.name}: {', '.join(map(repr, unknown))}."
        raise WriteRefused(400, "bad_body", message, {"previous": [message]})
    try:
        clean = stored_values(table, changes)
        if previous:
            _check_previous(table, row_id, current, clean, previous)
        return bool(tx.update_many(table.name, [row_id], clean))
    except RowInvalid as exc:
        raise _invalid(exc, row_id) from None


def _check_previous(table: Table, row_id: str, current: dict, clean: dict, previous: Mapping) -> None:
    conflicts = {}
    for key in clean:
        f = table.by_key.get(key)
        if key not in previous or f is None or not f.writable:  # a derived or id column is refused as such
            continue
        now, seen = _comparable(f, current.get(key)), _comparable(f, previous[key])
        if not same_value(now, seen):
            conflicts[key] = [f"Changed since it was read: it is now {_show(current.get(key))}, not {_show(seen)}."]
    if conflicts:
        fields = ", ".join(sorted(conflicts))
        raise WriteRefused(
            409,
            "conflict",
            f"{table.name} {row_id} was changed by someone else ({fields}); sync again and redo the edit.",
            conflicts,
        )


def _show(value: Any) -> str:
    """A value as a message quotes it: scalars as they are (long text cut), structures by kind only
    (a client's 1,000-deep list must not be repr'd, nor echoed)."""
    if value is None or value == "" or value == []:
        return "empty"
    if isinstance(value, str):
        return repr(value if len(value) <= 80 else value[:77] + "...")
    if isinstance(value, bool | int | float):
        return repr(value)
    return "a list" if isinstance(value, list) else "an object" if isinstance(value, dict) else type(value).__name__


@dataclass(frozen=True)
class Update:
    row_id: Any
    changes: Any
    previous: Any


def parse_batch(body: Any) -> list[Update]:
    """`{"updates": [{"id", "changes", "previous"?}, ...]}` as Updates; WriteRefused for a malformed body."""
    if not isinstance(body, Mapping) or set(body) != {"updates"} or not isinstance(body["updates"], list):
        raise WriteRefused(
            400,
            "bad_body",
            'The body must be {"updates": [{"id": ..., "previous": {...}, "changes": {...}}, ...]}.',
            {"updates": ["Required: a list of updates."]},
        )
    items = body["updates"]
    if not 1 <= len(items) <= MAX_BATCH:
        message = f"Give 1 to {MAX_BATCH} updates per batch; got {len(items)}."
        raise WriteRefused(400, "bad_body", message, {"updates": [message]})
    updates = []
    for i, item in enumerate(items):
        extra = set(item) - {"id", "changes", "previous"} if isinstance(item, Mapping) else set()
        if not isinstance(item, Mapping) or "id" not in item or "changes" not in item or extra:
            message = "Each update is an object with id, changes and (optionally) previous"
            message += f"; this one also has {', '.join(sorted(map(str, extra)))}." if extra else "."
            raise WriteRefused(400, "bad_body", f"updates[{i}]: {message}", {f"updates.{i}": [message]})
        updates.append(Update(item["id"], item["changes"], item.get("previous")))
    return updates


def apply_batch(tx: Transaction, table_name: str, updates: list[Update]) -> list[str | WriteRefused]:
    """Apply updates in order; each result is the row's id, or the WriteRefused that left it unchanged."""
    writable_table(table_name)
    results: list[str | WriteRefused] = []
    for item in updates:
        try:
            update(tx, table_name, item.row_id, item.changes, item.previous)
            results.append(item.row_id)
        except WriteRefused as exc:
            results.append(exc)
    return results


def delete(tx: Transaction, table_name: str, row_id: str, *, cascade: bool) -> dict[str, Any]:
    """Delete a row (and with `cascade` what needs it); {"deleted": {table: n}, "cleared": n}."""
    table = writable_table(table_name)
    if table.id_number(row_id) is None or not tx.exists(table.name, row_id):
        raise _unknown_row(table, row_id)
    if not cascade:
        try:
            tx.delete(table.name, row_id)
        except StillReferenced as exc:
            kept = sorted({t for t, _, _ in exc.by if not get_table(t).editable})
            advice = (
                f"{' and '.join(kept)} rows are kept by the service and cannot be deleted here; delete with "
                "?cascade=true to delete them with it"
                if kept
                else "delete or change those first, or delete with ?cascade=true"
            )
            raise WriteRefused(
                409,
                "still_referenced",
                f"{exc}; {advice}.",
                {"referenced_by": [f"{t} {i} ({k})" for t, i, k in exc.by[:MAX_LISTED]]},
            ) from None
        return {"deleted": {table.name: 1}, "cleared": 0}
    report = cascade_delete(tx, table.name, [row_id])
    return {"deleted": {t: n for t, n in sorted(report.deleted.items()) if n}, "cleared": report.cleared}
