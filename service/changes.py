"""The change log: every committed change to a row -- when, by whom, and each field's old and new value.

It is the account activity timeline (`GET /v1/changes`, `csm log`) and the audit trail of
the store.  One JSON record a line, in a file beside the store (`<store>.changes.jsonl`):

    {"seq": 42, "at": "2026-11-23T14:00:00Z", "version": 17, "source": "api:coda",
     "table": "ActivitiesTasks", "id": "TSK-00007", "op": "update", "account": "ACC-00001",
     "changes": {"status": ["Not Started", "Done"]}}

- `seq` numbers records 1, 2, 3... and is never reused; `version` is the store's data version
  the change produced (every record of one transaction shares it).
- `op` is insert, update or delete; an insert lists every non-empty field as `[null, value]`,
  a delete every non-empty field as `[value, null]`, so a deleted row can be read back from
  the log.  Automatic stamps (`last_measured`, ...) are left out: `at` says when.
- `account` is the account the row belongs to (the account itself, or the account of the row
  it belongs to), so an account's timeline is one filter.
- A whole-store replacement (`csm reset`, `csm import --replace`) is logged row by row as the
  difference between the old and the new data; only a store too damaged to read is logged as a
  single `replace` record.

Why a file of its own rather than a table in the store: the service parses the whole store
on every data version, and a year of history would double that cost for data no sync reads.

Crash safety.  Records are appended (and fsynced) under the store's lock *before* the store
file is replaced.  If the process dies between the two, the log holds records of a version
the store never reached: readers ignore records newer than the store's version, and the next
writer cuts them off before appending (as it cuts off a torn last line).  So the log never
misses a committed change and never shows one that did not happen.

Retention (the policy, documented in the README): records older than `keep_days` (365) are
dropped, and at most `keep_records` (100,000) of the newest are kept.  The check costs a read
of the first line per commit; the file is rewritten (atomically) only when it is 10% past the
count or its oldest record is a day past the age limit.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

DEFAULT_KEEP_DAYS = 365
DEFAULT_KEEP_RECORDS = 100_000
PRIVATE_FILE = 0o600
_BLOCK = 64 * 1024


@dataclass(frozen=True)
class Retention:
    keep_days: int = DEFAULT_KEEP_DAYS
    keep_records: int = DEFAULT_KEEP_RECORDS


def log_path(store_path: str | os.PathLike) -> Path:
    store_path = Path(store_path)
    return store_path.with_name(store_path.name + ".changes.jsonl")


def diff(before: dict | None, after: dict | None, skip: frozenset[str]) -> tuple[str, dict[str, list]] | None:
    """(op, {field: [old, new]}) between two states of a row, or None when nothing changed."""
    if before is None and after is None:
        return None
    old, new = before or {}, after or {}
    fields = {}
    for key in sorted(old.keys() | new.keys()):
        if key in skip:
            continue
        a, b = old.get(key), new.get(key)
        if a != b or type(a) is not type(b):
            fields[key] = [a, b]
    if before is None:
        return "insert", fields
    if after is None:
        return "delete", fields
    return ("update", fields) if fields else None


class ChangeLog:
    """The log file of one store.  Writes happen only under the store's lock (the store calls them)."""

    def __init__(self, path: str | os.PathLike, retention: Retention | None = None) -> None:
        self.path = Path(path)
        self.retention = retention or Retention()

    # --- writing (under the store's lock) ------------------------------------------------------

    def append(self, records: list[dict], *, after_version: int) -> None:
        """Append records (their `seq` assigned here), first cutting off anything newer than
        `after_version` -- records of a commit that never completed -- and any torn last line."""
        if not records:
            return
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, PRIVATE_FILE)
        with os.fdopen(fd, "r+b") as fh:
            end, last_seq = _valid_end(fh, after_version)
            fh.seek(end)
            fh.truncate()
            lines = []
            for record in records:
                last_seq += 1
                record["seq"] = last_seq
                lines.append(orjson.dumps(_ordered(record)))
            fh.write(b"\n".join(lines) + b"\n")
            fh.flush()
            os.fsync(fh.fileno())
        self._compact_if_due(last_seq, records[-1]["at"])

    def discard_after(self, version: int) -> None:
        """Cut off records newer than `version` (the store write that followed them failed)."""
        with contextlib.suppress(FileNotFoundError):
            fd = os.open(self.path, os.O_RDWR | os.O_NOFOLLOW | os.O_CLOEXEC)
            with os.fdopen(fd, "r+b") as fh:
                end, _ = _valid_end(fh, version)
                fh.truncate(end)

    def _compact_if_due(self, last_seq: int, now: str) -> None:
        first = _first_record(self.path)
        if first is None:
            return
        keep = self.retention
        cutoff = _cutoff(now, keep.keep_days)
        too_many = last_seq - first["seq"] + 1 > keep.keep_records * 1.1
        too_old = first["at"] < _cutoff(now, keep.keep_days + 1)
        if too_many or too_old:
            self.compact(cutoff, last_seq - keep.keep_records)

    def compact(self, cutoff: str, below_seq: int) -> int:
        """Rewrite the file without records older than `cutoff` or numbered `below_seq` or lower;
        returns how many were dropped.  Atomic: a temp file, fsynced, renamed over the log."""
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        dropped = 0
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC, PRIVATE_FILE)
            with os.fdopen(fd, "wb") as out, open(self.path, "rb") as src:
                for line in src:
                    record = _parse(line)
                    if record is None or record["seq"] <= below_seq or record["at"] < cutoff:
                        dropped += 1
                        continue
                    out.write(line if line.endswith(b"\n") else line + b"\n")
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, self.path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        return dropped

    # --- reading ---------------------------------------------------------------------------------

    def records(self, up_to_version: int | None = None) -> list[dict]:
        """Every record, oldest first (those of a commit that never completed left out)."""
        try:
            with open(self.path, "rb") as fh:
                raw = fh.read()
        except FileNotFoundError:
            return []
        return [r for r in _parse_lines(raw) if up_to_version is None or r["version"] <= up_to_version]


class ChangeLogReader:
    """A process's parsed copy of the log, kept up to date by reading only what was appended."""

    def __init__(self, log: ChangeLog) -> None:
        self.log = log
        self._lock = threading.Lock()
        self._inode: int | None = None
        self._offset = 0
        self._records: list[dict] = []

    def records(self, up_to_version: int) -> list[dict]:
        with self._lock:
            try:
                fd = os.open(self.log.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
            except FileNotFoundError:
                self._inode, self._offset, self._records = None, 0, []
                return []
            with os.fdopen(fd, "rb") as fh:
                st = os.fstat(fh.fileno())
                if st.st_ino != self._inode or st.st_size < self._offset:
                    self._inode, self._offset, self._records = st.st_ino, 0, []
                fh.seek(self._offset)
                raw = fh.read()
            complete = raw[: raw.rfind(b"\n") + 1]  # a line being appended right now waits for the next read
            self._offset += len(complete)
            self._records.extend(_parse_lines(complete))
            # After a crash the tail may hold records of a version that never committed; a later
            # writer cuts them off, which shrinks the file and makes the next read start afresh.
            records = self._records
        if records and records[-1]["version"] > up_to_version:
            return [r for r in records if r["version"] <= up_to_version]
        return records


@dataclass(frozen=True)
class Query:
    since: str | None = None  # an ISO date-time in UTC ("...Z") or a date: records at or after it
    table: str | None = None
    row_id: str | None = None
    account: str | None = None
    after_seq: int = 0


def select(records: list[dict], query: Query) -> Iterator[dict]:
    """The records a query matches, oldest first."""
    start = _first_after(records, query.after_seq)
    for record in records[start:] if start else records:
        if query.since and record["at"] < query.since:
            continue
        if query.table and record["table"] != query.table:
            continue
        if query.row_id and record["id"] != query.row_id:
            continue
        if query.account and record.get("account") != query.account:
            continue
        yield record


def _first_after(records: list[dict], seq: int) -> int:
    """Position of the first record numbered above `seq` (records are in seq order)."""
    lo, hi = 0, len(records)
    while lo < hi:
        mid = (lo + hi) // 2
        if records[mid]["seq"] <= seq:
            lo = mid + 1
        else:
            hi = mid
    return lo


# --- file helpers -------------------------------------------------------------------------------

_KEY_ORDER = ("seq", "at", "version", "source", "table", "id", "op", "account", "changes")


def _ordered(record: dict) -> dict:
    return {k: record[k] for k in _KEY_ORDER if k in record}


def _parse(line: bytes) -> dict | None:
    try:
        record = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(record, dict) or type(record.get("seq")) is not int or type(record.get("version")) is not int:
        return None
    return record


def _parse_lines(raw: bytes) -> list[dict]:
    records = []
    for line in raw.splitlines():
        record = _parse(line) if line.strip() else None
        if record is not None:
            records.append(record)
    return records


def _first_record(path: Path) -> dict | None:
    try:
        with open(path, "rb") as fh:
            return _parse(fh.readline())
    except FileNotFoundError:
        return None


def _valid_end(fh, version: int) -> tuple[int, int]:
    """(offset just past the last complete record of `version` or older, that record's seq; 0, 0 if none).

    Reads backwards from the end in blocks: ordinarily only the last line is looked at.
    """
    fh.seek(0, os.SEEK_END)
    position = fh.tell()
    buf = b""
    newline: int | None = None  # where to resume the backwards walk in `buf` (None: its last newline)
    while True:
        j = buf.rfind(b"\n") if newline is None else newline
        while j >= 0:
            start = buf.rfind(b"\n", 0, j) + 1
            if start == 0 and position > 0:
                break  # this line may begin before what was read: read another block
            record = _parse(buf[start : j + 1])
            if record is not None and record["version"] <= version:
                return position + j + 1, record["seq"]
            j = start - 1
        if position == 0:
            return 0, 0
        step = min(_BLOCK, position)
        position -= step
        fh.seek(position)
        buf = fh.read(step) + buf
        newline = j + step if j >= 0 else None


def _cutoff(now: str, days: int) -> str:
    moment = dt.datetime.strptime(now, "%Y-%m-%dT%H:%M:%SZ") - dt.timedelta(days=days)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_since(raw: str | None) -> str | None:
    """`YYYY-MM-DD` (from the start of that day, UTC) or an ISO date-time with its zone, as `...Z` in UTC;
    ValueError with the message for anything else."""
    if raw is None:
        return None
    try:
        if len(raw) == 10:
            return dt.date.fromisoformat(raw).strftime("%Y-%m-%dT00:00:00Z")
        moment = dt.datetime.fromisoformat(raw)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise ValueError(f"give a date (2026-11-01) or a date-time with its zone (2026-11-01T09:00:00Z); got {raw!r}.")
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def value_text(value: Any) -> str:
    """A value as `csm log` prints it."""
    if value is None:
        return "(empty)"
    if isinstance(value, str):
        return repr(value) if len(value) <= 60 else repr(value[:57] + "...")
    return orjson.dumps(value).decode()
