"""Strict checks and parsers for single values: what the kinds of `schemas.kinds` are built from.

Two directions, both strict:

- marshmallow fields that accept a *typed* value (JSON) only in its one right form: numbers that are
  finite ints or floats (never bools or strings), dates as `YYYY-MM-DD` within DATE_RANGE, ids in their
  canonical form, text that is valid Unicode (no lone surrogates, no NUL) and of bounded length;
- parsers for *text typed by people* (`--set`, CSV cells): ASCII digits with optional thousands
  separators, never `inf`, `nan`, `0x..` or non-ASCII digits; `true`/`no`; JSON or comma lists.

Decided here (the seeds are silent):
- Dates run from 1900-01-01 to 2199-12-31: every date the product computes with (a renewal, a cadence
  added to the last engagement) then stays far inside what Python, JavaScript and Coda can represent.
- A number written without its own range is held to +/- 10^12 (percentages +/- 10^6): sums over tens of
  thousands of rows stay finite and exact, and every value fits JavaScript's safe integers.
- Optional text that is blank (empty or only white space) is stored as null: a CSV cell cannot tell the
  two apart, and an export must import back to the same values.
- Typed numbers group thousands with `,` or `_` in threes only (`1,200,000`): `1,5` is refused rather than
  read as 15.  Dates are `YYYY-MM-DD` only (no ISO week or ordinal forms).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from typing import Any

from marshmallow import ValidationError, fields

DATE_RANGE = (dt.date(1900, 1, 1), dt.date(2199, 12, 31))
NUMBER_LIMIT = 10**12
PERCENT_LIMIT = 10**6
MAX_TEXT = 2_000
MAX_LONG_TEXT = 100_000
MAX_NUMBER_TEXT = 40

# resolve(table_name, text) -> id, raising ConversionError; built from the store by the caller.
Resolver = Callable[[str, str], str]


class ConversionError(ValueError):
    """Text typed by a person that cannot become a value of its field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


# --- typed values (JSON) -------------------------------------------------------------


def text_problem(value: str) -> str | None:
    """Why a string cannot be stored as text, or None."""
    if "\x00" in value:
        return "Must not contain NUL characters."
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "Not valid Unicode text (it holds a lone surrogate, as undecodable bytes give)."
    return None


class Text(fields.String):
    """A string that is valid Unicode, without NUL, at most `max_length` characters."""

    def __init__(self, *, max_length: int = MAX_TEXT, blank: bool = True, **kw: Any) -> None:
        super().__init__(**kw)
        self.max_length, self.blank = max_length, blank

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        problem = text_problem(text)
        if problem is None and len(text) > self.max_length:
            problem = f"Longer than {self.max_length:,} characters."
        if problem is None and not text.strip():
            if self.blank:
                return None  # blank optional text is no text: stored as null, as a CSV cell reads back
            problem = "Must not be blank."
        if problem:
            raise ValidationError(problem)
        return text


class StrictNumber(fields.Field):
    """A JSON number: ints and finite floats, never bools or strings."""

    default_error_messages = {"invalid": "Not a number."}

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> float | int:
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or value != value
            or abs(value) == float("inf")
        ):
            raise self.make_error("invalid")
        return value


class StrictInteger(fields.Field):
    default_error_messages = {"invalid": "Not a whole number."}

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> int:
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.make_error("invalid")
        return value


_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_date(value: object) -> dt.date:
    """A `YYYY-MM-DD` date within DATE_RANGE; ValueError otherwise."""
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise ValueError("not a date")
    day = dt.date.fromisoformat(value)
    if not DATE_RANGE[0] <= day <= DATE_RANGE[1]:
        raise ValueError("date out of range")
    return day


_DATE_MESSAGE = f"Not a date in the form YYYY-MM-DD from {DATE_RANGE[0]} to {DATE_RANGE[1]}."


class IsoDate(fields.Field):
    default_error_messages = {"invalid": _DATE_MESSAGE}

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        try:
            return parse_date(value).isoformat()
        except ValueError:
            raise self.make_error("invalid") from None


class IsoDateTime(fields.Field):
    """An ISO 8601 date-time, stored in UTC as `YYYY-MM-DDTHH:MM:SSZ`."""

    default_error_messages = {
        "invalid": f"Not a date-time in the form YYYY-MM-DDTHH:MM:SSZ from {DATE_RANGE[0]} to {DATE_RANGE[1]}."
    }

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        try:
            if not isinstance(value, str) or not 16 <= len(value) <= 40 or not value.isascii():
                raise ValueError
            parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=dt.UTC)
            parsed = parsed.astimezone(dt.UTC)
            parse_date(parsed.date().isoformat())
        except (ValueError, OverflowError):
            raise self.make_error("invalid") from None
        return parsed.strftime("%Y-%m-%dT%H:%M:%SZ")


class RowId(fields.Field):
    """An id of the target table in its canonical form; whether the row exists is `check_links`'s job."""

    def __init__(self, target: Any, **kw: Any) -> None:
        super().__init__(**kw)
        self.target = target

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        if self.target.id_number(value) is None:
            raise ValidationError(id_problem(self.target, value))
        return value


def id_problem(table: Any, value: object) -> str:
    """Why `value` is not an id of `table`, suggesting the canonical form of a near miss."""
    shown = repr(value) if isinstance(value, str) else f"a {type(value).__name__}"
    near = table.canonical_id(value) if isinstance(value, str) else None
    hint = f"; did you mean {near}?" if near and near != value else f" (ids look like {table.make_id(1)})."
    return f"{shown} is not an id of {table.name}{hint}"


# --- text typed by people -------------------------------------------------------------

_NUMBER = re.compile(
    r"[+-]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]{1,3}(?:_[0-9]{3})+|[0-9]+)?(?:\.[0-9]+)?(?:[eE][+-]?[0-9]{1,3})?"
)


def number_from_text(key: str, text: str) -> int | float:
    """`120,000` -> 120000, `-3.5` -> -3.5; ASCII digits only, finite."""
    cleaned = text.strip()
    if not cleaned or len(cleaned) > MAX_NUMBER_TEXT or not _NUMBER.fullmatch(cleaned) or cleaned in "+-":
        raise ConversionError(key, f"Not a number: {text!r}.")
    plain = cleaned.replace(",", "").replace("_", "")
    if plain.lstrip("+-")[:1] in ("", ".", "e", "E"):
        raise ConversionError(key, f"Not a number: {text!r}.")
    value = float(plain)
    if value != value or abs(value) == float("inf"):
        raise ConversionError(key, f"Not a number: {text!r}.")
    exact = "." not in plain and "e" not in plain.lower()
    return int(plain) if exact else value


def integer_from_text(key: str, text: str) -> int:
    value = number_from_text(key, text)
    if isinstance(value, float):
        if not value.is_integer():
            raise ConversionError(key, f"Not a whole number: {text!r}.")
        return int(value)
    return value


TRUE = {"true", "t", "yes", "y", "1", "on"}
FALSE = {"false", "f", "no", "n", "0", "off"}


def boolean_from_text(key: str, text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in TRUE:
        return True
    if lowered in FALSE:
        return False
    raise ConversionError(key, f"Not true or false: {text!r}.")


def list_from_text(key: str, text: str) -> list[Any]:
    """A JSON list (`["a", "b"]`, items exactly as written) or comma-separated text (`a, b`: the white
    space around each comma is the separator's)."""
    stripped = text.strip()
    if stripped.startswith("["):
        value = json_from_text(key, stripped, "a JSON list")
        if not isinstance(value, list):
            raise ConversionError(key, f"Not a list: {text!r}.")
        return value
    return [part.strip() for part in stripped.split(",") if part.strip()]


def json_from_text(key: str, text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        raise ConversionError(key, f"Not {what}: {text[:80]!r}.") from None


def compact_usd(amount: float | None) -> str:
    """$1.2M, $850K, $2M, $950 -- one decimal at most, trailing .0 dropped."""
    if amount is None:
        return "n/a"
    sign = "-" if amount < 0 else ""
    value = abs(amount)
    units = [(1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")]
    for i, (size, suffix) in enumerate(units):
        if value >= size:
            shown = round(value / size, 1)
            if shown >= 1000 and i > 0:  # 999,950 rounds to 1000.0K: say $1M instead
                size, suffix = units[i - 1]
                shown = round(value / size, 1)
            return f"{sign}${shown:g}{suffix}"
    return f"{sign}${round(value):g}"
