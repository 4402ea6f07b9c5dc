"""The in-memory snapshot the service answers from, rebuilt once per data version.

Each request costs one `stat` of the store file; only when the file changed is
it parsed again, its derived columns computed (in one pass, by `formulas/`),
its references filled in with their display values, and its rows indexed by
id.  Pages are then bisected out of a sorted list, never scanned.
"""

from __future__ import annotations

import bisect
import datetime as dt
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass

from formulas import derive_all
from formulas.pack import AccountIndex
from schemas import SYNC_TABLES, Table, get_table
from service.store import Store, meta_of


@dataclass(frozen=True)
class TableRows:
    table: Table
    numbers: list[int]  # id numbers, ascending
    rows: list[dict]  # served rows, in the same order
    by_id: dict[str, dict]

    def page_after(self, after: int, limit: int) -> tuple[list[dict], int | None]:
        """Up to `limit` rows with id number > `after`, and the last number if more follow."""
        start = bisect.bisect_right(self.numbers, after)
        chunk = self.rows[start : start + limit]
        more = start + limit < len(self.rows)
        return chunk, (self.numbers[start + limit - 1] if more else None)


@dataclass(frozen=True)
class Snapshot:
    version: int
    today: dt.date
    tables: dict[str, TableRows]
    stored: dict[str, list[dict]]  # raw stored rows of every table (history included)
    accounts: AccountIndex  # AccountMaster's served rows by name and id, for the formulas

    def rows(self, name: str) -> TableRows:
        return self.tables[get_table(name).name]


def build(data: dict, today: dt.date) -> Snapshot:
    stored: dict[str, list[dict]] = {}
    for name, docs in data.items():
        if name.startswith("_"):
            continue
        stored[name] = [docs[k] for k in sorted(docs, key=int)]
    derived = derive_all(stored, today)

    served: dict[str, list[dict]] = {}
    for table in SYNC_TABLES:
        extra = derived[table.name]
        served[table.name] = [{**row, **extra[row[table.id_key]]} for row in stored.get(table.name, ())]

    # A reference is served as {target_id_key: id, target_display_key: label}; one
    # shared object per target row keeps this O(rows) in time and memory.
    ref_objects = {
        table.name: {
            row[table.id_key]: {table.id_key: row[table.id_key], table.display_key: row.get(table.display_key)}
            for row in served[table.name]
        }
        for table in SYNC_TABLES
    }
    tables: dict[str, TableRows] = {}
    for table in SYNC_TABLES:
        rows = served[table.name]
        for f in table.reference_fields:
            objects = ref_objects[f.ref]
            key = f.key
            for row in rows:
                row[key] = _expand(row.get(key), objects, f.ref, f.many)
        numbers = [table.id_number(r[table.id_key]) for r in rows]
        tables[table.name] = TableRows(table, numbers, rows, {r[table.id_key]: r for r in rows})
    accounts = AccountIndex(tables["AccountMaster"].rows)
    return Snapshot(int(meta_of(data).get("version", 0)), today, tables, stored, accounts)


def _expand(value, objects: dict, target: str, many: bool):
    if many:
        return [objects.get(v) or _dangling(target, v) for v in value or ()]
    if value is None:
        return None
    return objects.get(value) or _dangling(target, value)


def _dangling(target: str, row_id: str) -> dict:
    # Only a hand-edited file can hold a dangling id (every write checks them);
    # serve it with an empty label rather than fail the whole table.
    table = get_table(target)
    return {table.id_key: row_id, table.display_key: None}


class SnapshotCache:
    """One per process: the current snapshot, reloaded when the store file changes."""

    def __init__(self, store: Store, today: Callable[[], dt.date]) -> None:
        self._store = store
        self._today = today
        self._lock = threading.Lock()
        self._key: tuple | None = None
        self._snapshot: Snapshot | None = None

    def current(self) -> Snapshot:
        try:
            st = os.stat(self._store.path)
            key = (st.st_ino, st.st_mtime_ns, st.st_size, self._today())
        except FileNotFoundError:
            key = None
        snap = self._snapshot
        if snap is not None and key == self._key:
            return snap
        with self._lock:
            if self._snapshot is None or key != self._key or key is None:
                data, st = self._store.read()
                today = self._today()
                self._snapshot = build(data, today)
                self._key = (st.st_ino, st.st_mtime_ns, st.st_size, today)
            return self._snapshot
