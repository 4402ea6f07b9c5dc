"""The change log's file: appending under the store's lock, cutting off what a crash left,
retention, and a process's index of it for queries (`service.changes` says what a record holds).

One JSON record a line, in a file beside the store (`<store>.changes.jsonl`).  Why a file of
its own rather than a table in the store: the service parses the whole store on every data
version, and a year of history would double that cost for data no sync reads.

Crash safety.  Records are appended (and fsynced) under the store's lock *before* the store
file is replaced.  If the process dies between the two, the log holds records of a version
the store never reached: readers ignore records newer than the store's version, and the next
commit cuts them off before appending (as it cuts off a torn last line).  So the log never
misses a committed change and never shows one that did not happen.

Retention (the policy, documented in the README): records older than `keep_days` (365) are
dropped, and at most `keep_records` (100,000) of the newest are kept.  The check costs a read
of the first line per commit; the file is rewritten (atomically) only when it is 10% past the
count or its oldest record is a day past the age limit.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import glob
import os
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

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


class ChangeLog:
    """The log file of one store.  Writes happen only under the store's lock (the store calls them)."""

    def __init__(self, path: str | os.PathLike, retention: Retention | None = None) -> None:
        self.path = Path(path)
        self.retention = retention or Retention()

    # --- writing (under the store's lock) ------------------------------------------------------

    def append(self, records: list[dict], *, store_version: int) -> int:
        """Log the records of the commit that follows `store_version`; returns the version that
        commit takes (the records carry it, and their `seq` numbers, assigned here).

        First the tail is cleaned: records of version `store_version + 1` are those of a commit
        that never completed (they were appended, then the writer died or its store write
        failed), and a torn last line is a writer that died mid-append; both are cut off --
        also when this commit has no records of its own.  The new version is above every
        version the log holds, so the log's versions only grow even when the store's went
        back (a store file copied over from a backup, or re-created from the seed).
        """
        end, last_seq, last_version, size = self._tail(orphans=store_version + 1)
        if end < size:
            self._cut(end)
        version = max(store_version, last_version) + 1
        if not records:
            return version
        lines = []
        for record in records:
            last_seq += 1
            record["seq"], record["version"] = last_seq, version
            lines.append(orjson.dumps(_ordered(record)))
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, PRIVATE_FILE)
        with os.fdopen(fd, "ab") as fh:
            fh.write(b"\n".join(lines) + b"\n")
            fh.flush()
            os.fsync(fh.fileno())
        self._compact_if_due(last_seq, records[-1]["at"])
        return version

    def discard(self, version: int) -> None:
        """Cut off the records of `version` at the tail (the store write that followed them failed)."""
        end, _, _, size = self._tail(orphans=version)
        if end < size:
            self._cut(end)

    def last_version(self) -> int:
        """The version of the newest whole record (0 for an empty log)."""
        return self._tail(orphans=None)[2]

    def _tail(self, orphans: int | None) -> tuple[int, int, int, int]:
        """(end of the last whole record not of version `orphans`, its seq, its version, the file's size)."""
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except FileNotFoundError:
            return 0, 0, 0, 0
        with os.fdopen(fd, "rb") as fh:
            end, seq, version = _valid_end(fh, orphans)
            return end, seq, version, fh.seek(0, os.SEEK_END)

    def _cut(self, end: int) -> None:
        """Keep the first `end` bytes, as a new file (never truncated in place: a reader that indexed
        the old tail must see a different file, not new records where it stopped reading)."""
        with open(self.path, "rb") as src:
            self._rewrite(lambda out: out.write(src.read(end)))

    def _rewrite(self, fill) -> None:
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        # Only the lock holder rewrites, so another process's temp file here is a rewrite that died.
        for stale in self.path.parent.glob(f".{glob.escape(self.path.name)}.*.tmp"):
            with contextlib.suppress(FileNotFoundError):
                stale.unlink()
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC, PRIVATE_FILE)
            with os.fdopen(fd, "wb") as out:
                fill(out)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, self.path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)

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
        dropped = 0

        def keep_recent(out) -> None:
            nonlocal dropped
            with open(self.path, "rb") as src:
                for line in src:
                    record = _parse(line)
                    if record is None or record["seq"] <= below_seq or record["at"] < cutoff:
                        dropped += 1
                        continue
                    out.write(line if line.endswith(b"\n") else line + b"\n")

        self._rewrite(keep_recent)
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


class Entry(NamedTuple):
    """What a query needs of one record, and where its bytes are in the file (~100 bytes a record:
    100,000 records cost ~15 MB per process, against ~130 MB parsed)."""

    seq: int
    version: int
    at: str
    table: str
    id: str | None
    account: str | None
    account_before: str | None  # set when the change moved the row to another account
    start: int
    length: int


class OpenFile:
    """A read-only descriptor closed when the last holder lets go (requests may outlive a reload)."""

    __slots__ = ("fd",)

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def __del__(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.fd)


class Entries(NamedTuple):
    """The entries of one file, and that file open: its bytes stay readable even after the log is
    rewritten (the open file keeps the old one), until the last request holding it lets it go."""

    items: list[Entry]
    file: OpenFile | None

    def raw(self, entry: Entry) -> bytes:
        assert self.file is not None
        return os.pread(self.file.fd, entry.length, entry.start).rstrip(b"\n")

    def record(self, entry: Entry) -> dict:
        return orjson.loads(self.raw(entry))


class ChangeLogReader:
    """A process's index of the log, kept up to date by reading only what was appended."""

    def __init__(self, log: ChangeLog) -> None:
        self.log = log
        self._lock = threading.Lock()
        self._current = Entries([], None)
        self._offset = 0

    def entries(self, up_to_version: int) -> Entries:
        """The log's entries, oldest first, leaving out any of a commit that never completed."""
        with self._lock:
            current = self._refresh()
        items = current.items[:]  # a copy: later appends by another thread do not show up mid-request
        if items and items[-1].version > up_to_version:  # versions only grow along the file
            items = [e for e in items if e.version <= up_to_version]
        return Entries(items, current.file)

    def _refresh(self) -> Entries:
        try:
            opened = OpenFile(os.open(self.log.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC))
        except FileNotFoundError:
            self._current, self._offset = Entries([], None), 0
            return self._current
        st = os.fstat(opened.fd)
        current = self._current
        if current.file is None or os.fstat(current.file.fd).st_ino != st.st_ino or st.st_size < self._offset:
            # A new file (first read, or rewritten by compaction or a cut): index it from the start.
            current, self._offset = Entries([], opened), 0
        assert current.file is not None
        raw = os.pread(current.file.fd, max(st.st_size - self._offset, 0), self._offset)
        complete = raw[: raw.rfind(b"\n") + 1]  # a line being appended right now waits for the next read
        added = _index(complete, self._offset)
        if added and current.items and added[0].seq != current.items[-1].seq + 1:
            # Not an append to what was indexed: the file was overwritten in place. Start afresh.
            self._current, self._offset = Entries([], None), 0
            return self._refresh()
        current.items.extend(added)
        self._offset += len(complete)
        self._current = current
        return current


def _index(raw: bytes, offset: int) -> list[Entry]:
    entries = []
    intern = sys.intern
    position = offset
    for line in raw.splitlines(keepends=True):
        record = _parse(line) if line.strip() else None
        if record is not None:
            account, before = record.get("account"), record.get("account_before")
            entries.append(
                Entry(
                    record["seq"],
                    record["version"],
                    intern(str(record.get("at"))),
                    intern(str(record.get("table"))),
                    record.get("id"),
                    intern(account) if isinstance(account, str) else None,
                    intern(before) if isinstance(before, str) else None,
                    position,
                    len(line),
                )
            )
        position += len(line)
    return entries


# --- file helpers -------------------------------------------------------------------------------

_KEY_ORDER = ("seq", "at", "version", "source", "table", "id", "op", "account", "account_before", "changes")


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


def _valid_end(fh, orphans: int | None) -> tuple[int, int, int]:
    """(offset just past the last whole record not of version `orphans`, its seq, its version; 0s if none).

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
            if record is not None and record["version"] != orphans:
                return position + j + 1, record["seq"], record["version"]
            j = start - 1
        if position == 0:
            return 0, 0, 0
        step = min(_BLOCK, position)
        position -= step
        fh.seek(position)
        buf = fh.read(step) + buf
        newline = j + step if j >= 0 else None


def _cutoff(now: str, days: int) -> str:
    moment = dt.datetime.strptime(now, "%Y-%m-%dT%H:%M:%SZ") - dt.timedelta(days=days)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
