"""The in-memory snapshot the service answers from, rebuilt once per data version.

Each request costs one `stat` of the store file; only when the file changed is
it parsed again, indexed by id, and the eager part of the derived columns
computed (`formulas.derive_core`: account health, metrics, links, rollups).
A row's own columns, its references (filled in with the target's display
value) and its JSON bytes are computed the first time the row is served and
kept for the rest of the version: each row is computed once per version, and
an edit shows on the next request without waiting for 50,000 rows.  Pages are
bisected out of a sorted list and joined from the rows' cached bytes.
"""

from __future__ import annotations

import bisect
import contextlib
import datetime as dt
import gc
import os
import threading
import weakref
from collections.abc import Callable, Hashable, Iterator
from functools import cached_property
from typing import Any

import orjson

from formulas.derive import Core, derive_core, derived_row
from formulas.pack import AccountIndex
from schemas import SYNC_TABLES, Table, get_table
from service.store import Store, StoreError, gc_paused, meta_of, ordered_rows


class TableRows:
    """One synced table of a snapshot: stored rows in id order, served lazily and cached."""

    def __init__(self, table: Table, stored: list[dict], snapshot: Snapshot, numbers: list[int] | None = None) -> None:
        self.table = table
        self.stored = stored
        # The ids' numbers: the store's own keys when the builder has them (no id parsing per row).
        self.numbers = numbers if numbers is not None else [table.id_number(r[table.id_key]) for r in stored]
        self.index = {r[table.id_key]: i for i, r in enumerate(stored)}
        # A weak reference: no cycle, so a replaced snapshot is freed by reference counting
        # alone -- which matters because its objects are frozen out of the cyclic collector.
        self._snapshot = weakref.proxy(snapshot)
        self._served: list[dict | None] = [None] * len(stored)
        self._json: list[bytes | None] = [None] * len(stored)

    def __len__(self) -> int:
        return len(self.stored)

    def served(self, i: int) -> dict:
        row = self._served[i]
        if row is None:
            with computing(f"{self.table.name} {self.stored[i].get(self.table.id_key)}"):
                row = self._snapshot.serve(self.table, self.stored[i])
            self._served[i] = row
        return row

    def json(self, i: int) -> bytes:
        raw = self._json[i]
        if raw is None:
            with computing(f"{self.table.name} {self.stored[i].get(self.table.id_key)}"):  # e.g. nested too deep
                raw = orjson.dumps(self.served(i))
            self._json[i] = raw
        return raw

    @property
    def rows(self) -> list[dict]:
        """Every served row (materialises the whole table)."""
        return [self.served(i) for i in range(len(self.stored))]

    def get(self, row_id: str) -> dict | None:
        i = self.index.get(row_id)
        return None if i is None else self.served(i)

    def page_after(self, after: int, limit: int) -> tuple[range, int | None]:
        """Positions of up to `limit` rows with id number > `after`, and the last number if more follow."""
        start = bisect.bisect_right(self.numbers, after)
        end = min(start + limit, len(self.numbers))
        more = end < len(self.numbers)
        return range(start, end), (self.numbers[end - 1] if more else None)

    def page_json(self, positions: range) -> bytes:
        return b",".join(self.json(i) for i in positions)


class Snapshot:
    def __init__(
        self,
        version: int,
        today: dt.date,
        stored: dict[str, list[dict]],
        core: Core,
        numbers: dict[str, list[int]] | None = None,
    ) -> None:
        self.version = version
        self.today = today
        self.stored = stored  # raw stored rows of every table (history included), in id order
        self.core = core
        numbers = numbers or {}
        self.tables = {t.name: TableRows(t, stored.get(t.name, []), self, numbers.get(t.name)) for t in SYNC_TABLES}
        self._ref_objects: dict[str, dict[str, dict]] = {}
        self._memo: dict[Hashable, Any] = {}

    def memo(self, key: Hashable, build: Callable[[], Any]) -> Any:
        """`build()`, computed once for this snapshot (one data version, one day) and kept with it.  For
        a fixed, small set of keys only (a page, a view without filters): never a key from free input.
        Two threads asking at once may both build; either result is the same."""
        try:
            return self._memo[key]
        except KeyError:
            value = self._memo[key] = build()
            return value

    def rows(self, name: str) -> TableRows:
        return self.tables[get_table(name).name]

    @cached_property
    def accounts(self) -> AccountIndex:
        """AccountMaster's served rows by name and id, for the formulas."""
        with computing("AccountMaster"):
            return AccountIndex(self.tables["AccountMaster"].rows)

    def serve(self, table: Table, row: dict) -> dict:
        served = {**row, **derived_row(table.name, row, self.core)}
        for f in table.reference_fields:
            objects = self._refs(f.ref)
            value = served.get(f.key)
            if f.many:
                served[f.key] = [objects.get(v) or _dangling(f.ref, v) for v in value or ()]
            elif value is not None:
                served[f.key] = objects.get(value) or _dangling(f.ref, value)
        return served

    def _refs(self, target: str) -> dict[str, dict]:
        """{id: {id_key, display_key}} of a table, built on first use: one shared object per row."""
        objects = self._ref_objects.get(target)
        if objects is None:
            table = get_table(target)
            id_key, display_key = table.id_key, table.display_key
            stored_display = not table.field(display_key).derived
            objects = {}
            for row in self.stored.get(target, ()):
                label = row.get(display_key) if stored_display else derived_row(target, row, self.core)[display_key]
                objects[row[id_key]] = {id_key: row[id_key], display_key: label}
            self._ref_objects[target] = objects
        return objects


@contextlib.contextmanager
def computing(what: str, allowed: tuple[type[Exception], ...] = ()) -> Iterator[None]:
    """Computing from stored rows.  Every write is validated, so only a hand-edited file can hold
    a value the formulas cannot work with; that is the store's fault, said as a StoreError (a 503
    from the service, an `Error:` from the CLI) that names the row, never a 500 or a traceback."""
    try:
        yield
    except (StoreError, *allowed):
        raise
    except Exception as exc:
        raise StoreError(
            f"the store holds a value that cannot be computed with ({what}: {type(exc).__name__}: {exc}); "
            "`csm validate` lists every such problem"
        ) from exc


def build(data: dict, today: dt.date) -> Snapshot:
    with gc_paused(), computing("derived columns"):
        stored, numbers = {}, {}
        for name, docs in data.items():
            if not name.startswith("_"):
                # Keys are the ids' numbers (the store's shape check guarantees it): sort them once, keep them.
                numbers[name] = sorted(map(int, docs))
                stored[name] = [docs[str(n)] for n in numbers[name]]
        core = derive_core(stored, today)
        return Snapshot(int(meta_of(data).get("version", 0)), today, stored, core, numbers)


def presented_rows(data: dict, table_name: str, today: dt.date) -> list[dict]:
    """Rows as a reader sees them: served rows (derived columns, references as objects) for
    synced tables, stored rows for the history collections."""
    table = get_table(table_name)
    if not table.synced:
        return ordered_rows(data, table.name)
    snapshot = build(data, today)  # held here: its tables refer to it only weakly
    return snapshot.rows(table.name).rows


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
        # (stat key, snapshot) in one attribute, read once: with threaded workers a request must never
        # pair one version's key with another version's snapshot.
        self._current: tuple[tuple, Snapshot] | None = None

    def current(self) -> Snapshot:
        try:
            st = os.stat(self._store.path)
            key = (st.st_ino, st.st_mtime_ns, st.st_size, self._today())
        except FileNotFoundError:
            key = None
        current = self._current
        if current is not None and key is not None and current[0] == key:
            return current[1]
        with self._lock:
            current = self._current
            if current is None or key is None or current[0] != key:
                data, st = self._store.read()
                today = self._today()
                self._current = current = None  # let the old snapshot go before the new one is built
                snapshot = build(data, today)
                self._current = current = ((st.st_ino, st.st_mtime_ns, st.st_size, today), snapshot)
                del data
                # Millions of long-lived objects: keep the cyclic collector from rescanning them on
                # every full collection (a ~300 ms pause per collection at 10,000 accounts).
                gc.freeze()
            return current[1]

    def adopt(self, data: dict, st: os.stat_result) -> Snapshot:
        """Serve `data`, which this process just wrote as the file `st` describes: a write answers
        from it without parsing the file it wrote.  If another writer has replaced the file since,
        the next request's stat sees a different file and reloads as usual."""
        today = self._today()
        snapshot = build(data, today)
        with self._lock:
            current = self._current
            # Two writers' answers may adopt out of order: never put an older version back.
            if current is None or current[1].version <= snapshot.version:
                self._current = ((st.st_ino, st.st_mtime_ns, st.st_size, today), snapshot)
                gc.freeze()
        return snapshot
