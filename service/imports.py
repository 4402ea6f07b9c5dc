"""Batch writes from files: inserts, upserting imports and restores, in reference order.

Everything here works inside a store Transaction, so each command is all or
nothing: a problem anywhere raises before the transaction commits, and the
file is left exactly as it was.  Every row is converted (`service.convert`)
and then validated by the catalog (`schemas.validation`) through the store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from schemas import get_table, referrers
from schemas.validation import RowInvalid, describe
from schemas.values import id_problem
from service.convert import ConversionError, StoreResolver, convert_row
from service.store import Transaction

MAX_REPORTED = 50


class BatchInvalid(Exception):
    """One or more rows of a batch are invalid; nothing was written."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        shown = problems[:MAX_REPORTED]
        more = f"\n... and {len(problems) - MAX_REPORTED} more" if len(problems) > MAX_REPORTED else ""
        super().__init__("\n".join(shown) + more)


def _problem(table: str, where: str, exc: Exception) -> str:
    if isinstance(exc, ConversionError):
        return f"{table} {where}: {exc.field}: {exc.message}"
    if isinstance(exc, RowInvalid):
        return f"{table} {where}: {describe(exc.errors)}"
    raise exc


# --- inserts and imports ------------------------------------------------------------


def insert_rows(
    tx: Transaction,
    table_name: str,
    rows: Iterable[Mapping[str, Any]],
    *,
    from_text: bool,
    resolver: StoreResolver | None = None,
    upsert: bool = False,
    tick: Callable[[int], None] | None = None,
) -> tuple[list[str], list[str]]:
    """Convert, validate and write rows; returns (inserted ids, updated ids).

    A row that carries its id is refused by a plain insert; with `upsert` it
    updates that row if it exists and is inserted under that id otherwise.
    Every row is checked before anything is written; all problems are reported.
    """
    table = get_table(table_name)
    resolver = resolver or StoreResolver(tx.rows)
    problems: list[str] = []
    to_insert: list[tuple[dict, str | None]] = []
    labels: list[str] = []
    updated: list[str] = []
    for n, values in enumerate(rows, 1):
        where = f"row {n}"
        try:
            values = dict(values)
            given = values.pop(table.id_key, None)
            if given is not None and not (isinstance(given, str) and given.strip() == ""):
                where = f"{where} ({given!r})" if table.id_number(given) is None else given
                if table.id_number(given) is None:
                    raise RowInvalid(table.name, {table.id_key: [id_problem(table, given)]})
            else:
                given = None
            row = convert_row(table, values, resolver, from_text=from_text)
            if given and not upsert:
                raise RowInvalid(table.name, {table.id_key: ["Ids are assigned by the store; leave it out."]})
            if upsert:  # derived and automatic columns in an export are read-only: ignore them
                row = {k: v for k, v in row.items() if not _read_only(table, k)}
            if given and tx.exists(table.name, given):
                tx.update(table.name, given, row)
                updated.append(given)
            else:  # validated by insert_many below, which reports every bad row
                to_insert.append((row, given))
                labels.append(where)
        except (ConversionError, RowInvalid) as exc:
            problems.append(_problem(table.name, where, exc))
        if tick:
            tick(1)
    errors: list[tuple[int, RowInvalid]] = []
    ids = tx.insert_many(table.name, to_insert, errors)
    problems += [_problem(table.name, labels[i], exc) for i, exc in errors]
    if problems:
        raise BatchInvalid(problems)
    resolver.forget(table.name)
    return ids, updated


def _read_only(table, key: str) -> bool:
    f = table.by_key.get(key)
    return f is not None and (f.derived or bool(f.auto))


def import_order(names: Iterable[str]) -> list[str]:
    """Tables in an order where every stored reference points at a table already imported."""
    remaining = list(dict.fromkeys(names))
    ordered: list[str] = []
    while remaining:
        for name in remaining:
            deps = {f.ref for f in get_table(name).stored_fields if f.ref} - {name}
            if not deps & set(remaining):
                ordered.append(name)
                remaining.remove(name)
                break
        else:  # a cycle: the catalog has none today, but never loop forever
            ordered += remaining
            break
    return ordered


def import_tables(
    tx: Transaction,
    tables: Mapping[str, list[Mapping[str, Any]]],
    *,
    from_text: Mapping[str, bool],
    tick: Callable[[int], None] | None = None,
) -> dict[str, tuple[int, int]]:
    """Upsert rows of several tables in reference order; {table: (inserted, updated)}."""
    resolver = StoreResolver(tx.rows)
    report: dict[str, tuple[int, int]] = {}
    problems: list[str] = []
    for name in import_order(tables):
        try:
            inserted, updated = insert_rows(
                tx, name, tables[name], from_text=from_text[name], resolver=resolver, upsert=True, tick=tick
            )
            report[name] = (len(inserted), len(updated))
        except BatchInvalid as exc:
            problems += exc.problems
    if problems:
        raise BatchInvalid(problems)
    return report


def restore_tables(
    tx: Transaction,
    tables: Mapping[str, list[Mapping[str, Any]]],
    *,
    from_text: Mapping[str, bool],
    tick: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Restore a backup: each given table holds exactly the given rows afterwards; {table: rows}.

    Rows keep their ids (every row needs its own, in canonical form) and their automatic
    stamps (validated as date-times; a missing one is stamped now); derived columns in the
    input are ignored.  Every row is converted and validated like any write.  Tables not
    given are left as they are, but none of their rows may point at a row the restore
    removes.  Ids high-water marks only move up, so ids are never reused.  Any problem
    raises BatchInvalid listing all of them, before anything is written.
    """
    order = import_order(tables)
    before = {name: {r[get_table(name).id_key] for r in tx.rows(name)} for name in order}
    for name in order:
        tx.clear(name)
    resolver = StoreResolver(tx.rows)
    report: dict[str, int] = {}
    problems: list[str] = []
    for name in order:
        table = get_table(name)
        items: list[tuple[dict, str | None]] = []
        labels: list[tuple[int, str]] = []  # each item's row number and label
        found: list[tuple[int, str]] = []  # (row number, problem): reported in row order
        for n, values in enumerate(tables[name], 1):
            where = f"row {n}"
            try:
                values = dict(values)
                given = values.pop(table.id_key, None)
                if given is None or given == "":
                    raise RowInvalid(table.name, {table.id_key: ["Missing: a restore keeps every row's id."]})
                if table.id_number(given) is None:
                    where = f"row {n} ({given!r})"
                    raise RowInvalid(table.name, {table.id_key: [id_problem(table, given)]})
                where = given
                values = {k: v for k, v in values.items() if not (k in table.by_key and table.by_key[k].derived)}
                items.append((convert_row(table, values, resolver, from_text=from_text[name]), given))
                labels.append((n, where))
            except (ConversionError, RowInvalid) as exc:
                found.append((n, _problem(table.name, where, exc)))
            if tick:
                tick(1)
        errors: list[tuple[int, RowInvalid]] = []
        report[name] = len(tx.insert_many(table.name, items, errors, keep_stamps=True))
        found += [(labels[i][0], _problem(table.name, labels[i][1], exc)) for i, exc in errors]
        problems += [problem for _, problem in sorted(found, key=lambda p: p[0])]
        resolver.forget(name)
    problems += _dangling_after_restore(tx, before)
    if problems:
        raise BatchInvalid(problems)
    return report


def _dangling_after_restore(tx: Transaction, before: Mapping[str, set[str]]) -> list[str]:
    """Rows of tables left as they are that point at rows the restore removed, one line each."""
    problems: list[str] = []
    for name, ids in before.items():
        removed = ids - {r[get_table(name).id_key] for r in tx.rows(name)}
        if not removed:
            continue
        for source, key in referrers(name):
            if source.name in before:
                continue  # restored too: its rows were checked as they went in
            for row in sorted(tx.rows(source.name), key=lambda r: source.id_number(r[source.id_key]) or 0):
                value = row.get(key)
                gone = [
                    i for i in (value if isinstance(value, list) else [value]) if isinstance(i, str) and i in removed
                ]
                if gone:
                    problems.append(
                        f"{source.name} {row[source.id_key]}: {key}: points at {name} {', '.join(gone)}, "
                        f"which the restore removes (restore {source.name} too, or change the row first)"
                    )
    return problems
