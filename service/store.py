"""The store: a TinyDB JSON file, and the one path by which anything writes it.

TinyDB's own JSON storage writes in place and keeps no lock, so two processes
writing at once corrupt the file and a reader can see it half-written (design
§6).  Here every write is a transaction:

1. take an exclusive `flock` on a side file (`<store>.lock`);
2. read the file afresh inside the lock, so no process works on a stale copy;
3. apply the changes through TinyDB's table API on that in-memory copy,
   validating each row against the catalog first;
4. write everything to a temp file in the same folder, `fsync` it, and
   `os.replace` it over the store, then `fsync` the folder.

Readers never lock: `os.replace` is atomic, so they see the old file or the
new one, never a mix.  A transaction that raises writes nothing.

The file is TinyDB's format (`{"Table": {"1": {...}}}`), pretty-printed and
key-sorted so that a store -- the committed seed included -- diffs cleanly.  A
`_meta` table holds the data version (bumped by every commit) and each table's
id high-water mark, so ids are never reused.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import gc
import os
import re
import stat
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Document

from schemas import TABLES, get_table, referrers
from schemas.table import ID_DIGITS, MAX_ID_DIGITS, MAX_ID_NUMBER, Table
from schemas.validation import RowInvalid, check_links, load_row, load_with_stamps, unique_form
from service.changelog import ChangeLog, Retention, log_path
from service.changes import change_record, replacement_records, same_value

META = "_meta"
FORMAT = 1
MAX_VERSION = 2**53  # exact in every JSON reader; a version a second for 285 million years
LOCK_TIMEOUT_S = 30.0


class StoreError(Exception):
    """A store problem a user can act on (missing file, lock timeout, bad file)."""


class NotFound(KeyError):
    def __init__(self, table: str, row_id: str) -> None:
        super().__init__(row_id)
        self.table = table
        self.row_id = row_id

    def __str__(self) -> str:
        return f"{self.table} has no row {self.row_id}"


class StillReferenced(Exception):
    """A delete refused because other rows point at the row."""

    def __init__(self, table: str, row_id: str, by: list[tuple[str, str, str]]) -> None:
        self.table, self.row_id, self.by = table, row_id, by
        listed = ", ".join(f"{t} {i} ({k})" for t, i, k in by[:20])
        more = f" and {len(by) - 20} more" if len(by) > 20 else ""
        super().__init__(f"{table} {row_id} is referenced by {listed}{more}")


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building millions of small objects.

    Parsing a store creates only acyclic dicts and lists (reference counting frees
    them), yet each allocation burst triggers collections that rescan everything
    already built: at 10,000 accounts that is 40% of the parse time.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def dumps(data: dict) -> bytes:
    """The file's bytes: compact for a live store (faster to write and to load), pretty-printed and
    key-sorted when the store asks for it in `_meta` (the committed seed does, for reviewable diffs)."""
    if data.get(META, {}).get("1", {}).get("pretty"):
        return orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"
    return orjson.dumps(data) + b"\n"


def parse(raw: bytes, path: Path) -> dict:
    """The store's data, or StoreError: a file that is not JSON, or JSON not shaped like a store."""
    try:
        with gc_paused():
            data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise StoreError(f"{path} is not valid JSON ({exc}); {REPAIR}") from None
    problem = shape_problem(data)
    if problem:
        raise StoreError(f"{path} is not a usable CSM Cockpit store: {problem}; {REPAIR}")
    return data


REPAIR = "restore a backup (`csm import --replace DIR`) or start again from the seed (`csm reset --yes`)"


def shape_problem(data: object) -> str | None:
    """What makes parsed JSON unusable as a store, or None.

    Everything that reads the store (the snapshot, the CLI, integrity checks)
    relies on this shape, so it is checked on every read: `_meta` holds this
    format's version numbers; each table is an object of rows keyed by the
    number of the row's id, itself in the table's canonical form.  A table
    missing from the file is added empty (a store from before it existed).
    Contents (types, options, references) are `csm validate`'s job.
    """
    if not isinstance(data, dict):
        return "the file holds no JSON object"
    meta = data.get(META)
    meta = meta.get("1") if isinstance(meta, dict) else None
    if not isinstance(meta, dict):
        return f"no {META} table"
    if type(meta.get("format")) is not int or meta.get("format") != FORMAT:
        return f"{META} says format {meta.get('format')!r}; this version reads format {FORMAT}"
    version, next_ids = meta.get("version"), meta.get("next_ids", {})
    if type(version) is not int or not 0 <= version <= MAX_VERSION:
        return f"{META} version {version!r} is not a whole number from 0 to {MAX_VERSION}"
    if not isinstance(next_ids, dict) or any(
        type(n) is not int or not 1 <= n <= MAX_ID_NUMBER + 1 for n in next_ids.values()
    ):
        return f"{META} next_ids is not a map of table names to id numbers (1 to {MAX_ID_NUMBER + 1:,})"
    for name in data:
        if name != META and name not in TABLES:
            return f"{name!r} is not a table of this version (see `csm tables`)"
    for table in TABLES.values():
        docs = data.setdefault(table.name, {})
        if not isinstance(docs, dict):
            return f"{table.name} is not an object of rows"
        id_key, prefix = table.id_key, table.prefix + "-"
        for key, doc in docs.items():  # the common case in one cheap test: ~0.5 us a row
            if not (
                type(doc) is dict
                and doc.get(id_key) == prefix + key.zfill(ID_DIGITS)
                and key.isdigit()
                and key.isascii()
                and key[0] != "0"
                and len(key) <= MAX_ID_DIGITS
            ):
                return _row_shape_problem(table, key, doc)
    return None


def _row_shape_problem(table: Table, key: str, doc: object) -> str:
    if not (key.isascii() and key.isdigit() and key[0] != "0" and len(key) <= MAX_ID_DIGITS):
        return f"{table.name} has a row under the key {key!r}, which is not an id number"
    if not isinstance(doc, dict):
        return f"{table.name} row {key} is not an object"
    return f"{table.name} row {key} has the id {doc.get(table.id_key)!r}, not {table.make_id(int(key))}"


def ordered_rows(data: dict, table: str) -> list[dict]:
    """A table's stored rows in id order (TinyDB keys are the ids' numbers, as strings)."""
    docs = data.get(table, {})
    return [docs[k] for k in sorted(docs, key=int)]


def now_utc() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class _InMemory(Storage):
    """TinyDB storage over the dict a transaction read; the transaction writes it out."""

    def __init__(self, data: dict) -> None:
        self.data = data

    def read(self) -> dict:
        return self.data

    def write(self, data: dict) -> None:
        self.data = data


def meta_of(data: dict) -> dict:
    return data[META]["1"]


class Transaction:
    """Validated row operations on one fresh copy of the store, written once at the end.

    Rows go in through TinyDB's table API, batches with one `insert_multiple`; updates set
    the stored rows' values in place, because each TinyDB write call re-keys the whole
    table.  A per-transaction index of unique values keeps the uniqueness check O(1).
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
            self._db.table(table.name).insert_multiple(docs)
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


def empty_data() -> dict:
    data: dict = {META: {"1": {"format": FORMAT, "version": 0, "next_ids": {}}}}
    for name in TABLES:
        data[name] = {}
    return data


class Store:
    """A store file and its lock.  Cheap to create; holds no open files between calls."""

    def __init__(
        self,
        path: str | os.PathLike,
        *,
        initial: Callable[[], dict] | None = None,
        retention: Retention | None = None,
    ) -> None:
        self.path = Path(path)
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self._initial = initial
        self.changes = ChangeLog(log_path(self.path), retention)

    # --- reading ------------------------------------------------------------------

    def read(self) -> tuple[dict, os.stat_result]:
        """The parsed file and the stat of exactly the file read (no lock needed)."""
        self.ensure()
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError as exc:
            raise StoreError(f"cannot read the store {self.path}: {_why(exc)}") from None
        try:  # the descriptor is closed on every path, a folder or a device included
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise StoreError(f"the store {self.path} is not a regular file")
            with os.fdopen(os.dup(fd), "rb") as fh:
                raw = fh.read()
        except OSError as exc:
            raise StoreError(f"cannot read the store {self.path}: {_why(exc)}") from None
        finally:
            os.close(fd)
        return parse(raw, self.path), st

    def ensure(self) -> None:
        """Create the store from its initial data if it does not exist yet."""
        if self.path.exists():
            return
        if self._initial is None:
            raise StoreError(f"no store at {self.path}")
        with self._locked():
            if not self.path.exists():  # another process may have won the race
                data = self._initial()
                # A store re-created beside an existing change log starts at the log's version, so
                # that the log's records are not taken for a crashed commit's and hidden or cut.
                meta = meta_of(data)
                meta["version"] = max(int(meta.get("version", 0)), self._last_logged_version())
                self._write(data, previous=None)

    def _last_logged_version(self) -> int:
        try:
            return self.changes.last_version()
        except OSError:
            return 0

    # --- writing ------------------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self, clock: Callable[[], str] = now_utc, *, source: str = "cli") -> Iterator[Transaction]:
        """Lock, read afresh, yield a Transaction; write once if it changed anything.

        `source` is who the change log says made the changes: `cli`, `api:<token name>`,
        `automation:<rule>`.  The records are appended before the store file is replaced
        (`service.changelog` says why that order is safe).
        """
        self.ensure()
        with self._locked():
            data, st = self.read()
            tx = Transaction(data, clock, source)
            yield tx
            if tx.changed:
                records = tx.change_records()
                tx.version = self._commit(tx.data, records, previous=st)
                tx.records = records
                with contextlib.suppress(OSError):
                    tx.stat = os.stat(self.path)

    def _commit(self, data: dict, records: list[dict], *, previous: os.stat_result | None) -> int:
        """Log the records, then write the data under the version the log gives it; neither, if
        either fails.  Returns the new version."""
        version = int(meta_of(data).get("version", 0))
        try:
            new_version = self.changes.append(records, store_version=version)
        except OSError as exc:
            self._forget_records(newer_than=version)
            raise StoreError(
                f"cannot write the change log {self.changes.path}: {exc.strerror}; nothing changed"
            ) from None
        meta_of(data)["version"] = new_version
        try:
            self._write(data, previous=previous)
        except BaseException:
            meta_of(data)["version"] = version
            self._forget_records(newer_than=version)
            raise
        with contextlib.suppress(OSError):  # lost or not, the store's own version now vouches for it
            self.changes.mark_committed(new_version)
        return new_version

    def _forget_records(self, *, newer_than: int) -> None:
        """Cut the unmarked records this failed commit appended (any version past the store's)."""
        with contextlib.suppress(OSError):
            self.changes.discard(newer_than + 1)

    def replace_all(self, data: dict, *, source: str = "cli") -> None:
        """Swap in a whole new data set (reset, import), keeping the version moving forward.

        Works on any file, including one that is truncated, empty or not a store at all:
        this is how a damaged store is repaired.  Its version then continues from the clock,
        so that no continuation issued before the damage can match the new data.  The id
        high-water marks of a readable store are kept, so a reset never hands out an old id.
        """
        with self._locked():
            previous = None
            version = 0
            records: list[dict] = []
            if self.path.exists():
                try:
                    old, previous = self.read()
                    version = int(meta_of(old).get("version", 0))
                    # Ids are never reused, not even across a reset: keep the old high-water marks.
                    next_ids = meta_of(data).setdefault("next_ids", {})
                    for name, number in meta_of(old).get("next_ids", {}).items():
                        next_ids[name] = max(next_ids.get(name, 1), number)
                    records = replacement_records(old, data)
                except StoreError:
                    previous, version = os.stat(self.path), int(time.time())
                    records = [{"table": "*", "id": None, "op": "replace", "account": None, "changes": {}}]
            meta_of(data)["version"] = version
            at = now_utc()
            records = [{"at": at, "source": source, **r} for r in records]
            self._commit(data, records, previous=previous)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        if not _is_regular(self.path, missing_ok=True):  # a device, a folder, a symlink: never replaced
            raise StoreError(f"the store {self.path} is not a regular file; give the path of the store file itself")
        try:
            make_private_dir(self.path.parent)
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, PRIVATE_FILE)
        except OSError as exc:
            raise StoreError(f"cannot lock the store: {exc.filename or self.lock_path}: {exc.strerror}") from None
        try:
            deadline = time.monotonic() + LOCK_TIMEOUT_S
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except OSError as exc:
                    if exc.errno not in (errno.EAGAIN, errno.EACCES):
                        raise
                    if time.monotonic() > deadline:
                        raise StoreError(f"the store {self.path} stayed locked for {LOCK_TIMEOUT_S:.0f} s") from None
                    time.sleep(0.005)
            yield
        finally:
            os.close(fd)  # closing the descriptor releases the lock

    def _write(self, data: dict, *, previous: os.stat_result | None) -> None:
        """Write `data` as the new store file, atomically; StoreError (file untouched) if it cannot.

        The file keeps the mode it had (a new store is private, 0600): the committed seed stays
        0644, a store a team made group-readable stays so.
        """
        payload = dumps(data)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            if not _is_regular(self.path, missing_ok=True):  # checked under the lock too: nothing swapped it in
                raise StoreError(f"the store {self.path} is not a regular file; it was left unchanged")
            # Only the lock holder writes, so any temp file lying here was left by a writer
            # that died mid-write (SIGKILL, power loss): it was never renamed, so it is junk.
            # (Exactly this store's: `.a.json.x.<pid>.tmp` belongs to the store beside it.)
            own = re.compile(rf"\.{re.escape(self.path.name)}\.[0-9]+\.tmp")
            for stale in self.path.parent.glob(f".{self.path.name}.*.tmp"):
                if own.fullmatch(stale.name):
                    with contextlib.suppress(FileNotFoundError):
                        stale.unlink()
            mode = stat.S_IMODE(os.stat(self.path).st_mode) if previous is not None else PRIVATE_FILE
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC, PRIVATE_FILE)
        except OSError as exc:
            raise StoreError(f"cannot write the store {self.path}: {exc.strerror}") from None
        try:
            with os.fdopen(fd, "wb") as fh:
                os.fchmod(fh.fileno(), mode)
                fh.write(payload)
                fh.flush()
                os.fsync(fh.fileno())
            if previous is not None:
                # Readers notice a new version by the file's stat.  Make sure the
                # mtime moves forward even when two writes share a clock tick.
                new = os.stat(tmp).st_mtime_ns
                if new <= previous.st_mtime_ns:
                    bump = previous.st_mtime_ns + 1000
                    os.utime(tmp, ns=(bump, bump))
            os.replace(tmp, self.path)
        except BaseException as exc:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            if isinstance(exc, OSError):
                raise StoreError(f"cannot write the store {self.path}: {exc.strerror}; it was left unchanged") from None
            raise
        with contextlib.suppress(OSError):  # the rename is done; a folder that cannot be synced is no error
            dir_fd = os.open(self.path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)


PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def make_private_dir(path: Path) -> None:
    """Create `path` and any missing parents readable by the owner only; existing folders are left as they are."""
    missing = [p for p in (path, *path.parents) if not p.is_dir()]
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):
            folder.mkdir(mode=PRIVATE_DIR)


def _is_regular(path: Path, *, missing_ok: bool) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except FileNotFoundError:
        return missing_ok


def _why(exc: OSError) -> str:
    return "it is a symbolic link; give the file itself" if exc.errno == errno.ELOOP else str(exc.strerror)
