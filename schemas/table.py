"""The `Table` declaration: one per table, holding its fields and Coda identity."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from schemas.fields import Field

ID_DIGITS = 5
#: Ids stay within what every consumer (JavaScript's numbers, Coda) holds exactly.
MAX_ID_DIGITS = 12
MAX_ID_NUMBER = 10**MAX_ID_DIGITS - 1


@dataclass(frozen=True)
class Table:
    name: str  # sync table name, as in the original pack (AccountMaster)
    identity: str  # Coda identity name (Account)
    prefix: str  # id prefix (ACC -> ACC-00001)
    display_key: str  # the row's display property
    featured: tuple[str, ...]  # columns Coda shows when the table is inserted
    description: str
    fields: tuple[Field, ...]
    synced: bool = True  # False for the stored history collections
    # The reference to the owning account, for per-account tables.
    account_key: str | None = None
    # Written from Coda and the HTTP API (two-way sync, actions).  The guides that ship with the
    # product and the stored history collections are maintained with the CLI only.
    editable: bool = True

    def __post_init__(self) -> None:
        if self.editable and not self.synced:
            raise ValueError(f"{self.name}: a table that is not synced cannot be editable from Coda")
        keys = [f.key for f in self.fields]
        dupes = {k for k in keys if keys.count(k) > 1}
        if dupes:
            raise ValueError(f"{self.name}: fields declared twice: {sorted(dupes)}")
        ids = [f for f in self.fields if f.kind == "id"]
        if len(ids) != 1 or ids[0] is not self.fields[0]:
            raise ValueError(f"{self.name}: the first field, and only it, must be the id")
        for key in (self.display_key, *self.featured):
            if key not in keys:
                raise ValueError(f"{self.name}: {key!r} is not a field")
        if self.account_key and self.field(self.account_key).ref != "AccountMaster":
            raise ValueError(f"{self.name}: {self.account_key!r} must reference AccountMaster")

    @property
    def id_key(self) -> str:
        return self.fields[0].key

    @cached_property
    def by_key(self) -> dict[str, Field]:
        return {f.key: f for f in self.fields}

    def field(self, key: str) -> Field:
        return self.by_key[key]

    @cached_property
    def stored_fields(self) -> tuple[Field, ...]:
        """Fields kept in the store: the id and every non-derived field."""
        return tuple(f for f in self.fields if not f.derived)

    @cached_property
    def writable_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.writable)

    @cached_property
    def reference_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.is_reference)

    @cached_property
    def id_pattern(self) -> re.Pattern[str]:
        """Ids exactly as the store writes them: ASCII digits, zero-padded to five, no longer than needed."""
        digits = rf"(?:[0-9]{{{ID_DIGITS}}}|[1-9][0-9]{{{ID_DIGITS},{MAX_ID_DIGITS - 1}}})"
        return re.compile(rf"{re.escape(self.prefix)}-({digits})", re.ASCII)

    def make_id(self, number: int) -> str:
        return f"{self.prefix}-{number:0{ID_DIGITS}d}"

    def id_number(self, row_id: object) -> int | None:
        """The number inside an id of this table in its one canonical form (`ACC-00003`), else None.

        `ACC-000003`, `acc-00003`, ` ACC-00003`, `ACC-00003\\n` and ids written with non-ASCII digits
        are not ids: each would otherwise name a row under a second spelling.
        """
        m = self.id_pattern.fullmatch(row_id) if isinstance(row_id, str) else None
        return int(m.group(1)) or None if m else None

    def canonical_id(self, text: str) -> str | None:
        """The canonical id a near-miss spelling means (`acc-000003 ` -> `ACC-00003`), else None:
        for error messages that suggest the right form, never for accepting the near miss."""
        m = re.fullmatch(
            rf"\s*{re.escape(self.prefix)}-0*([0-9]{{1,{MAX_ID_DIGITS}}})\s*", text, re.IGNORECASE | re.ASCII
        )
        return self.make_id(int(m.group(1))) if m and int(m.group(1)) else None
