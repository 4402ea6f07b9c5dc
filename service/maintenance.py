"""Maintenance operations behind the CLI: batch inserts, filters, cascades, imports, integrity.

Everything here works inside a store Transaction, so each command is all or
nothing: a problem anywhere raises before the transaction commits, and the
file is left exactly as it was.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from schemas import ALL_TABLES, get_table
from schemas.validation import RowInvalid, describe, load_row
from service.convert import ConversionError, StoreResolver, convert_row, convert_text
from service.snapshot import build
from service.store import Transaction, ordered_rows

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
            given = given.strip().upper() if isinstance(given, str) and given.strip() else None
            if given:
                where = given
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


# --- filters and bulk updates -------------------------------------------------------


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
        out.append((key, text))
    return out


def presented_rows(data: dict, table_name: str, today) -> list[dict]:
    """Rows as a reader sees them: served rows (derived columns, references as objects) for
    synced tables, stored rows for the history collections."""
    table = get_table(table_name)
    if not table.synced:
        return ordered_rows(data, table.name)
    snapshot = build(data, today)  # held here: its tables refer to it only weakly
    return snapshot.rows(table.name).rows


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
        if f.kind in ("integer", "slider", "number", "currency", "percent", "boolean"):
            wanted = convert_text(f, text, lambda *_: "") if wanted else None
        checks.append((f, wanted))

    def as_labels(value: Any, f) -> set[str]:
        items = value if isinstance(value, list) else [value] if value is not None else []
        labels = set()
        for item in items:
            if isinstance(item, dict):
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
            elif f.kind in ("ref", "refs", "text_list"):
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


# --- deletes ------------------------------------------------------------------------


@dataclass
class CascadeReport:
    deleted: Counter = field(default_factory=Counter)  # table -> rows deleted
    cleared: int = 0  # optional references emptied


def cascade_delete(tx: Transaction, table_name: str, row_ids: Iterable[str]) -> CascadeReport:
    """Delete rows and everything that cannot exist without them.

    A row whose *required* reference points at a deleted row is deleted too
    (a risk of a deleted account); an *optional* reference to a deleted row is
    cleared instead (an account's CSM when the person is deleted).
    """
    doomed: dict[str, set[str]] = {table_name: set(row_ids)}
    for row_id in doomed[table_name]:
        tx.get(table_name, row_id)  # NotFound for an unknown id
    frontier = {table_name: set(doomed[table_name])}
    while frontier:
        next_frontier: dict[str, set[str]] = {}
        for target, ids in frontier.items():
            for source, source_id, key in tx.referenced_by(target, ids):
                f = get_table(source).field(key)
                if f.required and f.kind == "ref" and source_id not in doomed.setdefault(source, set()):
                    doomed[source].add(source_id)
                    next_frontier.setdefault(source, set()).add(source_id)
        frontier = next_frontier
    report = CascadeReport()
    for target, ids in doomed.items():
        for source, source_id, key in tx.referenced_by(target, ids):
            if source_id in doomed.get(source, ()):
                continue
            current = tx.get(source, source_id)[key]
            new = [v for v in current if v not in ids] if isinstance(current, list) else None
            tx.set_unchecked(source, source_id, {key: new})
            report.cleared += 1
    for target, ids in doomed.items():
        if ids:
            tx.remove_unchecked(target, sorted(ids))
            report.deleted[target] += len(ids)
    return report


def sample_rows(seed: dict) -> dict[str, set[str]]:
    """{table: ids} of the seed's sample accounts and team, as the seed names them."""
    return {
        name: {row[get_table(name).id_key] for row in seed.get(name, {}).values()}
        for name in ("AccountMaster", "PeopleTeam")
    }


def clear_samples(tx: Transaction, seed: dict) -> tuple[CascadeReport, list[str]]:
    """Remove the sample accounts, everything hanging off them, and the sample team.

    A row counts as a sample only if its id and its name are still the seed's.
    A sample person still referenced by a real account is kept (and reported).
    """
    samples = sample_rows(seed)
    accounts = get_table("AccountMaster")
    seed_names = {r["account_id"]: r["account_name"] for r in seed.get("AccountMaster", {}).values()}
    account_ids = [
        i
        for i in samples["AccountMaster"]
        if tx.exists("AccountMaster", i) and tx.get("AccountMaster", i)[accounts.display_key] == seed_names[i]
    ]
    report = cascade_delete(tx, "AccountMaster", account_ids) if account_ids else CascadeReport()
    seed_emails = {r["person_id"]: r["email"] for r in seed.get("PeopleTeam", {}).values()}
    kept: list[str] = []
    people = []
    for person_id in sorted(samples["PeopleTeam"]):
        if not tx.exists("PeopleTeam", person_id) or tx.get("PeopleTeam", person_id)["email"] != seed_emails[person_id]:
            continue
        if tx.referenced_by("PeopleTeam", person_id):
            kept.append(person_id)
        else:
            people.append(person_id)
    if people:
        more = cascade_delete(tx, "PeopleTeam", people)
        report.deleted.update(more.deleted)
        report.cleared += more.cleared
    return report, kept


# --- integrity ----------------------------------------------------------------------


def integrity_problems(data: dict) -> list[str]:
    """Everything wrong with a store's contents, one line each (empty when sound)."""
    problems: list[str] = []
    meta = data.get("_meta", {}).get("1")
    if not isinstance(meta, dict):
        return ["_meta: missing; this is not a CSM Cockpit store"]
    next_ids = meta.get("next_ids", {})
    ids: dict[str, set[str]] = {}
    for table in ALL_TABLES:
        docs = data.get(table.name)
        if not isinstance(docs, dict):
            problems.append(f"{table.name}: missing from the store")
            ids[table.name] = set()
            continue
        ids[table.name] = {d.get(table.id_key) for d in docs.values() if isinstance(d, dict)}
        highest = 0
        for key, doc in docs.items():
            row_id = doc.get(table.id_key) if isinstance(doc, dict) else None
            label = f"{table.name} {row_id or '#' + key}"
            number = table.id_number(row_id) if row_id else None
            if number is None or str(number) != key:
                problems.append(f"{label}: id does not match its TinyDB key {key!r}")
            else:
                highest = max(highest, number)
            try:
                load_row(table, {f.key: doc.get(f.key) for f in table.writable_fields}, row_id=row_id)
            except RowInvalid as exc:
                problems.append(f"{label}: {describe(exc.errors)}")
            extra = set(doc) - {f.key for f in table.stored_fields} if isinstance(doc, dict) else set()
            if extra:
                problems.append(f"{label}: unknown keys {sorted(extra)}")
        if next_ids.get(table.name, 1) <= highest:
            problems.append(f"{table.name}: next id {next_ids.get(table.name, 1)} would reuse an existing id")
    for table in ALL_TABLES:
        for doc in (data.get(table.name) or {}).values():
            if not isinstance(doc, dict):
                continue
            for f in table.stored_fields:
                if not f.ref:
                    continue
                value = doc.get(f.key)
                for target in value if isinstance(value, list) else [value] if value else []:
                    if target not in ids[f.ref]:
                        problems.append(f"{table.name} {doc.get(table.id_key)}: {f.key}: No {f.ref} row {target}.")
        for f in table.stored_fields:
            if f.unique:
                seen: dict[Any, str] = {}
                for doc in (data.get(table.name) or {}).values():
                    value = doc.get(f.key) if isinstance(doc, dict) else None
                    if value is None:
                        continue
                    norm = " ".join(value.split()).casefold() if isinstance(value, str) else value
                    if norm in seen:
                        problems.append(f"{table.name} {doc.get(table.id_key)}: {f.key}: duplicates {seen[norm]}")
                    seen.setdefault(norm, doc.get(table.id_key))
    return problems
