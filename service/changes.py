"""What a change is: the record of one row's change, compared by meaning, and the queries over them.

The change log (`service.changelog` keeps the file) is the account activity timeline
(`GET /v1/changes`, `csm log`) and the audit trail of the store.  A record:

    {"seq": 42, "at": "2026-11-23T14:00:00Z", "version": 17, "source": "api:coda",
     "table": "ActivitiesTasks", "id": "TSK-00007", "op": "update", "account": "ACC-00001",
     "changes": {"status": ["Not Started", "Done"]}}

- `seq` numbers records 1, 2, 3... and is never reused; `version` is the store's data version
  the change produced (every record of one transaction shares it).
- `op` is insert, update or delete; an insert lists every non-empty field as `[null, value]`,
  a delete every non-empty field as `[value, null]`, so a deleted row can be read back from
  the log.  Automatic stamps (`last_measured`, ...) are left out: `at` says when.
- `account` is the account the row belongs to (the account itself, or the account of the row
  it belongs to), so an account's timeline is one filter; a change that moves a row to another
  account also names the one it left (`account_before`), so it shows in both timelines.
- A whole-store replacement (`csm reset`, `csm import --replace`) is logged row by row as the
  difference between the old and the new data; only a store too damaged to read is logged as a
  single `replace` record.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import orjson

from schemas import TABLES, Table, get_table
from service.changelog import Entry


def diff(before: dict | None, after: dict | None, skip: frozenset[str]) -> tuple[str, dict[str, list]] | None:
    """(op, {field: [old, new]}) between two states of a row, or None when nothing changed.

    Values are compared by meaning, as the store's readers see them: 70 and 70.0 are the same
    number (a restore from CSV may write one for the other), an empty list or string is empty
    like null, and object keys have no order.  A boolean is never equal to a number.
    """
    if before is None and after is None:
        return None
    old, new = before or {}, after or {}
    fields = {}
    for key in sorted(old.keys() | new.keys()):
        if key in skip:
            continue
        a, b = old.get(key), new.get(key)
        if not same_value(a, b):
            fields[key] = [a, b]
    if before is None:
        return "insert", {k: v for k, v in fields.items() if not _empty(v[1])}
    if after is None:
        return "delete", {k: v for k, v in fields.items() if not _empty(v[0])}
    return ("update", fields) if fields else None


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


MAX_DEPTH = 8  # no stored value nests deeper (a milestone is two levels); past it nothing is the same


def same_value(a: Any, b: Any, depth: int = 0) -> bool:
    """Whether two values mean the same in the store -- the one rule for the change log, for edits
    that change nothing, and for the write API's conflict check: 70 and 70.0 (and numbers within
    1e-9, a percent back from Coda's fraction), null, "" and [], and an object with a key left out
    or null (Coda drops nulls) are each the same; a boolean is never a number; key order is no matter."""
    if depth > MAX_DEPTH:
        return False
    if _empty(a) or _empty(b):
        return _empty(a) and _empty(b)
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_value(x, y, depth + 1) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return all(same_value(a.get(k), b.get(k), depth + 1) for k in a.keys() | b.keys())
    return a == b


RowOf = Callable[[str, str], dict | None]  # (table name, id number as text) -> the stored row, if any


def change_record(row_of: RowOf, table: Table, number: int, before: dict | None, after: dict | None) -> dict | None:
    """The log record of one row's change (without when and who), or None if it did not change.
    `row_of` finds the rows it belongs to, deleted ones included (a cascade removes a metric and
    its history values together; the values still belong to the metric's account)."""
    found = diff(before, after, _automatic(table))
    if found is None:
        return None
    op, fields = found
    account = _account_of(row_of, table, after or before or {})
    record = {"table": table.name, "id": table.make_id(number), "op": op, "account": account, "changes": fields}
    if before and after:
        account_before = _account_of(row_of, table, before)
        if account_before != account:
            record["account_before"] = account_before
    return record


def _automatic(table: Table) -> frozenset[str]:
    """Fields a record leaves out: the id (the record names it) and the automatic stamps (`at` says when)."""
    return frozenset(f.key for f in table.stored_fields if f.auto or f.kind == "id")


def _account_of(row_of: RowOf, table: Table, row: dict) -> str | None:
    """The account a row belongs to: the account itself, its account reference, or the account
    of the row it belongs to (a metric's history value belongs to the metric's account)."""
    if table.name == "AccountMaster":
        return row.get(table.id_key)
    if table.account_key:
        value = row.get(table.account_key)
        return value if isinstance(value, str) else None
    for f in table.reference_fields:
        parent = get_table(f.ref)
        value = row.get(f.key)
        if f.required and not f.many and parent.account_key and isinstance(value, str):
            number = parent.id_number(value)
            owner = row_of(parent.name, str(number)) if number else None
            account = owner.get(parent.account_key) if isinstance(owner, dict) else None
            return account if isinstance(account, str) else None
    return None


def replacement_records(old: dict, new: dict) -> list[dict]:
    """The change records of swapping `old` data for `new` (a reset or a restore): row by row."""

    def row_of(table_name: str, key: str) -> dict | None:
        row = new.get(table_name, {}).get(key)
        return row if row is not None else old.get(table_name, {}).get(key)

    records = []
    for table in TABLES.values():
        before, after = old.get(table.name, {}), new.get(table.name, {})
        for key in sorted(before.keys() | after.keys(), key=int):
            record = change_record(row_of, table, int(key), before.get(key), after.get(key))
            if record is not None:
                records.append(record)
    return records


@dataclass(frozen=True)
class Query:
    since: str | None = None  # an ISO date-time in UTC ("...Z"): records at or after it
    table: str | None = None
    row_id: str | None = None
    account: str | None = None
    after_seq: int = 0


class BadFilter(ValueError):
    """A filter of the change log that cannot be used; `param` names it (since, table, id)."""

    def __init__(self, param: str, message: str) -> None:
        super().__init__(message)
        self.param, self.message = param, message


def parse_filters(since: str | None, table: str | None, row_id: str | None) -> Query:
    """The since, table and id filters as the API and `csm log` take them (an id names its table
    by its prefix); BadFilter naming the one that is wrong.  The account is each caller's own."""
    try:
        when = parse_since(since)
    except ValueError as exc:
        raise BadFilter("since", str(exc)) from None
    if table is not None:
        if table not in TABLES:
            raise BadFilter("table", f"no table {table!r}; tables are: {', '.join(TABLES)}.")
    if row_id is not None:
        owner = next((t for t in TABLES.values() if t.id_number(row_id) is not None), None)
        if owner is None:
            raise BadFilter("id", f"{row_id!r} is not a row id (ids look like ACC-00001, TSK-00012).")
        if table and owner.name != table:
            raise BadFilter("id", f"{row_id} is an id of {owner.name}, not of {table}.")
        table = owner.name
    return Query(since=when, table=table, row_id=row_id)


def select(entries: list[Entry], query: Query) -> Iterator[Entry]:
    """The entries a query matches, oldest first."""
    start = bisect.bisect_right(entries, query.after_seq, key=lambda e: e.seq)
    for entry in entries[start:] if start else entries:
        if query.since and entry.at < query.since:
            continue
        if query.table and entry.table != query.table:
            continue
        if query.row_id and entry.id != query.row_id:
            continue
        if query.account and query.account not in (entry.account, entry.account_before):
            continue
        yield entry


def parse_since(raw: str | None) -> str | None:
    """`YYYY-MM-DD` (from the start of that day, UTC) or an ISO date-time with its zone, as `...Z` in UTC;
    ValueError with the message for anything else."""
    if raw is None:
        return None
    try:
        if len(raw) == 10:
            return dt.date.fromisoformat(raw).strftime("%Y-%m-%dT00:00:00Z")
        moment = dt.datetime.fromisoformat(raw)
        if moment.tzinfo is not None:
            moment = moment.astimezone(dt.UTC)  # OverflowError past year 9999 or before year 1
    except (ValueError, OverflowError):
        moment = None
    if moment is None or moment.tzinfo is None:
        raise ValueError(f"give a date (2026-11-01) or a date-time with its zone (2026-11-01T09:00:00Z); got {raw!r}.")
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def value_text(value: Any) -> str:
    """A value as `csm log` prints it."""
    if value is None:
        return "(empty)"
    if isinstance(value, str):
        return repr(value) if len(value) <= 60 else repr(value[:57] + "...")
    return orjson.dumps(value).decode()
