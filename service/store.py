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

Each commit's changes go to the change log first (`service.changelog` says why that
order is safe).  The file's format is `service.storeformat`'s, the row operations
`service.transaction`'s; their names are re-exported here, where callers have always
found them.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import stat
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from service.changelog import ChangeLog, Retention, log_path
from service.changes import replacement_records
from service.storeformat import (
    FORMAT,
    MAX_VERSION,
    META,
    REPAIR,
    NotFound,
    StillReferenced,
    StoreError,
    dumps,
    empty_data,
    gc_paused,
    meta_of,
    now_utc,
    ordered_rows,
    parse,
    shape_problem,
)
from service.transaction import Transaction

__all__ = [
    "FORMAT",
    "MAX_VERSION",
    "META",
    "REPAIR",
    "NotFound",
    "StillReferenced",
    "Store",
    "StoreError",
    "Transaction",
    "dumps",
    "empty_data",
    "gc_paused",
    "make_private_dir",
    "meta_of",
    "now_utc",
    "ordered_rows",
    "parse",
    "shape_problem",
]

LOCK_TIMEOUT_S = 30.0


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
