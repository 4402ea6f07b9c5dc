"""A store transaction: validated row operations on one fresh copy of the store's data, and the
record of what they changed (`service.store` locks, reads, and writes it once at the end).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Document

from schemas import get_table, referrers
from schemas.table import MAX_ID_NUMBER, Table
from schemas.validation import RowInvalid, check_links, load_row, load_with_stamps, unique_form
from service.changes import change_record, same_value
from service.storeformat import NotFound, StillReferenced, StoreError, meta_of, now_utc


class _InMemory(Storage):
    """TinyDB storage over the dict a transaction read; the transaction writes it out."""

    def __init__(self, data: dict) -> None:
        self.data = data

    def read(self) -> dict:
        return self.data

    def write(self, data: dict) -> None:
        self.data = data


class Transaction:
    """Validated row operations on one fresh copy of the store, written once at the end.

    Reads go through TinyDB's table API; inserts and updates set the stored rows in place,
    because each TinyDB write call re-keys the whole table.  A per-transaction index of unique
    values keeps the uniqueness check O(1).
    """

    def __init__(self, data: dict, clock: Callable[[], str] = now_utc, source: str = "cli") -> None:
        self._db = TinyDB(data, storage=_InMemory)
        self._clock = clock
        self._unique: dict[tuple[str, str], dict[object, int]] = {}
        self.changed = False
        self.source = source
        # Each row's state before this transaction first touched it (None: it did not exist),
        # in the order touched; compared with its state at commit for the change log.
        self._before: dict[tuple[str, int], dict | None] = {}
        # Set by the store once the transaction is committed.
        self.version: int | None = None
        self.stat: os.stat_result | None = None
        self.records: list[dict] = []

    @property
    def data(self) -> dict:
        return self._db.storage.data

    @property
    def meta(self) -> dict:
        return meta_of(self.data)

    # --- reads ----------------------------------------------------------------------

    def rows(self, table: str) -> list[dict]:
        get_table(table)
        return [dict(d) for d in self._db.table(table).all()]

    def get(self, table: str, row_id: str) -> dict:
        number = get_table(table).id_number(row_id)
        doc = self._db.table(table).get(doc_id=number) if number else None
        if doc is None:
            raise NotFound(table, row_id)
        return dict(doc)

    def exists(self, table: str, row_id: str) -> bool:
        number = get_table(table).id_number(row_id)
        return bool(number) and self._db.table(table).contains(doc_id=number)

    # --- writes ---------------------------------------------------------------------

    def insert(self, table_name: str, values: dict[str, Any], *, row_id: str | None = None) -> str:
        """Validate and insert one row; returns its new id.  `row_id` is for seeding and imports."""
        return self.insert_many(table_name, [(values, row_id)])[0]

    def insert_many(
        self,
        table_name: str,
        items: list[tuple[dict[str, Any], str | None]],
        errors: list[tuple[int, RowInvalid]] | None = None,
        *,
        keep_stamps: bool = False,
    ) -> list[str]:
        """Validate and insert rows in one TinyDB call; returns their ids in order.

        Without `errors`, the first invalid row raises RowInvalid.  With it, each
        invalid row's (position, error) is appended and the valid rows are still
        returned -- the caller decides whether to commit.

        `keep_stamps` is for restoring a backup: the automatic stamps a row carries
        (`auto` fields) are validated as date-times and kept; missing ones are stamped now.
        """
        table = get_table(table_name)
        next_ids = self.meta.setdefault("next_ids", {})
        pending_numbers: set[int] = set()
        docs, ids = [], []
        for position, (values, row_id) in enumerate(items):
            try:
                if keep_stamps:
                    clean, stamps = load_with_stamps(table, values, row_id)
                else:
                    clean, stamps = load_row(table, values, row_id=row_id), {}
                if row_id is None:
                    number = self._next_number(table, next_ids.get(table.name, 1))
                    row_id = table.make_id(number)
                else:
                    number = table.id_number(row_id)
                    if number is None:
                        raise RowInvalid(table.name, {table.id_key: [f"Not an id of {table.name}."]}, row_id)
                    if number in pending_numbers or self.exists(table.name, row_id):
                        raise RowInvalid(table.name, {table.id_key: [f"{row_id} already exists."]}, row_id)
                row = {table.id_key: row_id, **clean, **stamps}
                self._stamp(table, row, created=True, keep=keep_stamps)
                self._check(table, row, number)
            except RowInvalid as exc:
                if errors is None:
                    raise
                errors.append((position, exc))
                continue
            self._index_unique(table, row, number)
            self._before.setdefault((table.name, number), None)
            pending_numbers.add(number)
            next_ids[table.name] = max(next_ids.get(table.name, 1), number + 1)
            docs.append(Document(row, doc_id=number))
            ids.append(row_id)
        if docs:
            # Straight into the stored dict, as updates are: TinyDB's insert_multiple re-keys the whole
            # table on every call, which made N single-row inserts (an automation's tasks and alerts,
            # a day's history) quadratic: 9,300 of them into a 1,000-account store took 34 s.
            stored = self.data.setdefault(table.name, {})
            for doc in docs:
                stored[str(doc.doc_id)] = dict(doc)
            self._db.table(table.name).clear_cache()
            self.changed = True
        return ids

    def _next_number(self, table: Table, planned: int) -> int:
        """The number of the next new id: the high-water mark, past any row a hand edit put beyond it."""
        number = max(planned, 1)
        if self._db.table(table.name).contains(doc_id=number):
            number = max(map(int, self.data[table.name])) + 1
        if number > MAX_ID_NUMBER:
            raise StoreError(f"{table.name} has used every id up to {table.make_id(MAX_ID_NUMBER)}; no new row fits")
        return number

    def update(self, table_name: str, row_id: str, changes: dict[str, Any]) -> dict:
        """Validate and apply changes to one row; returns the row after."""
        self.update_many(table_name, [row_id], changes)
        return self.get(table_name, row_id)

    def update_many(self, table_name: str, row_ids: list[str], changes: dict[str, Any]) -> list[str]:
        """Apply the same changes to several rows, validating each; returns the ids that changed."""
        table = get_table(table_name)
        clean = load_row(table, changes, partial=True, row_id=row_ids[0] if len(row_ids) == 1 else None)
        modified = [f.key for f in table.stored_fields if f.auto == "modified"]
        stamp = self._clock()
        changed: list[str] = []
        for row_id in row_ids:
            current = self.get(table.name, row_id)
            if all(same_value(current.get(k), v) for k, v in clean.items()):
                continue  # nothing changes in meaning (null for [], 70.0 for 70): no new version, no record
            row = {**current, **clean}
            row.update(dict.fromkeys(modified, stamp))
            number = table.id_number(row_id)
            self._unindex_unique(table, current, number)
            try:
                self._check(table, row, number)
            except RowInvalid:
                self._index_unique(table, current, number)  # the row stays as it was, and so does the index
                raise
            self._index_unique(table, row, number)
            self._touched(table.name, number, current)
            changed.append(row_id)
        if changed:
            self._update_docs(table, changed, {**clean, **dict.fromkeys(modified, stamp)})
        return changed

    def _update_docs(self, table: Table, row_ids: list[str], values: dict[str, Any]) -> None:
        """Set values on stored rows in place.  (TinyDB's own `update` re-keys the whole table on every
        call: a batch of 1,000 single-row edits of a 10,000-row table spent most of its time there.)"""
        docs = self.data[table.name]
        for row_id in row_ids:
            docs[str(table.id_number(row_id))].update(values)
        self._db.table(table.name).clear_cache()
        self.changed = True

    def referenced_by(self, table_name: str, row_ids: str | set[str]) -> list[tuple[str, str, str]]:
        """(table, id, field) of every stored reference to the row(s)."""
        wanted = {row_ids} if isinstance(row_ids, str) else row_ids
        found = []
        for source, key in referrers(table_name):
            for row in self._db.table(source.name).all():
                value = row.get(key)
                if (value in wanted) if isinstance(value, str) else isinstance(value, list) and wanted & set(value):
                    found.append((source.name, row[source.id_key], key))
        return found

    def delete(self, table_name: str, row_id: str) -> None:
        table = get_table(table_name)
        current = self.get(table.name, row_id)
        by = self.referenced_by(table.name, row_id)
        if by:
            raise StillReferenced(table.name, row_id, by)
        self._remove(table, [current])

    def _remove(self, table: Table, rows: list[dict]) -> None:
        numbers = [table.id_number(r[table.id_key]) for r in rows]
        for row, number in zip(rows, numbers, strict=True):
            self._unindex_unique(table, row, number)
            self._touched(table.name, number, row)
        if numbers:
            self._db.table(table.name).remove(doc_ids=numbers)
            self.changed = True

    def clear(self, table_name: str) -> None:
        """Remove every row of a table without the reference check (a restore refills it and then
        checks what points at it).  The id high-water mark stays, so no id is ever reused."""
        table = get_table(table_name)
        docs = self.data.get(table.name, {})
        if docs:
            next_ids = self.meta.setdefault("next_ids", {})
            next_ids[table.name] = max(next_ids.get(table.name, 1), max(map(int, docs)) + 1)
            for key, doc in docs.items():
                self._touched(table.name, int(key), doc)
            self._db.table(table.name).truncate()
            self.changed = True
        for index in [k for k in self._unique if k[0] == table.name]:
            del self._unique[index]

    def remove_unchecked(self, table_name: str, row_ids: list[str]) -> None:
        """Remove rows without the reference check: for cascades that handle referrers themselves."""
        table = get_table(table_name)
        self._remove(table, [self.get(table.name, i) for i in row_ids])

    def set_unchecked(self, table_name: str, row_id: str, values: dict[str, Any]) -> None:
        """Overwrite stored values without validation: for cascades clearing references to deleted rows."""
        table = get_table(table_name)
        for f in table.stored_fields:
            if f.auto == "modified":
                values = {**values, f.key: self._clock()}
        self._touched(table.name, table.id_number(row_id), self.get(table.name, row_id))
        self._update_docs(table, [row_id], values)

    # --- the change log -------------------------------------------------------------

    def _touched(self, table_name: str, number: int, row: dict) -> None:
        if (table_name, number) not in self._before:
            self._before[(table_name, number)] = dict(row)

    def change_records(self) -> list[dict]:
        """The transaction's net changes, one record per row (`service.changes`): a row updated
        twice is one update, a row deleted and restored unchanged is nothing."""
        at = self._clock()
        records = []

        def row_of(table_name: str, key: str) -> dict | None:  # now, or as it was before this transaction
            row = self.data.get(table_name, {}).get(key)
            return row if row is not None else self._before.get((table_name, int(key)))

        for (name, number), before in self._before.items():
            after = self.data.get(name, {}).get(str(number))
            record = change_record(row_of, get_table(name), number, before, after)
            if record is not None:
                records.append({"at": at, "source": self.source, **record})
        return records

    # --- helpers --------------------------------------------------------------------

    def _stamp(self, table: Table, row: dict, *, created: bool, keep: bool = False) -> None:
        """Set the row's automatic stamps to now; with `keep`, only those it does not carry yet."""
        for f in table.stored_fields:
            if keep and f.auto and row.get(f.key):
                continue
            if f.auto == "modified" or (f.auto == "created" and (created or not row.get(f.key))):
                row[f.key] = self._clock()

    def _unique_index(self, table: Table, key: str) -> dict[object, int]:
        index = self._unique.get((table.name, key))
        if index is None:
            index = {}
            for doc in self._db.table(table.name).all():
                if doc.get(key) is not None:
                    index[unique_form(doc[key])] = doc.doc_id
            self._unique[(table.name, key)] = index
        return index

    def _index_unique(self, table: Table, row: dict, number: int) -> None:
        for f in table.stored_fields:
            if f.unique and row.get(f.key) is not None:
                self._unique_index(table, f.key)[unique_form(row[f.key])] = number

    def _unindex_unique(self, table: Table, row: dict, number: int) -> None:
        for f in table.stored_fields:
            if f.unique and row.get(f.key) is not None:
                index = self._unique_index(table, f.key)
                if index.get(unique_form(row[f.key])) == number:
                    del index[unique_form(row[f.key])]

    def _check(self, table: Table, row: dict, number: int) -> None:
        def taken(key: str, value: object) -> str | None:
            holder = self._unique_index(table, key).get(value)
            return table.make_id(holder) if holder is not None and holder != number else None

        errors = check_links(table, row, self.exists, taken)
        if errors:
            raise RowInvalid(table.name, errors, row[table.id_key])
