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
import errno
import glob
import os
import stat
import sys
import threading
from collections.abc import Iterator
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

        First the tail is cleaned (`_scan_tail`): the unmarked records of a commit the store
        never got, and a torn last line, are cut off -- also when this commit has no records of
        its own.  The new version is above every version the log holds, so versions only grow,
        even when the store's went back (a backup copied over it, or re-created from the seed).
        """
        end, last_seq, last_version, size, unmarked = self._tail(store_version)
        if end < size:
            self._cut(end)
        if unmarked:  # committed (the store has it) but its marker was lost: mark it now
            self.mark_committed(last_version)
        version = max(store_version, last_version) + 1
        if not records:
            return version
        lines = []
        for record in records:
            last_seq += 1
            record["seq"], record["version"] = last_seq, version
            lines.append(orjson.dumps(_ordered(record)))
        with _open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, "ab") as fh:
            fh.write(b"\n".join(lines) + b"\n")
            fh.flush()
            os.fsync(fh.fileno())
        self._compact_if_due(last_seq, records[-1]["at"])
        return version

    def mark_committed(self, version: int) -> None:
        """Note that the store now holds `version` (after its file was replaced).  Not fsynced: if
        the marker is lost, the next commit finds the store at that version and knows anyway."""
        with contextlib.suppress(FileNotFoundError), _open(self.path, os.O_WRONLY | os.O_APPEND, "ab") as fh:
            fh.write(orjson.dumps({"committed": version}) + b"\n")

    def discard(self, version: int) -> None:
        """Cut off the unmarked records of `version` or later at the tail (the store write that
        followed them failed)."""
        end, _, _, size, _ = self._tail(version - 1)
        if end < size:
            self._cut(end)

    def last_version(self) -> int:
        """The newest committed version the log knows of (0 for an empty log)."""
        return self._tail(-1)[2]

    def _tail(self, store_version: int) -> tuple[int, int, int, int, bool]:
        """(where the kept part ends, the last kept record's seq, the newest kept version, the file's
        size, whether that version's commit lacks its marker)."""
        try:
            with _open(self.path, os.O_RDONLY, "rb") as fh:
                end, seq, version, unmarked = _scan_tail(fh, store_version)
                return end, seq, version, fh.seek(0, os.SEEK_END), unmarked
        except FileNotFoundError:
            return 0, 0, 0, 0, False

    def _cut(self, end: int) -> None:
        """Keep the first `end` bytes, as a new file (never truncated in place: a reader that indexed
        the old tail must see a different file, not new records where it stopped reading)."""
        with _open(self.path, os.O_RDONLY, "rb") as src:
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
            first_kept: int | None = None
            with _open(self.path, os.O_RDONLY, "rb") as src:
                for line in src:
                    record = _parse(line)
                    marker = _marker(line) if record is None else None
                    if marker is not None and first_kept is not None and marker >= first_kept:
                        out.write(line if line.endswith(b"\n") else line + b"\n")  # a kept commit's marker
                        continue
                    if record is None or record["seq"] <= below_seq or record["at"] < cutoff:
                        dropped += record is not None
                        continue
                    first_kept = record["version"] if first_kept is None else first_kept
                    out.write(line if line.endswith(b"\n") else line + b"\n")

        self._rewrite(keep_recent)
        return dropped

    # --- reading ---------------------------------------------------------------------------------

    def records(self, up_to_version: int | None = None) -> list[dict]:
        """Every record, oldest first (those of a commit that never completed left out)."""
        try:
            with _open(self.path, os.O_RDONLY, "rb") as fh:
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
            items = current.items[:]  # a copy, under the lock: another thread's appends extend the list
        if items and items[-1].version > up_to_version:  # versions only grow along the file
            items = [e for e in items if e.version <= up_to_version]
        return Entries(items, current.file)

    def _refresh(self) -> Entries:
        try:
            opened = OpenFile(_open_fd(self.log.path, os.O_RDONLY))
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


# seq and version stay exact in every JSON reader, and a version taken from the log leaves the
# store room to count on (its own limit is 2**53): a tampered line cannot make the store unusable.
MAX_NUMBER = 2**52


def _parse(line: bytes) -> dict | None:
    """A record, or None for anything else (a marker, a torn or hand-mangled line)."""
    try:
        record = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    if not (
        isinstance(record, dict)
        and type(record.get("seq")) is int
        and 1 <= record["seq"] <= MAX_NUMBER
        and type(record.get("version")) is int
        and 0 <= record["version"] <= MAX_NUMBER
        and all(isinstance(record.get(k), str) for k in ("at", "source", "table", "op"))
        and isinstance(record.get("changes"), dict)
    ):
        return None
    return record


def _marker(line: bytes) -> int | None:
    """The version a commit marker (`{"committed": 17}`) says the store reached, else None."""
    if not line.startswith(b'{"committed":'):
        return None
    try:
        value = orjson.loads(line).get("committed")
    except orjson.JSONDecodeError:
        return None
    return value if type(value) is int and 0 <= value <= MAX_NUMBER else None


def _parse_lines(raw: bytes) -> list[dict]:
    records = []
    for line in raw.splitlines():
        record = _parse(line) if line.strip() else None
        if record is not None:
            records.append(record)
    return records


def _first_record(path: Path) -> dict | None:
    try:
        with _open(path, os.O_RDONLY, "rb") as fh:
            return _parse(fh.readline())
    except FileNotFoundError:
        return None


def _open_fd(path: Path, flags: int) -> int:
    """A descriptor of the log file itself: never through a symlink, never blocking on a FIFO, and an
    OSError for anything but a regular file (a FIFO would hang the writer holding the store's lock)."""
    fd = os.open(path, flags | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, PRIVATE_FILE)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OSError(errno.EINVAL, "not a regular file", str(path))
    return fd


def _open(path: Path, flags: int, mode: str):
    return os.fdopen(_open_fd(path, flags), mode)


def _lines_backwards(fh) -> Iterator[tuple[int, bytes]]:
    """(offset, line) of the file's lines, the last first, each with its newline (a torn last line
    has none).  Blocks are read from the end, so the usual case reads one, and a long tail costs
    time in proportion to its length (the pieces of a line are joined once)."""
    position = fh.seek(0, os.SEEK_END)
    pieces: list[bytes] = []  # of the line being assembled, last piece first
    first = True
    while position > 0:
        step = min(_BLOCK, position)
        position -= step
        fh.seek(position)
        block = fh.read(step)
        end = len(block)
        own_newline = first and block.endswith(b"\n")  # the line ending here ends with its newline
        first = False
        while True:
            cut = block.rfind(b"\n", 0, end - 1 if own_newline else end)
            if cut < 0:
                pieces.append(block[:end])
                break
            pieces.append(block[cut + 1 : end])
            line = b"".join(reversed(pieces))
            pieces = []
            if line:
                yield position + cut + 1, line
            end, own_newline = cut + 1, True
    line = b"".join(reversed(pieces))
    if line:
        yield 0, line


def _scan_tail(fh, store_version: int) -> tuple[int, int, int, bool]:
    """(where the kept part of the log ends, the last kept record's seq, the newest version kept,
    whether that record's commit lacks its marker -- the writer died between the store's replace
    and the marker; marked again at once, the commit is safe from a later backup copy-back).

    Walking back from the end: a torn or unreadable line is cut; a commit marker keeps what is
    before it (the store reached that version); a record is kept when a marker after it, or the
    store's own version, shows its commit reached the store -- else it is a crashed commit's
    record (appended, then the store never replaced) and is cut.  The walk stops at the first
    record kept.  Markers are what tell a backup copied over the store (its later commits are
    marked: kept) from a crash (unmarked: cut).
    """
    keep_end: int | None = None
    marked = -1
    for start, line in _lines_backwards(fh):
        if not line.endswith(b"\n"):
            continue  # torn: cut
        version = _marker(line)
        if version is not None:
            keep_end = start + len(line) if keep_end is None else keep_end
            marked = max(marked, version)
            continue
        record = _parse(line)
        if record is None:
            continue  # junk: cut at the tail, skipped further up
        if keep_end is None and record["version"] > max(store_version, marked):
            continue  # a crashed commit's record
        keep_end = start + len(line) if keep_end is None else keep_end
        return keep_end, record["seq"], max(record["version"], marked), marked < record["version"]
    return keep_end or 0, 0, max(marked, 0), False


def _cutoff(now: str, days: int) -> str:
    moment = dt.datetime.strptime(now, "%Y-%m-%dT%H:%M:%SZ") - dt.timedelta(days=days)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
