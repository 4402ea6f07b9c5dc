"""FIELD=VALUE syntax of the command line: `--set` assignments and `--where` filters."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from schemas import get_table
from schemas.kinds import KINDS
from schemas.values import id_problem
from service.convert import ConversionError, StoreResolver, convert_row, convert_text
from service.snapshot import presented_rows
from service.store import Transaction


def parse_id(table_name: str, text: str) -> str:
    """An ID argument, accepted only exactly as the store writes ids (`ACC-00003`)."""
    table = get_table(table_name)
    if table.id_number(text) is None:
        raise ConversionError("", id_problem(table, text))
    return text


def parse_assignments(table_name: str, pairs: Iterable[str], option: str) -> list[tuple[str, str]]:
    """`FIELD=VALUE` strings into (field, text), refusing unknown fields by name."""
    table = get_table(table_name)
    out = []
    for pair in pairs:
        key, sep, text = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ConversionError("", f"{option} takes FIELD=VALUE; got {pair!r}.")
        if key not in table.by_key:
            raise ConversionError("", f"{table.name} has no field {key!r} (see `csm schema {table.name}`).")
        if option == "--set" and any(key == k for k, _ in out):
            raise ConversionError(key, f"given twice with {option}; give each field once.")
        out.append((key, text))
    return out


def row_matcher(table_name: str, where: list[tuple[str, str]]) -> Callable[[dict], bool]:
    """A predicate over presented rows: every FIELD=VALUE must hold.

    References match by id or display name, lists when they contain the value,
    numbers and booleans by value, text ignoring case.  Derived columns count.
    """
    table = get_table(table_name)
    checks = []
    for key, text in where:
        f = table.field(key)
        wanted = text.strip()
        if KINDS[f.kind].json_type in ("integer", "number", "boolean"):
            wanted = convert_text(f, text, lambda *_: "") if wanted else None
        checks.append((f, wanted))

    def as_labels(value: Any, f) -> set[str]:
        items = value if isinstance(value, list) else [value] if value is not None else []
        labels = set()
        for item in items:
            if isinstance(item, dict) and f.ref:
                target = get_table(f.ref)
                labels |= {
                    str(item.get(target.id_key, "")).casefold(),
                    str(item.get(target.display_key, "")).casefold(),
                }
            else:
                labels.add(str(item).casefold())
        return labels

    def match(row: dict) -> bool:
        for f, wanted in checks:
            actual = row.get(f.key)
            if isinstance(wanted, str) and wanted == "":
                if actual not in (None, "", []):
                    return False
            elif KINDS[f.kind].json_type in ("object", "array"):
                if wanted.casefold() not in as_labels(actual, f):
                    return False
            elif isinstance(wanted, str):
                if not isinstance(actual, str) or actual.casefold() != wanted.casefold():
                    return False
            elif actual != wanted:
                return False
        return True

    return match


def matching_ids(tx: Transaction, table_name: str, where: list[tuple[str, str]], today) -> list[str]:
    table = get_table(table_name)
    match = row_matcher(table_name, where)
    return [row[table.id_key] for row in presented_rows(tx.data, table_name, today) if match(row)]


def convert_assignments(tx: Transaction, table_name: str, sets: list[tuple[str, str]]) -> dict[str, Any]:
    table = get_table(table_name)
    return convert_row(table, dict(sets), StoreResolver(tx.rows), from_text=True)
