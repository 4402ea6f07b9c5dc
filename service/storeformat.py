"""The store file's format: what a usable store looks like, how it is parsed and written,
and the errors of the store (`service.store` reads and writes the file).

The file is TinyDB's format (`{"Table": {"1": {...}}}`), compact for a live store and
pretty-printed, key-sorted for one that asks for it in `_meta` (the committed seed), so it
diffs cleanly.  A `_meta` table holds the format, the data version (bumped by every commit)
and each table's id high-water mark, so ids are never reused.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
from collections.abc import Iterator
from pathlib import Path

import orjson

from schemas import TABLES
from schemas.table import ID_DIGITS, MAX_ID_DIGITS, MAX_ID_NUMBER, Table

META = "_meta"
FORMAT = 1
MAX_VERSION = 2**53  # exact in every JSON reader; a version a second for 285 million years


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


def meta_of(data: dict) -> dict:
    return data[META]["1"]


def empty_data() -> dict:
    data: dict = {META: {"1": {"format": FORMAT, "version": 0, "next_ids": {}}}}
    for name in TABLES:
        data[name] = {}
    return data
