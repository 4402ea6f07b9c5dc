"""Writing rows for people and programs: JSON, newline-delimited JSON, CSV and aligned tables.

CSV cells round-trip through `csm import`: references are written as ids,
lists and objects as JSON, booleans as true/false, blanks as empty cells, and
text that a spreadsheet would run as a formula with a leading `'`.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from collections.abc import Iterable
from typing import Any

from schemas import Table, get_table
from service.cli.rowfiles import neutralise

MAX_CELL = 40


def to_json(rows: list[dict]) -> str:
    return json.dumps(rows, indent=2, ensure_ascii=False, sort_keys=False)


def to_nl(rows: Iterable[dict]) -> str:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)


def _ref_id(table: Table, key: str, value: Any) -> Any:
    f = table.by_key.get(key)
    if f is None or not f.ref:
        return value
    target = get_table(f.ref)
    if isinstance(value, dict):
        return value.get(target.id_key)
    if isinstance(value, list):
        return [v.get(target.id_key) if isinstance(v, dict) else v for v in value]
    return value


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)  # the same cell whatever the stored key order
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _csv_text(value: Any) -> str:
    """A CSV cell; text a spreadsheet would run as a formula is neutralised (see `rowfiles`)."""
    return neutralise(value) if isinstance(value, str) else csv_cell(value)


def columns(table: Table, rows: list[dict]) -> list[str]:
    present = {k for row in rows for k in row}
    return [f.key for f in table.fields if f.key in present] or [f.key for f in table.fields]


def to_csv(table: Table, rows: list[dict]) -> str:
    out = io.StringIO()
    keys = columns(table, rows)
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180; and so a cell holding a lone \r is quoted
    writer.writerow(keys)
    for row in rows:
        writer.writerow([_csv_text(_ref_id(table, k, row.get(k))) for k in keys])
    return out.getvalue()


def _label(table: Table, key: str, value: Any) -> str:
    """A cell for people: references by name, lists joined, white space folded, controls escaped."""
    f = table.by_key.get(key)
    if f is not None and f.ref and value is not None:
        target = get_table(f.ref)
        items = value if isinstance(value, list) else [value]
        text = ", ".join(str(v.get(target.display_key) if isinstance(v, dict) else v) for v in items)
    elif isinstance(value, list):
        text = ", ".join(v if isinstance(v, str) else json.dumps(v, ensure_ascii=False) for v in value)
    else:
        text = csv_cell(value)
    return visible(" ".join(text.split()))


def visible(text: str) -> str:
    """No terminal control sequences on a person's screen: control characters shown as escapes."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def to_table(table: Table, rows: list[dict], keys: list[str] | None = None) -> str:
    """An aligned text table; long cells are cut to fit, references show their names."""
    keys = keys or columns(table, rows)
    cells = [[_label(table, k, row.get(k)) for k in keys] for row in rows]
    width = shutil.get_terminal_size((160, 24)).columns
    limit = max(8, min(MAX_CELL, width // max(1, min(len(keys), 8))))
    cut = [[c if len(c) <= limit else c[: limit - 1] + "…" for c in line] for line in cells]
    widths = [max([len(k)] + [len(line[i]) for line in cut]) for i, k in enumerate(keys)]
    lines = ["  ".join(k.ljust(w) for k, w in zip(keys, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() for line in cut]
    return "\n".join(lines) + "\n"
