"""Field declarations: the vocabulary every table of the catalog is written in.

A `Field` says everything the rest of the system needs to know about a column:
its JSON key, its kind (which fixes the JSON type and the Coda hint), whether it
is required, its options, its reference target, whether it is derived, and a
one-line description.  Validation, the published schema, the pack shim and the
CLI all read these declarations; nothing else declares a field.

The small constructor functions at the bottom (`text`, `money`, `select`, `ref`,
...) keep the table modules short and readable.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from schemas.kinds import KINDS


@dataclass(frozen=True)
class Field:
    key: str
    kind: str
    description: str
    required: bool = False
    options: tuple[str, ...] = ()
    ref: str | None = None
    derived: bool = False
    minimum: float | None = None
    maximum: float | None = None
    decimals: int | None = None
    default: Any = None
    display_name: str | None = None
    # "created" or "modified": stamped by the store on write, never by a client.
    auto: str | None = None
    # Unique within the table (compared case-insensitively, trimmed).
    unique: bool = False
    # Derived reference fields: the (table, field) pairs whose references point
    # at this row.  The inverse is computed, so each link is stored only once.
    inverse_of: tuple[tuple[str, str], ...] = ()
    # Sub-fields of an object_list.
    item_fields: tuple[Field, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"field {self.key!r}: unknown kind {self.kind!r}")
        if self.kind == "select" and not self.options:
            raise ValueError(f"field {self.key!r}: a select needs options")
        if self.kind in ("ref", "refs") and not self.ref:
            raise ValueError(f"field {self.key!r}: a reference needs a target table")
        if self.auto not in (None, "created", "modified"):
            raise ValueError(f"field {self.key!r}: auto is 'created' or 'modified'")
        if self.inverse_of and not self.derived:
            raise ValueError(f"field {self.key!r}: an inverse reference must be derived")

    @property
    def json_type(self) -> str:
        return KINDS[self.kind].json_type

    @property
    def hint(self) -> str | None:
        return KINDS[self.kind].hint

    @property
    def limits(self) -> tuple[float | None, float | None]:
        """The range a written number must lie in: the field's own bounds, else its kind's sane range."""
        default = KINDS[self.kind].limits or (None, None)
        low = self.minimum if self.minimum is not None else default[0]
        high = self.maximum if self.maximum is not None else default[1]
        return low, high

    @property
    def is_reference(self) -> bool:
        return self.kind in ("ref", "refs")

    @property
    def many(self) -> bool:
        return self.kind == "refs"

    @property
    def writable(self) -> bool:
        return not self.derived and not self.auto and self.kind != "id"

    @property
    def label(self) -> str:
        """Human column name: `days_to_renewal` -> `Days To Renewal`."""
        if self.display_name:
            return self.display_name
        words = []
        for word in self.key.split("_"):
            upper = word.upper()
            words.append(upper if upper in _ACRONYMS else word.capitalize())
        return " ".join(words)


_ACRONYMS = {"ID", "API", "APIS", "ARR", "ACV", "USD", "SLA", "ROI", "IT", "CSM", "AE", "QBR", "URL", "MS"}


# --- constructors ---------------------------------------------------------------
# Each takes the key first, the description last, and passes the rest through.


def id_field(key: str, description: str) -> Field:
    return Field(key, "id", description, required=True)


def text(key: str, description: str, **kw: Any) -> Field:
    return Field(key, "text", description, **kw)


def long_text(key: str, description: str, **kw: Any) -> Field:
    return Field(key, "long_text", description, **kw)


def email(key: str, description: str, **kw: Any) -> Field:
    return Field(key, "email", description, **kw)


def url(key: str, description: str, **kw: Any) -> Field:
    return Field(key, "url", description, **kw)


def integer(key: str, description: str, **kw: Any) -> Field:
    kw.setdefault("minimum", 0)
    return Field(key, "integer", description, **kw)


def number(key: str, description: str, **kw: Any) -> Field:
    return Field(key, "number", description, **kw)


def money(key: str, description: str, **kw: Any) -> Field:
    kw.setdefault("minimum", 0)
    kw.setdefault("decimals", 2)
    return Field(key, "currency", description, **kw)


def percent(key: str, description: str, **kw: Any) -> Field:
    """A percentage stored as 0-100 (not 0-1)."""
    kw.setdefault("decimals", 1)
    return Field(key, "percent", description, **kw)


def slider(key: str, low: int, high: int, description: str, **kw: Any) -> Field:
    return Field(key, "slider", description, minimum=low, maximum=high, **kw)


def date(key: str, description: str, **kw: Any) -> Field:
    return Field(key, "date", description, **kw)


def datetime(key: str, description: str, **kw: Any) -> Field:
    return Field(key, "datetime", description, **kw)


def boolean(key: str, description: str, **kw: Any) -> Field:
    return Field(key, "boolean", description, **kw)


def select(key: str, options: tuple[str, ...], description: str, **kw: Any) -> Field:
    return Field(key, "select", description, options=tuple(options), **kw)


def ref(key: str, target: str, description: str, **kw: Any) -> Field:
    return Field(key, "ref", description, ref=target, **kw)


def refs(key: str, target: str, description: str, **kw: Any) -> Field:
    return Field(key, "refs", description, ref=target, **kw)


def text_list(key: str, description: str, **kw: Any) -> Field:
    return Field(key, "text_list", description, **kw)


def object_list(key: str, items: tuple[Field, ...], description: str, **kw: Any) -> Field:
    return Field(key, "object_list", description, item_fields=tuple(items), **kw)


def derived(f: Field) -> Field:
    """Mark a declared field as computed by `formulas/` (never written)."""
    return replace(f, derived=True, required=False)


def inverse(key: str, target: str, sources: tuple[tuple[str, str], ...], description: str) -> Field:
    """A derived multi-reference: the rows of `target` whose `sources` point here."""
    return Field(key, "refs", description, ref=target, derived=True, inverse_of=tuple(sources))
