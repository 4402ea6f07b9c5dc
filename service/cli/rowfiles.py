"""Rows in files, both ways: reading JSON, newline-delimited JSON and CSV, and the CSV cell rules.

Reading is strict and says where a file is wrong, never with a traceback: bytes
that are not UTF-8 (a UTF-8 BOM, as Excel writes, is fine), JSON nested past
any sane depth or with numbers Python cannot hold, CSV with blank or duplicate
header columns, or rows with more or fewer cells than the header.

CSV cells that a spreadsheet would run as a formula (text starting with `=`,
`+`, `-`, `@`, a tab or a carriage return: OWASP's CSV injection rule) are
written with a leading `'`, which spreadsheets show as text.  So that an
exported file imports back to the same values, a text that itself starts with
`'` gets one more, and reading strips exactly one `'` before any of these.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any


class InputError(ValueError):
    """A file that cannot be read as rows; the message names the file and where."""


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_QUOTED_STARTS = (*FORMULA_STARTS, "'")
MAX_CSV_CELL = 1_000_000


def neutralise(text: str) -> str:
    """A text cell as written to CSV: one `'` before a formula trigger (or an apostrophe)."""
    return "'" + text if text.startswith(_QUOTED_STARTS) else text


def unneutralise(cell: str) -> str:
    """The value a CSV cell written by `neutralise` stands for."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(_QUOTED_STARTS) else cell


def decode(raw: bytes, source: str) -> str:
    """UTF-8 text (a leading BOM dropped), or an error naming the file and the first bad byte."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(
            f"{source} is not UTF-8 text (line {line}, byte {exc.start}: {raw[exc.start : exc.start + 1]!r}); "
            "save it as UTF-8 and try again"
        ) from None


def parse_json(text: str, source: str) -> Any:
    try:
        return json.loads(text, object_pairs_hook=_no_repeated_keys)
    except RecursionError:
        raise InputError(f"{source} is nested too deeply to be rows of a table") from None
    except _RepeatedKey as exc:
        raise InputError(f"{source} gives the key {exc.args[0]!r} twice in one object") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{source} is not valid JSON: {exc}") from None
    except ValueError:  # Python refuses to convert integers of thousands of digits
        raise InputError(f"{source} holds a number too long to be a value") from None


class _RepeatedKey(ValueError):
    pass


def _no_repeated_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _RepeatedKey(key)
        out[key] = value
    return out


def read_rows(raw: bytes, fmt: str, source: str) -> list[dict[str, Any]]:
    """Rows from JSON (a list or one object), newline-delimited JSON, or CSV with a header."""
    text = decode(raw, source)
    if fmt == "csv":
        return read_csv(text, source)
    if fmt == "nl":
        out = []
        for n, line in enumerate(text.split("\n"), 1):  # not splitlines(): U+2028 may stand inside a string
            if line.strip():
                row = parse_json(line, f"{source} line {n}")
                if not isinstance(row, dict):
                    raise InputError(f"{source} line {n} is not a JSON object")
                out.append(row)
        return out
    data = parse_json(text, source)
    data = [data] if isinstance(data, dict) else data
    if not isinstance(data, list) or not all(isinstance(row, dict) for row in data):
        raise InputError(f"{source} must hold a JSON object or a list of objects")
    return data


def read_csv(text: str, source: str) -> list[dict[str, str]]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if not header or not any(h.strip() for h in header):
            raise InputError(f"{source} is empty: a CSV needs a header row")
        _check_header(header, source)
        rows = []
        for cells in reader:
            if not cells:
                continue  # a blank line
            if len(cells) != len(header):
                extra = (
                    f" (extra: {', '.join(repr(c) for c in cells[len(header) :][:3])})"
                    if len(cells) > len(header)
                    else ""
                )
                raise InputError(
                    f"{source} line {reader.line_num}: {len(cells)} cells, but the header has {len(header)} columns"
                    + extra
                )
            rows.append({h: unneutralise(c) for h, c in zip(header, cells, strict=True)})
        return rows
    except csv.Error as exc:
        raise InputError(f"{source} line {reader.line_num}: not valid CSV ({exc})") from None


def _check_header(header: list[str], source: str) -> None:
    blank = [str(i) for i, h in enumerate(header, 1) if not h.strip()]
    if blank:
        raise InputError(f"{source}: header column {', '.join(blank)} has no name")
    seen, dupes = set(), []
    for h in header:
        if h in seen and h not in dupes:
            dupes.append(h)
        seen.add(h)
    if dupes:
        raise InputError(f"{source}: the header names {', '.join(repr(d) for d in dupes)} more than once")


csv.field_size_limit(MAX_CSV_CELL)
